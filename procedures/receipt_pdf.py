"""The application receipt as a PDF, written in Python: one or more A4 pages of text.

The text is set in an embedded TrueType font (``procedures.pdf_font``: DejaVu Sans by default), so that
names print in every script of the EU's languages and can be copied and read aloud. Where that font cannot
be read, the receipt falls back to the PDF standard font Helvetica, which knows Windows-1252 only
(characters outside it print as ``?``; a warning is logged).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import Any, Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from procedures import pdf_font
from procedures.models import Application

_PAGE_WIDTH, _PAGE_HEIGHT = 595, 842  # A4 in points
_MARGIN = 56
_LEADING = 15
_WRAP = 88  # characters per line in Helvetica (the fallback)
_STYLES = {"title": ("bold", 18), "heading": ("bold", 13), "text": ("regular", 11)}
_SUBSET_TAGS = {"regular": b"OOTSRG", "bold": b"OOTSBD"}


def _lines(application: Application, journey: Any) -> list[tuple[str, str]]:
    """(style, text) pairs; style is "title", "heading" or "text"."""
    lines: list[tuple[str, str]] = [
        ("title", str(_("Application submitted"))),
        ("text", application.procedure.name),
        ("text", str(_("Your reference: %(ref)s")) % {"ref": application.short_reference}),
        ("text", str(_("Full reference: %(ref)s")) % {"ref": application.reference}),
    ]
    if application.submitted_at:
        when = timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M %Z")
        lines.append(("text", str(_("Submitted on %(when)s")) % {"when": when}))
    lines += [("text", ""), ("heading", str(_("Your answers")))]
    for row in application.procedure.form_fields.all():
        value = application.data.get(row.key)
        if row.field_type == "file":
            stored = application.files.filter(field_key=row.key).first()
            value = stored.original_name if stored else None
        shown = (
            {True: str(_("Yes")), False: str(_("No")), None: "-"}.get(value, str(value))
            if not isinstance(value, str)
            else value
        )
        lines.append(("text", f"{row.label}: {shown}"))
    if journey is not None and journey.progress:
        lines += [("text", ""), ("heading", str(_("Evidence")))]
        for progress in journey.progress:
            if progress.status == "uploaded" and progress.upload is not None:
                how = str(_("uploaded by you: %(name)s")) % {"name": progress.upload.original_name}
            elif progress.status == "received":
                names = ", ".join(f"{e.evidence_type_title} ({e.provider_name})" for e in progress.exchanges)
                how = str(_("received through OOTS: %(names)s")) % {"names": names}
            else:
                how = str(_("not provided"))
            lines.append(("text", f"{progress.requirement.name}: {how}"))
    return lines


class _Fonts(Protocol):
    def wrap(self, text: str, weight: str, size: int) -> list[str]: ...

    def operand(self, text: str, weight: str) -> bytes: ...

    def objects(self, first: int) -> tuple[list[bytes], dict[str, int]]:
        """The font objects, numbered from ``first``, and the object number of each weight's font."""
        ...


class _Helvetica:
    """The fallback: the standard fonts, Windows-1252 only."""

    def wrap(self, text: str, weight: str, size: int) -> list[str]:
        return textwrap.wrap(text, _WRAP) or [""]

    def operand(self, text: str, weight: str) -> bytes:
        encoded = text.encode("cp1252", errors="replace")
        return b"(%s)" % encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    def objects(self, first: int) -> tuple[list[bytes], dict[str, int]]:
        return [
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        ], {"regular": first, "bold": first + 1}


class _Embedded:
    """TrueType subsets as Type 0 fonts (Identity-H: two bytes per glyph id) with a ToUnicode map."""

    def __init__(self, regular: pdf_font.EmbeddedFont, bold: pdf_font.EmbeddedFont) -> None:
        self.fonts = {"regular": regular, "bold": bold}
        self.used: dict[str, set[int]] = {"regular": set(), "bold": set()}

    def wrap(self, text: str, weight: str, size: int) -> list[str]:
        font = self.fonts[weight]
        return _wrap(text, lambda line: font.width(line, size) <= _PAGE_WIDTH - 2 * _MARGIN)

    def operand(self, text: str, weight: str) -> bytes:
        gids = self.fonts[weight].glyph_ids(text)
        self.used[weight].update(gids)
        return b"<%s>" % "".join(f"{gid:04X}" for gid in gids).encode()

    def objects(self, first: int) -> tuple[list[bytes], dict[str, int]]:
        objects: list[bytes] = []
        numbers: dict[str, int] = {}
        for weight, font in self.fonts.items():
            n = first + len(objects)  # Type 0 font, CID font, descriptor, font file, ToUnicode
            numbers[weight] = n
            # A subset's name: six capital letters, "+", the font's own (ISO 32000-1, 9.6.4).
            name = b"%s+%s" % (_SUBSET_TAGS[weight], font.postscript_name.encode())
            used = self.used[weight] | {0}
            widths = b" ".join(b"%d [%d]" % (gid, font.widths.get(gid, 0)) for gid in sorted(used))
            unicode_map = pdf_font.to_unicode_cmap(font, used)
            objects += [
                b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H "
                b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (name, n + 1, n + 4),
                b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s "
                b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                b"/FontDescriptor %d 0 R /CIDToGIDMap /Identity /W [%s] >>" % (name, n + 2, widths),
                b"<< /Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%d %d %d %d] /ItalicAngle 0 "
                b"/Ascent %d /Descent %d /CapHeight %d /StemV %d /FontFile2 %d 0 R >>"
                % (
                    name,
                    *font.bbox,
                    font.ascent,
                    font.descent,
                    font.cap_height,
                    120 if weight == "bold" else 80,
                    n + 3,
                ),
                _stream(font.font_file, b"/Length1 %d /Filter /FlateDecode" % font.font_file_length),
                _stream(unicode_map),
            ]
        return objects, numbers


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d %s>>\nstream\n%s\nendstream" % (len(data), extra + b" " if extra else b"", data)


def _wrap(text: str, fits: Callable[[str], bool]) -> list[str]:
    """``text`` in lines that fit, broken between words (inside a word only when it is longer than a line)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if fits(candidate):
            line = candidate
            continue
        if line:
            lines.append(line)
        while len(word) > 1 and not fits(word):
            cut = next((i for i in range(len(word) - 1, 0, -1) if fits(word[:i])), 1)
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    lines.append(line)
    return lines


def _fonts() -> _Fonts:
    regular = pdf_font.load(settings.OOTS_RECEIPT_FONT)
    if regular is None:
        return _Helvetica()
    return _Embedded(regular, pdf_font.load(settings.OOTS_RECEIPT_FONT_BOLD) or regular)


def receipt_pdf(application: Application, journey: Any = None) -> bytes:
    fonts = _fonts()
    pages: list[list[bytes]] = [[]]
    y = _PAGE_HEIGHT - _MARGIN
    for style, text in _lines(application, journey):
        weight, size = _STYLES[style]
        for piece in fonts.wrap(text, weight, size):
            if y < _MARGIN + _LEADING:
                pages.append([])
                y = _PAGE_HEIGHT - _MARGIN
            operand = fonts.operand(piece, weight)
            pages[-1].append(b"BT /%s %d Tf %d %d Td %s Tj ET" % (weight.encode(), size, _MARGIN, y, operand))
            y -= _LEADING + (size - 11)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
    ]
    font_objects, numbers = fonts.objects(len(objects) + 1)
    objects += font_objects
    resources = b" ".join(b"/%s %d 0 R" % (weight.encode(), n) for weight, n in numbers.items())
    kids = []
    for content in pages:
        objects.append(_stream(b"\n".join(content)))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << %s >> >> "
            b"/Contents %d 0 R >>" % (_PAGE_WIDTH, _PAGE_HEIGHT, resources, len(objects))
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)

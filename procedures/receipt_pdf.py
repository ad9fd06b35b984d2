"""The application receipt as a PDF, written in pure Python (no dependency): one or more A4 pages of text in
the PDF standard font Helvetica.

The standard fonts know Windows-1252 only: characters outside it (Greek, Cyrillic…) are written as ``?``. The
receipt page in the browser shows every character; a Unicode PDF needs an embedded font (a follow-up).
"""

from __future__ import annotations

import textwrap
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from procedures.models import Application

_PAGE_WIDTH, _PAGE_HEIGHT = 595, 842  # A4 in points
_MARGIN = 56
_LEADING = 15
_WRAP = 88


def _escape(text: str) -> bytes:
    encoded = text.encode("cp1252", errors="replace")
    return encoded.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


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


def receipt_pdf(application: Application, journey: Any = None) -> bytes:
    fonts = {"title": (b"F2", 18), "heading": (b"F2", 13), "text": (b"F1", 11)}
    pages: list[list[bytes]] = [[]]
    y = _PAGE_HEIGHT - _MARGIN
    for style, text in _lines(application, journey):
        font, size = fonts[style]
        for piece in textwrap.wrap(text, _WRAP) or [""]:
            if y < _MARGIN + _LEADING:
                pages.append([])
                y = _PAGE_HEIGHT - _MARGIN
            pages[-1].append(b"BT /%s %d Tf %d %d Td (%s) Tj ET" % (font, size, _MARGIN, y, _escape(piece)))
            y -= _LEADING + (size - 11)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for content in pages:
        stream = b"\n".join(content)
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> "
            b"/Contents %d 0 R >>" % (_PAGE_WIDTH, _PAGE_HEIGHT, len(objects))
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

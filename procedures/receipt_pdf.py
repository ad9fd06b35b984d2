"""The application receipt as a PDF (ReportLab): one or more A4 pages of text.

The text is set in an embedded TrueType font (``procedures.receipt_font``: DejaVu Sans by default, reduced to
the EU's scripts once per deployment), so that names print in every script of the EU's languages and can be
copied, searched and read aloud (ReportLab embeds subsets of the glyphs used, with a ToUnicode map). A
character the font lacks prints as U+FFFD. Lines wrap by their width measured in that font (inside a word
only when it is longer than a line). The document carries its title and language (shown as the window title;
the language lets a screen reader pick its voice) and an outline of its headings. Where the font cannot be
read, the receipt falls back to the PDF standard font Helvetica, which knows Windows-1252 only (characters
outside it print as ``?``; a warning is logged).

Why ReportLab: it parses a font once per process (``registerFont``) and subsets it per document from what it
parsed; fpdf2 parses and subsets the font file again for every document, five to seven times the cost of a
receipt (``bench/receipt.py``, docs/receipt.md).
"""

from __future__ import annotations

import io
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from procedures.answers import answer_date, answer_display, answered_rows
from procedures.localized import provider_name
from procedures.models import Application
from procedures.receipt_font import REPLACEMENT, receipt_fonts

logger = logging.getLogger(__name__)

PAGE_WIDTH, PAGE_HEIGHT = A4  # points
MARGIN = 56
_LEADING = 15
# Per style: the weight and the size, in points; a line takes _LEADING plus what its size exceeds 11 points.
_STYLES = {"title": ("bold", 18), "heading": ("bold", 13), "text": ("regular", 11)}
_OUTLINE_LEVELS = {"title": 0, "heading": 1}
_HELVETICA = {"regular": "Helvetica", "bold": "Helvetica-Bold"}
# Streams compressed only, not also ASCII85-encoded (ReportLab's default, for 7-bit channels): a quarter
# smaller, and no encoding pass in Python. The portal is ReportLab's only user in the process.
rl_config.useA85 = 0


def _lines(application: Application, journey: Any) -> list[tuple[str, str]]:
    """(style, text) pairs; style is "title", "heading" or "text"."""
    lines: list[tuple[str, str]] = [
        ("title", str(_("Application submitted"))),
        ("text", application.procedure.name),
        ("text", str(_("Your reference: %(ref)s")) % {"ref": application.short_reference}),
        ("text", str(_("Full reference: %(ref)s")) % {"ref": application.reference}),
    ]
    if application.submitted_at:
        local = timezone.localtime(application.submitted_at)
        when = f"{answer_date(local.date())} {local:%H:%M} {local:%Z}"
        lines.append(("text", str(_("Submitted on %(when)s")) % {"when": when}))
    lines += [("text", ""), ("heading", str(_("Your answers")))]
    for row in answered_rows(application.procedure.form_fields.all(), application.data):
        # Labels, choices and dates in the citizen's language (procedures.answers), like the headings.
        if row.field_type == "file":
            stored = application.files.filter(field_key=row.key).first()
            shown = stored.original_name if stored else "—"
        else:
            shown = answer_display(row, application.data.get(row.key))
        lines.append(("text", f"{row.label}: {shown}"))
    if journey is not None:
        lines += [
            ("text", ""),
            ("text", str(_("Applicant: %(name)s")) % {"name": journey.applicant_name}),
            ("text", str(_("Sent to: %(authority)s")) % {"authority": application.procedure.authority.name}),
        ]
    if journey is not None and journey.progress:
        lines += [("text", ""), ("heading", str(_("Evidence")))]
        for progress in journey.progress:
            parts = []
            for entry in progress.items:
                if entry.status == "uploaded" and entry.upload is not None:
                    how = str(_("uploaded by you: %(name)s")) % {"name": entry.upload.original_name}
                elif entry.status == "received" and entry.exchange is not None:
                    how = str(_("received through OOTS from %(provider)s")) % {
                        "provider": provider_name(entry.exchange)
                    }
                else:
                    how = str(_("not provided"))
                parts.append(f"{entry.item.title} ({how})")
            lines.append(
                ("text", f"{progress.requirement.name}: {'; '.join(parts) or str(_('not provided'))}")
            )
    lines += [
        ("text", ""),
        ("heading", str(_("What happens next"))),
        (
            "text",
            str(
                _(
                    "%(authority)s has received your application and the evidence listed above. It will "
                    "examine them and contact you if it needs anything else. Quote your reference whenever "
                    "you contact it about this application."
                )
            )
            % {"authority": application.procedure.authority.name},
        ),
    ]
    return lines


_registering = threading.Lock()
_registered: dict[Path, str] = {}


def _registered_font(path: Path) -> str:
    """ReportLab's name for the TrueType font at ``path``, parsed once per process and file."""
    with _registering:  # the threads of a gthread worker asking at once parse it once
        if path not in _registered:
            # A prepared file's name carries a digest of its content: a new font is a new file, a new name.
            name = f"receipt-{len(_registered)}-{path.stem}"
            pdfmetrics.registerFont(TTFont(name, str(path)))
            _registered[path] = name
        return _registered[path]


def _fonts() -> dict[str, str]:
    """The registered font of each weight; Helvetica (logged) when there is none."""
    fonts = receipt_fonts()
    if fonts is None:
        return _HELVETICA
    try:
        return {"regular": _registered_font(fonts.regular), "bold": _registered_font(fonts.bold)}
    except Exception as exc:  # ReportLab raises several kinds on a font it cannot embed (e.g. CFF outlines)
        logger.warning("receipt font unusable (%s): the receipt PDF falls back to Helvetica", exc)
        return _HELVETICA


def _printable(font_name: str, text: str) -> str:
    """``text`` with what the font cannot show replaced (U+FFFD, or ``?`` in Windows-1252)."""
    font = pdfmetrics.getFont(font_name)
    if not isinstance(font, TTFont):
        return text.encode("cp1252", errors="replace").decode("cp1252")
    known = font.face.charToGlyph  # code point → glyph
    return "".join(char if ord(char) in known else REPLACEMENT for char in text)


def _wrap(text: str, width: Callable[[str], float], available: float) -> list[str]:
    """``text`` in lines no wider than ``available``, broken between words (inside a word only when it is
    longer than a line). Widths add up (no kerning), so each word is measured once."""
    lines: list[str] = []
    line, line_width = "", 0.0
    space = width(" ")
    for word in text.split():
        word_width = width(word)
        if line and line_width + space + word_width <= available:
            line, line_width = f"{line} {word}", line_width + space + word_width
            continue
        if line:
            lines.append(line)
        while word_width > available and len(word) > 1:
            cut, taken = 1, width(word[0])
            while cut < len(word) - 1 and taken + width(word[cut]) <= available:
                taken += width(word[cut])
                cut += 1
            lines.append(word[:cut])
            word = word[cut:]
            word_width = width(word)
        line, line_width = word, word_width
    lines.append(line)
    return lines


def receipt_pdf(application: Application, journey: Any = None) -> bytes:
    """The receipt of a submitted ``application``, in the active language, as the bytes of a PDF."""
    fonts = _fonts()
    lines = _lines(application, journey)
    title = next(text for style, text in lines if style == "title")
    out = io.BytesIO()
    canvas = Canvas(
        out,
        pagesize=A4,
        pdfVersion=(1, 4),  # the document's /Lang and DisplayDocTitle came with PDF 1.4
        lang=get_language() or settings.LANGUAGE_CODE,
        initialFontName=fonts["regular"],
    )
    canvas.setTitle(f"{title} — {application.procedure.name}")
    canvas.setCreator("oots-portal")
    canvas.setViewerPreference("DisplayDocTitle", "true")
    y = PAGE_HEIGHT - MARGIN
    for number, (style, text) in enumerate(lines):
        weight, size = _STYLES[style]
        font = fonts[weight]
        pieces = _wrap(
            _printable(font, text),
            lambda piece, font=font, size=size: pdfmetrics.stringWidth(piece, font, size),
            PAGE_WIDTH - 2 * MARGIN,
        )
        for index, piece in enumerate(pieces):
            if y < MARGIN + _LEADING:
                canvas.showPage()
                y = PAGE_HEIGHT - MARGIN
            if index == 0 and style in _OUTLINE_LEVELS:
                key = f"line-{number}"
                canvas.bookmarkHorizontal(key, 0, y + size)
                canvas.addOutlineEntry(text, key, level=_OUTLINE_LEVELS[style])
            canvas.setFont(font, size)
            canvas.drawString(MARGIN, y, piece)
            y -= _LEADING + (size - 11)
    canvas.save()
    return out.getvalue()

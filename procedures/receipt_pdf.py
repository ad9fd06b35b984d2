"""The application receipt as a PDF (fpdf2): one or more A4 pages of text.

The text is set in an embedded TrueType font (``procedures.receipt_font``: DejaVu Sans by default, reduced to
the EU's scripts once per deployment), so that names print in every script of the EU's languages and can be
copied, searched and read aloud (fpdf2 writes a ToUnicode map). A character the font lacks prints as U+FFFD.
Lines wrap by their width measured in that font. The document carries its title and language (shown as the
window title; the language lets a screen reader pick its voice) and an outline of its headings. Where the
font cannot be read, the receipt falls back to the PDF standard font Helvetica, which knows Windows-1252 only
(characters outside it print as ``?``; a warning is logged).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.prefs import ViewerPreferences

from procedures.models import Application
from procedures.receipt_font import REPLACEMENT, ReceiptFonts, receipt_fonts

MARGIN = 56  # points, on every side of an A4 page
# Per style: the font's emphasis ("B": bold), its size and the height of a line, in points.
_STYLES = {"title": ("B", 18, 22), "heading": ("B", 13, 17), "text": ("", 11, 15)}
_OUTLINE_LEVELS = {"title": 0, "heading": 1}
_FAMILY = "receipt"


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


def _document(fonts: ReceiptFonts | None) -> FPDF:
    pdf = FPDF(unit="pt", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    pdf.c_margin = 0  # text starts at the page margin, not a cell's padding further in
    if fonts is None:
        pdf.core_fonts_encoding = "windows-1252"
    else:
        pdf.add_font(_FAMILY, "", fonts.regular)
        pdf.add_font(_FAMILY, "B", fonts.bold)
    return pdf


def _printable(pdf: FPDF, text: str) -> str:
    """``text`` with what the current font cannot show replaced (U+FFFD, or ``?`` in Windows-1252)."""
    if not pdf.is_ttf_font:
        return text.encode("cp1252", errors="replace").decode("cp1252")
    known = pdf.current_font.cmap  # code point → glyph, of the font as embedded
    return "".join(char if ord(char) in known else REPLACEMENT for char in text)


def receipt_pdf(application: Application, journey: Any = None) -> bytes:
    """The receipt of a submitted ``application``, in the active language, as the bytes of a PDF."""
    fonts = receipt_fonts()
    pdf = _document(fonts)
    lines = _lines(application, journey)
    title = next(text for style, text in lines if style == "title")
    pdf.set_title(f"{title} — {application.procedure.name}")
    pdf.set_lang(get_language() or settings.LANGUAGE_CODE)
    pdf.viewer_preferences = ViewerPreferences(display_doc_title=True)
    pdf.set_creator("oots-portal")
    pdf.add_page()
    family = "helvetica" if fonts is None else _FAMILY
    for style, text in lines:
        emphasis, size, height = _STYLES[style]
        pdf.set_font(family, emphasis, size)
        if not text:
            pdf.ln(height)
            continue
        if style in _OUTLINE_LEVELS:
            pdf.start_section(text, level=_OUTLINE_LEVELS[style])
        pdf.multi_cell(0, height, _printable(pdf, text), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())

"""The receipt PDF prints every script of the EU's languages (an embedded TrueType subset with a ToUnicode
map, read back here by a PDF reader), wraps long lines within the page, and falls back to Helvetica when the
font is missing."""

from __future__ import annotations

import io
import logging

import pytest
from django.utils import timezone
from pypdf import PdfReader

from procedures import pdf_font
from procedures.models import Application, ApplicationStatus, FormField, Procedure
from procedures.receipt_pdf import receipt_pdf
from tests.factories import make_citizen

pytestmark = pytest.mark.django_db

NAMES = (
    "Παπαδοπούλου Ελένη, Dvořák Jiří, Łukasz Wałęsa, Ștefan Țurcanu, Вълчев Пламен, Kőrösi Ödön, Šķēle Ģirts"
)


def pdf_text(data: bytes) -> str:
    """The text a reader extracts (copy, search, screen readers), pages joined."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _submitted_with_answer(answer: str) -> Application:
    procedure = Procedure.objects.get(code="R1")
    FormField.objects.create(procedure=procedure, key="test_answer", label="Answer", order=999)
    return Application.objects.create(
        user=make_citizen(),
        procedure=procedure,
        data={"test_answer": answer},
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )


def test_names_in_greek_cyrillic_and_accented_latin_are_printed_and_can_be_copied():
    data = receipt_pdf(_submitted_with_answer(NAMES))
    text = " ".join(pdf_text(data).split())  # the answer is wrapped over two lines
    for name in NAMES.split(", "):
        assert name in text
    assert "?" not in text
    assert b"/FontFile2" in data and b"/ToUnicode" in data
    assert len(data) < 150_000  # two subsets of about 35 KB, not whole fonts


def test_a_long_line_is_wrapped_within_the_page(settings):
    words = ["Ευρωπαϊκή", "Ένωση", "Evropská", "unie", "Europäische", "Union"] * 12
    data = receipt_pdf(_submitted_with_answer(" ".join(words)))
    lines = [line for line in pdf_text(data).splitlines() if "Ευρωπαϊκή" in line]
    font = pdf_font.load(settings.OOTS_RECEIPT_FONT)
    assert font is not None
    assert len(lines) > 2
    # Measured in the embedded font at the text size (11 pt): every line ends inside the right margin.
    assert max(font.width(line, 11) for line in lines) <= 595 - 2 * 56
    assert pdf_text(data).split().count("Ευρωπαϊκή") == 12


def test_without_its_font_the_receipt_falls_back_to_helvetica_and_says_so(settings, caplog):
    settings.OOTS_RECEIPT_FONT = "/nonexistent/font.ttf"
    with caplog.at_level(logging.WARNING, logger="procedures.pdf_font"):
        data = receipt_pdf(_submitted_with_answer("Dvořák and Müller"))
    assert b"/BaseFont /Helvetica" in data
    assert "Dvo?ák and Müller" in pdf_text(data)  # Windows-1252 has ü, not ř
    assert "receipt font /nonexistent/font.ttf not found" in caplog.text

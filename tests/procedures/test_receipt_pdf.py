"""The receipt PDF (ReportLab) prints every script of the EU's languages in an embedded font whose glyphs are
really there and whose text a reader can copy (read back here with pypdf, the embedded font programs with
fontTools), wraps long lines by their measured width, carries its title and language, and falls back to
Helvetica when the font is missing or unusable. Its fonts are prepared once per deployment
(``procedures.receipt_font``, ``manage.py prepare_receipt_font``): a receipt uses the prepared file as it is,
a missing one is prepared once for all threads, a changed source font is prepared anew."""

from __future__ import annotations

import io
import logging
import re
import shutil
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone, translation
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from procedures import receipt_font
from procedures.models import Application, ApplicationStatus, FormField, Procedure
from procedures.receipt_pdf import MARGIN, receipt_pdf
from tests.factories import make_citizen

pytestmark = pytest.mark.django_db

NAMES = (
    "Παπαδοπούλου Ελένη, Dvořák Jiří, Łukasz Wałęsa, Ștefan Țurcanu, Вълчев Пламен, Kőrösi Ödön, Šķēle Ģirts"
)
A4_WIDTH = 595.28  # points


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


def _fonts(data: bytes) -> list[DictionaryObject]:
    """Every font the pages use, each once."""
    fonts: dict[int, DictionaryObject] = {}
    for page in PdfReader(io.BytesIO(data)).pages:
        for reference in page["/Resources"]["/Font"].values():
            fonts[reference.idnum] = reference.get_object()
    return list(fonts.values())


def _embedded_program(font: DictionaryObject) -> TTFont:
    """The TrueType program embedded for a font."""
    return TTFont(io.BytesIO(font["/FontDescriptor"]["/FontFile2"].get_object().get_data()))


def _drawn_characters(font: DictionaryObject) -> set[str]:
    """The characters an embedded font draws with an outline of its own: its ToUnicode map gives the
    character of each code, the program's cmap the glyph of each code (a missing glyph has no contours)."""
    program = _embedded_program(font)
    glyph_of_code = program["cmap"].getcmap(1, 0).cmap
    to_unicode = font["/ToUnicode"].get_object().get_data().decode("ascii")
    drawn = set()
    for code, character in re.findall(r"<([0-9A-F]{2,4})> <([0-9A-F]{4,})>", to_unicode):
        glyph = glyph_of_code.get(int(code, 16))
        if glyph is not None and program["glyf"][glyph].numberOfContours != 0:
            drawn.add(bytes.fromhex(character).decode("utf-16-be"))
    return drawn


def _runs(data: bytes) -> list[tuple[str, float, float]]:
    """The text runs of the first page as drawn: (text, x, font size), in the order of the content."""
    runs: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            runs.append((text.strip(), tm[4] * cm[0] + cm[4], size * tm[0] * cm[0]))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return runs


def _advance(font: TTFont, text: str, size: float) -> float:
    """The width of ``text`` at ``size`` points, measured in ``font``."""
    cmap, metrics = font.getBestCmap(), font["hmtx"].metrics
    units = font["head"].unitsPerEm
    return sum(metrics[cmap[ord(char)]][0] for char in text) * size / units


def test_names_in_greek_cyrillic_and_accented_latin_are_printed_embedded_and_can_be_copied():
    data = receipt_pdf(_submitted_with_answer(NAMES))
    text = " ".join(pdf_text(data).split())
    for name in NAMES.split(", "):
        assert name in text
    assert "?" not in text and receipt_font.REPLACEMENT not in text
    fonts = _fonts(data)
    # Only embedded TrueType fonts, each with the map a reader copies text through: no standard font.
    assert {font["/Subtype"] for font in fonts} == {"/TrueType"}
    assert all("/FontFile2" in font["/FontDescriptor"] and "/ToUnicode" in font for font in fonts)
    # Every letter of the names is drawn by a glyph of an embedded program with an outline of its own
    # (not the empty box a missing glyph gets), and copies as itself.
    drawn = set().union(*(_drawn_characters(font) for font in fonts))
    assert set(NAMES) - {" ", ","} <= drawn
    # Subsets of what the receipt shows (at most 256 glyphs each), not whole fonts (6,000 glyphs).
    assert all(len(_embedded_program(font).getGlyphOrder()) <= 257 for font in fonts)
    assert len(data) < 60_000


def test_a_long_line_is_wrapped_by_its_measured_width_within_the_margins(settings):
    words = ["Ευρωπαϊκή", "Ένωση", "Evropská", "unie", "Europäische", "Union", "Щастие", "ĂÂÎȘȚ"] * 9
    data = receipt_pdf(_submitted_with_answer(" ".join(words)))
    runs = [run for run in _runs(data) if set(run[0].split()) <= {*words, "Answer:"}]
    lines = [text for text, _x, _size in runs]
    assert lines[0].startswith("Answer: ") and len(lines) > 3
    assert " ".join(lines).split() == ["Answer:", *words]  # nothing lost, nothing repeated
    font = TTFont(settings.OOTS_RECEIPT_FONT)
    usable = A4_WIDTH - 2 * MARGIN
    for index, (text, x, size) in enumerate(runs):
        assert size == pytest.approx(11)
        assert x == pytest.approx(MARGIN)  # each line starts at the left margin
        assert _advance(font, text, size) <= usable  # and ends inside the right one
        if index + 1 < len(runs):
            # Filled as far as the width allows: the next line's first word did not fit on this one
            # (a wrap by counting characters fails this with words of such different widths).
            next_word = runs[index + 1][0].split()[0]
            assert _advance(font, f"{text} {next_word}", size) > usable


def test_a_word_longer_than_a_line_is_broken_inside_the_margins(settings):
    word = "ŽluťoučkýKůň" * 12  # 144 letters, no space: wider than the page
    data = receipt_pdf(_submitted_with_answer(word))
    runs = _runs(data)
    start = next(index for index, run in enumerate(runs) if run[0].startswith("Answer:"))
    end = next((i for i in range(start + 1, len(runs)) if not set(runs[i][0]) <= set(word)), len(runs))
    runs = runs[start:end]
    assert len(runs) > 2
    assert "".join(text for text, _x, _size in runs) == f"Answer:{word}"  # nothing lost
    font = TTFont(settings.OOTS_RECEIPT_FONT)
    assert all(_advance(font, text, size) <= A4_WIDTH - 2 * MARGIN for text, _x, size in runs)


def test_a_character_outside_the_fonts_prints_as_the_replacement_character():
    data = receipt_pdf(_submitted_with_answer("Wang 王 Fang"))
    assert f"Wang {receipt_font.REPLACEMENT} Fang" in pdf_text(data)


@pytest.mark.django_db(transaction=True)  # the threads read the applications through their own connections
def test_receipts_written_at_once_by_several_threads_each_show_their_own_names():
    # ReportLab keeps each document's font subsets in the font object that all threads share.
    names = ["Παπαδοπούλου Ελένη", "Dvořák Jiří", "Вълчев Пламен", "Łukasz Wałęsa"]
    first = _submitted_with_answer(names[0])
    applications = [first] + [
        Application.objects.create(
            user=make_citizen(),
            procedure=first.procedure,
            data={"test_answer": name},
            status=ApplicationStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
        for name in names[1:]
    ]
    start = threading.Barrier(len(names))
    written: dict[str, bytes] = {}

    def write(name: str, application: Application) -> None:
        try:
            start.wait()
            written[name] = receipt_pdf(application)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=pair) for pair in zip(names, applications, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(written) == len(names)
    for name, data in written.items():
        text = pdf_text(data)
        assert [other for other in names if other in text] == [name]


def test_the_receipt_carries_its_title_language_and_an_outline_of_its_headings():
    application = _submitted_with_answer("Dvořák")
    with translation.override("fr"):
        data = receipt_pdf(application)
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None
    assert reader.metadata.title == "Demande déposée — Demande d'un acte de naissance"
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert [item.title for item in reader.outline[:1]] == ["Demande déposée"]
    assert "Vos réponses" in [item.title for item in reader.outline[1]]


def test_without_its_font_the_receipt_falls_back_to_helvetica_and_says_so(settings, caplog):
    settings.OOTS_RECEIPT_FONT = "/nonexistent/font.ttf"
    with caplog.at_level(logging.WARNING, logger="procedures.receipt_font"):
        data = receipt_pdf(_submitted_with_answer("Dvořák and Müller"))
    fonts = _fonts(data)
    assert {(font["/BaseFont"], font["/Encoding"]) for font in fonts} == {
        ("/Helvetica", "/WinAnsiEncoding"),
        ("/Helvetica-Bold", "/WinAnsiEncoding"),
    }
    assert "Dvo?ák and Müller" in pdf_text(data)  # Windows-1252 has ü, not ř
    assert "receipt font /nonexistent/font.ttf not found" in caplog.text


def test_a_font_file_that_is_no_font_falls_back_to_helvetica_and_says_so(settings, caplog, tmp_path):
    broken = tmp_path / "broken.ttf"
    broken.write_bytes(b"not a font at all" * 100)
    settings.OOTS_RECEIPT_FONT = str(broken)
    settings.OOTS_RECEIPT_FONT_DIR = tmp_path / "prepared"
    with caplog.at_level(logging.WARNING, logger="procedures.receipt_font"):
        data = receipt_pdf(_submitted_with_answer("Müller"))
    assert {font["/BaseFont"] for font in _fonts(data)} == {"/Helvetica", "/Helvetica-Bold"}
    assert "Müller" in pdf_text(data)
    assert "receipt font unusable" in caplog.text


def test_the_prepare_command_reduces_each_font_to_the_eu_scripts(settings, tmp_path):
    settings.OOTS_RECEIPT_FONT_DIR = tmp_path
    out = io.StringIO()
    call_command("prepare_receipt_font", stdout=out)
    prepared = sorted(tmp_path.glob("*.ttf"))
    assert len(prepared) == 2
    assert all(str(path) in out.getvalue() for path in prepared)
    wanted = {code for low, high in receipt_font.RANGES for code in range(low, high + 1)}
    for source in (settings.OOTS_RECEIPT_FONT, settings.OOTS_RECEIPT_FONT_BOLD):
        original = TTFont(source)
        font = TTFont(next(path for path in prepared if path.name.startswith(Path(source).stem + "-")))
        # Exactly the characters of the EU's scripts the source font has (Latin, Greek, Cyrillic, …).
        assert set(font.getBestCmap()) == set(original.getBestCmap()) & wanted
        assert {"ř", "ł", "ș", "ț", "ő", "ķ", "Ω", "ά", "Ж", "ѓ"} <= {chr(c) for c in font.getBestCmap()}
        assert len(font.getGlyphOrder()) < len(original.getGlyphOrder()) / 3
        assert not {"GSUB", "GPOS", "fpgm", "prep"} & set(font.keys())  # no layout tables, no hinting
        assert font["name"].getDebugName(0) == original["name"].getDebugName(0)  # the copyright stays
        assert font["name"].getDebugName(13) == original["name"].getDebugName(13)  # and the licence


def test_a_receipt_embeds_the_prepared_font_as_it_is_and_builds_none(settings, tmp_path):
    settings.OOTS_RECEIPT_FONT_DIR = tmp_path
    call_command("prepare_receipt_font", stdout=io.StringIO())
    regular = tmp_path / receipt_font.prepared_name(Path(settings.OOTS_RECEIPT_FONT))
    # Mark the prepared font: a receipt that embeds the mark read the prepared file, and did not build
    # its font from the source again.
    font = TTFont(regular)
    for record in font["name"].names:
        if record.nameID in (1, 4, 6, 16):  # the names, which the embedded font is named after
            record.string = "PreparedMark"
    font.save(regular)
    before = {path.name: path.stat().st_mtime_ns for path in tmp_path.iterdir()}
    data = receipt_pdf(_submitted_with_answer(NAMES))
    assert any("+PreparedMark" in str(font["/BaseFont"]) for font in _fonts(data))
    assert {path.name: path.stat().st_mtime_ns for path in tmp_path.iterdir()} == before


def test_a_missing_prepared_font_is_prepared_once_for_all_the_threads_asking(settings, tmp_path, caplog):
    settings.OOTS_RECEIPT_FONT_DIR = tmp_path
    start = threading.Barrier(4)
    found: list[receipt_font.ReceiptFonts | None] = []

    def ask() -> None:
        start.wait()
        found.append(receipt_font.receipt_fonts())

    threads = [threading.Thread(target=ask) for _ in range(4)]
    with caplog.at_level(logging.INFO, logger="procedures.receipt_font"):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(found) == 4 and len(set(found)) == 1
    fonts = found[0]
    assert fonts is not None and fonts.regular.parent == fonts.bold.parent == tmp_path
    assert fonts.regular.is_file() and fonts.bold.is_file()
    prepared = [record for record in caplog.records if "prepared as" in record.getMessage()]
    assert len(prepared) == 2  # one build per weight, whoever waited found it made
    assert sorted(path.name for path in tmp_path.glob("*.ttf")) == sorted(
        [fonts.regular.name, fonts.bold.name]
    )


def test_a_changed_source_font_is_prepared_anew(settings, tmp_path):
    source = tmp_path / "Source.ttf"
    shutil.copyfile(settings.OOTS_RECEIPT_FONT, source)
    settings.OOTS_RECEIPT_FONT = str(source)
    settings.OOTS_RECEIPT_FONT_DIR = tmp_path / "prepared"
    first = receipt_font.receipt_fonts()
    shutil.copyfile(settings.OOTS_RECEIPT_FONT_BOLD, source)  # a new version of the font, same path
    second = receipt_font.receipt_fonts()
    assert first is not None and second is not None
    assert first.regular != second.regular
    assert TTFont(second.regular)["OS/2"].usWeightClass == 700  # made from the new file


def test_where_no_font_can_be_prepared_the_receipt_embeds_the_source_font(settings, tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    settings.OOTS_RECEIPT_FONT_DIR = blocker / "receipt-fonts"  # cannot be created, even by root
    with caplog.at_level(logging.WARNING, logger="procedures.receipt_font"):
        data = receipt_pdf(_submitted_with_answer(NAMES))
    assert "could not be prepared" in caplog.text
    text = " ".join(pdf_text(data).split())
    assert all(name in text for name in NAMES.split(", "))
    assert {font["/Subtype"] for font in _fonts(data)} == {"/TrueType"}

"""The French and German catalogues are complete, keep every placeholder, and are served to the browser."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

from procedures.models import Procedure
from tests.conftest import REPO_ROOT

LANGUAGES = ("fr", "de")
PLURAL_FORMS = {"fr": "nplurals=2; plural=(n > 1);", "de": "nplurals=2; plural=(n != 1);"}
# Python named and positional placeholders, and str.format fields.
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{[^{}]*\}")
HTML_TAG = re.compile(r"<[^>]+>")


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(REPO_ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))


def _pairs(entry: polib.POEntry) -> list[tuple[str, str]]:
    """(source, translation) pairs of an entry: one per plural form."""
    if not entry.msgid_plural:
        return [(entry.msgid, entry.msgstr)]
    return [
        (entry.msgid if index == 0 else entry.msgid_plural, text)
        for index, text in sorted(entry.msgstr_plural.items())
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_header_is_correct(language):
    metadata = _catalogue(language).metadata
    assert metadata["Language"] == language
    assert metadata["Plural-Forms"] == PLURAL_FORMS[language]
    assert metadata["Content-Type"] == "text/plain; charset=UTF-8"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    catalogue = _catalogue(language)
    entries = [entry for entry in catalogue if not entry.obsolete]
    assert entries, "empty catalogue"
    untranslated = [entry.msgid for entry in entries if not entry.translated() and "fuzzy" not in entry.flags]
    fuzzy = [entry.msgid for entry in entries if "fuzzy" in entry.flags]
    empty_forms = [
        entry.msgid for entry in entries if entry.msgid_plural and not all(entry.msgstr_plural.values())
    ]
    assert untranslated == []
    assert fuzzy == []
    assert empty_forms == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_translation_keeps_the_placeholders_of_its_source(language):
    wrong = []
    for entry in _catalogue(language):
        if entry.obsolete:
            continue
        for source, translation in _pairs(entry):
            same_placeholders = sorted(PLACEHOLDER.findall(source)) == sorted(
                PLACEHOLDER.findall(translation)
            )
            same_tags = sorted(HTML_TAG.findall(source)) == sorted(HTML_TAG.findall(translation))
            if not (same_placeholders and same_tags):
                wrong.append((source, translation))
    assert wrong == []


@pytest.fixture(scope="module")
def _compiled_catalogues() -> None:
    """The .mo files are build products (``make translations``); compile them when missing or stale."""
    script = Path(REPO_ROOT) / "scripts" / "compile_translations.py"
    subprocess.run([sys.executable, str(script)], check=True, capture_output=True, timeout=120)


HEADINGS = {
    "home": {"fr": "<h1>Démarches transfrontalières</h1>", "de": "<h1>Grenzüberschreitende Verfahren</h1>"},
    # The procedure's name (its <h1>) is data; the page's own headings are translated.
    "procedure": {"fr": "<h2>Faire la demande</h2>", "de": "<h2>Antrag stellen</h2>"},
    "login": {"fr": "<h1>Se connecter</h1>", "de": "<h1>Anmelden</h1>"},
}


def _url(page: str) -> str:
    if page == "procedure":
        procedure = Procedure.objects.filter(published=True).order_by("sort_order", "pk").first()
        assert procedure is not None
        return reverse("procedures:procedure", args=[procedure.code])
    return reverse({"home": "procedures:home", "login": "accounts:login"}[page])


@pytest.mark.django_db
@pytest.mark.usefixtures("_compiled_catalogues")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("page", sorted(HEADINGS))
def test_pages_render_their_heading_in_the_browser_language(client, page, language):
    response = client.get(_url(page), headers={"accept-language": language})
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert HEADINGS[page][language] in html

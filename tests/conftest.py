"""Fixtures shared by the whole suite."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
#: The sample messages the tests use, copied into the repository with their origin and licence (README.md).
DATA_DIR = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """``tests/data``: official and reference sample messages that may be redistributed (see its README)."""
    return DATA_DIR


@pytest.fixture(autouse=True)
def _language_reset():
    """Each test starts and ends in the default language.

    The test client runs requests in the test's own thread, where ``LocaleMiddleware`` activates the
    browser's language and leaves it active: a test after a German page would read German labels.
    """
    from django.utils import translation

    yield
    translation.deactivate()


def _restore_procedures() -> None:
    """The procedures as migrations 0002 (the procedures), 0004_authoring_translations (their names per
    language) and 0004_authority_procedure_authority (their authority) leave them."""
    from django.conf import settings

    from authorities.models import Authority
    from procedures.annex_ii import NAMES
    from procedures.codelist import read_procedure_codes
    from procedures.models import LifeEvent, Procedure

    authority, _ = Authority.objects.get_or_create(
        requester_scheme=settings.OOTS_REQUESTER_SCHEME,
        requester_identifier=settings.OOTS_REQUESTER_ID,
        defaults={"name": settings.OOTS_REQUESTER_NAME, "country": settings.OOTS_PORTAL_COUNTRY},
    )
    common = {
        "authority": authority,
        "country": settings.OOTS_PORTAL_COUNTRY,
        "possibility_for_preview": settings.OOTS_POSSIBILITY_FOR_PREVIEW,
    }
    sdg = importlib.import_module("procedures.migrations.0002_sdg_procedures")
    languages = settings.MODELTRANSLATION_LANGUAGES
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE

    def names(code: str, name: str) -> dict[str, str]:
        # Migration 0004_authoring_translations: the first language's name, then the shipped translations.
        translated = {f"name_{language}": text for language, text in NAMES.get(code, {}).items()}
        return {
            "name": name,
            f"name_{default}": name,
            **{key: value for key, value in translated.items() if key.removeprefix("name_") in languages},
        }

    for position, entry in enumerate(read_procedure_codes(), start=1):
        Procedure.objects.create(
            code=entry.code,
            **names(entry.code, entry.name),
            life_event=entry.life_event,
            published=True,
            sort_order=position,
            **common,
        )
    Procedure.objects.create(
        code="00",
        **names("00", sdg.TEST_PROCEDURE_NAME),
        life_event=LifeEvent.TESTING,
        published=False,
        sort_order=99,
        **common,
    )


@pytest.fixture(autouse=True)
def _reference_data(request: pytest.FixtureRequest) -> None:
    """Put back what data migrations create (the 21 procedures, the owners group) when it is gone.

    A transactional test (live server, real workers) ends with a flush that deletes migration data; the
    tests after it must still find the procedures, as every real database has them.
    """
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")

    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    from procedures.models import Procedure

    if not Procedure.objects.exists():
        _restore_procedures()
    if not Group.objects.filter(name="Procedure owners").exists():
        # The flush re-creates permissions (post_migrate); only the group and its grants are missing.
        owners = importlib.import_module("procedures.migrations.0003_procedure_owners_group")
        group = Group.objects.create(name=owners.GROUP_NAME)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="procedures", codename__in=owners.PERMISSIONS)
        )
        evidence = importlib.import_module("exchanges.migrations.0002_procedure_owners_view_evidence")
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="exchanges", codename__in=evidence.PERMISSIONS)
        )
        # The roles' groups as procedures 0005 leaves them (case workers; owners without applicants' data).
        importlib.import_module("procedures.migrations.0005_authority_casework").assign_groups(apps)
        importlib.import_module("procedures.migrations.0006_authority_notifications").assign_groups(apps)

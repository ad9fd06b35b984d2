"""The journey's data in rows: a requirement met by several documents keeps each document apart (an upload
fills exactly the item it is for), a refused preview is the citizen's choice, and the data migration moves
what drafts kept in ``Application.data`` into the rows."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.files.base import ContentFile
from django.urls import reverse

from exchanges.models import EvidenceRequest, ExchangeState
from exchanges.services import TransitionRefused
from procedures.journey import ItemStatus, Journey
from procedures.journey_services import journey_choose_upload, journey_upload_item
from procedures.models import (
    Application,
    ApplicationFile,
    EvidenceItem,
    EvidenceRoute,
    RequirementChoice,
)
from tests.exchanges.factories import make_exchange
from tests.procedures.test_journey import _application, _citizen_client, _Request

pytestmark = pytest.mark.django_db

rows_migration = importlib.import_module("procedures.migrations.0007_journey_rows")


def _pdf(name: str) -> ContentFile:
    upload = ContentFile(b"%PDF-1.4\n%%EOF\n", name=name)
    upload.sniffed_content_type = "application/pdf"  # what UploadField.clean sets
    return upload


def _diploma_and_supplement(application: Application) -> tuple[EvidenceItem, EvidenceItem]:
    """A requirement met by two documents: the supplement arrived, the diploma was not found."""
    requirement = application.procedure.requirements.get()
    choice = RequirementChoice.objects.create(
        application=application, requirement=requirement, route=EvidenceRoute.OOTS, country="DE"
    )
    diploma, supplement = make_exchange(application=application), make_exchange(application=application)
    EvidenceRequest.objects.filter(pk=diploma.pk).update(
        state=ExchangeState.FAILED, error_code="EDM:ERR:0004"
    )
    EvidenceRequest.objects.filter(pk=supplement.pk).update(state=ExchangeState.RECEIVED)
    return (
        EvidenceItem.objects.create(choice=choice, position=0, title="Diploma", exchange=diploma),
        EvidenceItem.objects.create(
            choice=choice, position=1, title="Diploma supplement", exchange=supplement
        ),
    )


def test_an_upload_for_the_missing_document_keeps_the_document_that_arrived():
    client, user = _citizen_client()
    application = _application(user)
    diploma, supplement = _diploma_and_supplement(application)
    page = client.get(reverse("procedures:journey_step", args=[application.reference, "receive"]))
    html = page.content.decode()
    # One upload offered, for the missing document only.
    assert reverse("procedures:journey_step", args=[application.reference, "upload-item", diploma.pk]) in html
    assert (
        reverse("procedures:journey_step", args=[application.reference, "upload-item", supplement.pk])
        not in html
    )

    journey_upload_item(application=application, item=diploma, upload=_pdf("diploma.pdf"))

    progress = Journey(_Request(user, "substantial"), application).progress[0]
    assert [item.status for item in progress.items] == [ItemStatus.UPLOADED, ItemStatus.RECEIVED]
    assert progress.satisfied
    assert EvidenceItem.objects.get(pk=supplement.pk).exchange.state == ExchangeState.RECEIVED


def test_evidence_that_arrived_is_not_replaced_by_an_upload():
    client, user = _citizen_client()
    application = _application(user)
    _diploma, supplement = _diploma_and_supplement(application)
    url = reverse("procedures:journey_step", args=[application.reference, "upload-item", supplement.pk])
    assert client.get(url).status_code == 404
    assert not ApplicationFile.objects.filter(application=application).exists()


def test_a_refused_preview_is_shown_as_the_citizens_choice_not_as_a_failure():
    client, user = _citizen_client()
    application = _application(user)
    diploma, _supplement = _diploma_and_supplement(application)
    EvidenceRequest.objects.filter(pk=diploma.exchange_id).update(
        error_code="NO_EVIDENCE", preview_location="https://ep.example/preview/1"
    )
    html = client.get(
        reverse("procedures:journey_step", args=[application.reference, "receive"])
    ).content.decode()
    assert "You chose not to share it" in html
    assert "exchange-refused" in html
    assert "exchange-error" not in html


def test_the_migration_moves_the_journey_and_the_uploads_out_of_the_answers():
    _client, user = _citizen_client()
    application = _application(user)
    requirement = application.procedure.requirements.get()
    exchange = make_exchange(application=application)
    application.data = {
        "_journey": {
            str(requirement.pk): {"mode": "oots", "country": "DE", "exchanges": [str(exchange.public_id)]}
        },
        "programme": "Physics",
    }
    application.save()
    other = _application(user)
    other_requirement = other.procedure.requirements.get()
    upload = ApplicationFile.objects.create(
        application=other,
        field_key=f"evidence_{other_requirement.pk}",
        original_name="birth.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
    )
    other.data = {"_journey": {str(other_requirement.pk): {"mode": "upload", "country": "", "exchanges": []}}}
    other.save()

    rows_migration.move_journey_into_rows(django_apps, None)

    application.refresh_from_db()
    assert application.data == {"programme": "Physics"}
    item = EvidenceItem.objects.get(choice__application=application)
    assert (item.choice.route, item.choice.country, item.exchange_id) == ("oots", "DE", exchange.pk)
    other.refresh_from_db()
    assert other.data == {}
    moved = EvidenceItem.objects.get(choice__application=other)
    assert moved.choice.route == "upload"
    assert moved.upload_id == upload.pk
    upload.refresh_from_db()
    assert upload.field_key == ""


def test_the_whole_requirement_cannot_be_uploaded_over_evidence_that_arrived():
    client, user = _citizen_client()
    application = _application(user)
    _diploma, supplement = _diploma_and_supplement(application)
    requirement = application.procedure.requirements.get()
    url = reverse("procedures:journey_step", args=[application.reference, "upload", requirement.pk])
    assert client.get(url).status_code == 404
    with pytest.raises(TransitionRefused):
        journey_choose_upload(application=application, requirement=requirement, upload=_pdf("all.pdf"))
    assert EvidenceItem.objects.get(pk=supplement.pk).exchange.state == ExchangeState.RECEIVED

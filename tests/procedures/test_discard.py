"""A citizen deletes a draft (after a confirmation page) with everything it gathered; drafts left untouched
past OOTS_DRAFT_RETENTION_DAYS are deleted by the daily purge. The exchange log keeps its entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exchanges.models import Evidence, EvidenceRequest, ExchangeLog, OutgoingMessage
from procedures.models import Application, ApplicationStatus, Procedure
from procedures.services import ApplicationNotDraft, application_discard, drafts_purge
from procedures.tasks import purge_expired_data
from tests.exchanges.factories import make_exchange
from tests.factories import make_citizen, make_upload

pytestmark = pytest.mark.django_db(transaction=True)  # files leave the storage after commit


def _draft_with_everything(user=None) -> tuple[Application, list[str]]:  # type: ignore[no-untyped-def]
    application = Application.objects.create(
        user=user or make_citizen(), procedure=Procedure.objects.get(code="R1"), data={"name": "Jan"}
    )
    upload = make_upload(application, "proof", "p.pdf")
    exchange = make_exchange(application=application)
    evidence = Evidence.objects.create(
        evidence_request=exchange, identifier="e1", title="Birth certificate", media_type="application/pdf"
    )
    evidence.file.save("e1", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return application, [upload.file.name, evidence.file.name]


def _gone(application: Application, files: list[str]) -> bool:
    return (
        not Application.objects.filter(pk=application.pk).exists()
        and not EvidenceRequest.objects.filter(application_id=application.pk).exists()
        and not any(default_storage.exists(name) for name in files)
    )


def test_the_citizen_confirms_then_the_draft_is_deleted_with_its_files_and_evidence():
    user = make_citizen()
    application, files = _draft_with_everything(user)
    conversation = EvidenceRequest.objects.get(application=application).conversation_id
    client = Client()
    client.force_login(user)
    url = reverse("procedures:application_discard", args=[application.reference])

    page = client.get(url)
    assert page.status_code == 200
    assert "1 file you uploaded" in page.text and "1 piece of evidence" in page.text
    assert Application.objects.filter(pk=application.pk).exists()  # asking deletes nothing

    answer = client.post(url, follow=True)
    assert answer.redirect_chain[-1][0] == reverse("procedures:applications")
    assert f"Your draft application {application.short_reference} was deleted" in answer.text
    assert _gone(application, files)
    assert not OutgoingMessage.objects.filter(evidence_request__application_id=application.pk).exists()
    kept = ExchangeLog.objects.filter(conversation_id=conversation)
    assert kept.filter(event="discarded", evidence_request__isnull=True).count() == 1
    assert kept.count() > 1  # the earlier entries stay too


def test_a_submitted_application_cannot_be_deleted_by_its_citizen():
    user = make_citizen()
    application, files = _draft_with_everything(user)
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SUBMITTED)
    client = Client()
    client.force_login(user)
    url = reverse("procedures:application_discard", args=[application.reference])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    with pytest.raises(ApplicationNotDraft):
        application_discard(application=application)
    assert all(default_storage.exists(name) for name in files)
    assert Evidence.objects.filter(evidence_request__application=application).count() == 1


def test_the_list_offers_delete_for_drafts_only():
    user = make_citizen()
    draft, _files = _draft_with_everything(user)
    submitted = Application.objects.create(
        user=user, procedure=draft.procedure, status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    client = Client()
    client.force_login(user)
    page = client.get(reverse("procedures:applications")).text
    assert reverse("procedures:application_discard", args=[draft.reference]) in page
    assert reverse("procedures:application_discard", args=[submitted.reference]) not in page


def test_the_daily_purge_deletes_drafts_untouched_past_the_retention(settings):
    settings.OOTS_DRAFT_RETENTION_DAYS = 30
    stale, stale_files = _draft_with_everything()
    fresh, fresh_files = _draft_with_everything()
    Application.objects.filter(pk=stale.pk).update(updated_at=timezone.now() - dt.timedelta(days=31))
    Application.objects.filter(pk=fresh.pk).update(updated_at=timezone.now() - dt.timedelta(days=29))

    assert purge_expired_data()["drafts"] == 1
    assert _gone(stale, stale_files)
    assert Application.objects.filter(pk=fresh.pk).exists()
    assert all(default_storage.exists(name) for name in fresh_files)
    assert drafts_purge(now=timezone.now() + dt.timedelta(days=2)) == 1  # the other one, two days later
    assert _gone(fresh, fresh_files)

"""The data of an application closed past ``OOTS_EVIDENCE_RETENTION_DAYS`` is purged: the evidence its
exchanges brought and what they requested (the exchanges and their log stay). Drafts and recent ones keep
theirs."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from exchanges.models import Evidence, EvidenceRequest
from procedures.models import Application, ApplicationStatus, Procedure
from procedures.services import application_evidence_purge
from tests.exchanges.factories import make_exchange
from tests.factories import make_citizen

pytestmark = pytest.mark.django_db


def _application_with_evidence(submitted_days_ago: int | None) -> EvidenceRequest:
    application = Application.objects.create(
        user=make_citizen(),
        procedure=Procedure.objects.get(code="T2"),
        status=ApplicationStatus.DRAFT if submitted_days_ago is None else ApplicationStatus.SUBMITTED,
        submitted_at=None
        if submitted_days_ago is None
        else timezone.now() - dt.timedelta(days=submitted_days_ago),
    )
    exchange = make_exchange(application=application)
    evidence = Evidence.objects.create(
        evidence_request=exchange, identifier="e1", title="Diploma", media_type="application/pdf"
    )
    evidence.file.save("e1", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return exchange


def test_evidence_of_applications_closed_past_retention_is_deleted(settings):
    settings.OOTS_EVIDENCE_RETENTION_DAYS = 90
    old, recent, draft = (_application_with_evidence(days) for days in (91, 10, None))
    old_file = Evidence.objects.get(evidence_request=old).file.path

    assert application_evidence_purge() == 1

    assert set(Evidence.objects.values_list("evidence_request", flat=True)) == {recent.pk, draft.pk}
    old.refresh_from_db()
    assert old.request_content == {}
    assert EvidenceRequest.objects.filter(pk=old.pk).exists()
    recent.refresh_from_db()
    assert recent.request_content != {}
    assert not os.path.exists(old_file)
    assert (
        application_evidence_purge(now=timezone.now() + dt.timedelta(days=81)) == 1
    )  # the recent one's turn

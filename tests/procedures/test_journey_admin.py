"""The case worker sees an application's evidence in the admin and can download it; nobody else can."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from exchanges.models import Evidence
from procedures.models import Application, ApplicationStatus, Procedure
from tests.exchanges.factories import make_exchange
from tests.factories import make_case_worker, make_citizen

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence() -> Evidence:
    application = Application.objects.create(
        user=make_citizen(), procedure=Procedure.objects.get(code="T2"), status=ApplicationStatus.SUBMITTED
    )
    exchange = make_exchange(application=application)
    item = Evidence.objects.create(
        evidence_request=exchange, identifier="e1", title="Certificate of Birth", media_type="application/pdf"
    )
    item.file.save("e1", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    return item


def test_the_case_worker_sees_the_evidence_on_the_application_page_and_downloads_it(client, evidence):
    client.force_login(make_case_worker())
    application = evidence.evidence_request.application
    page = client.get(reverse("admin:procedures_application_change", args=[application.pk]))
    assert page.status_code == 200
    assert "Certificate of Birth" in page.content.decode()
    download = client.get(reverse("admin:exchanges_evidence_file", args=[evidence.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_staff_without_the_evidence_permission_cannot_download_it(client, evidence):
    from accounts.models import User

    staff = User.objects.create_user(username="clerk", password="x-clerk-password-1", is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:exchanges_evidence_file", args=[evidence.pk])).status_code in (403, 404)

"""What a case worker needs: the applicant as eIDAS asserted them, each document under the requirement it
meets with a download named after its title, the case status with a message, and the export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from accounts.models import EidasIdentity
from exchanges.models import Evidence, EvidenceRequest, ExchangeState
from procedures.casework import evidence_by_requirement
from procedures.models import (
    Application,
    ApplicationStatus,
    CaseStatus,
    CaseStatusChange,
    FieldType,
    Procedure,
    Requirement,
)
from tests.exchanges.factories import make_exchange
from tests.factories import (
    add_field,
    make_authority,
    make_case_worker,
    make_citizen,
    make_evidence_item,
    make_upload,
)

pytestmark = pytest.mark.django_db

BIRTH = "https://sr.oots.tech.ec.europa.eu/requirements/birth"
DIPLOMA = "https://sr.oots.tech.ec.europa.eu/requirements/diploma"


def _identity(user, **extra) -> EidasIdentity:
    return EidasIdentity.objects.create(
        user=user,
        kind=extra.pop("kind", EidasIdentity.Kind.NATURAL),
        country="BE",
        person_identifier="BE/BE/85073100123",
        given_name="Ana",
        family_name="Peeters",
        date_of_birth=dt.date(1985, 7, 31),
        loa="high",
        authenticated_at=timezone.now(),
        **extra,
    )


@pytest.fixture
def application() -> Application:
    procedure = Procedure.objects.get(code="T2")
    add_field(procedure, "programme")
    add_field(procedure, "cv", FieldType.FILE, label="Curriculum vitae")
    birth = Requirement.objects.create(procedure=procedure, identifier=BIRTH, name="Proof of birth", order=1)
    diploma = Requirement.objects.create(
        procedure=procedure, identifier=DIPLOMA, name="Proof of secondary education", order=2
    )
    citizen = make_citizen()
    _identity(citizen)
    application = Application.objects.create(
        user=citizen,
        procedure=procedure,
        data={"programme": "Physics", "_journey": {"x": 1}},
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    exchange = make_exchange(application=application)
    EvidenceRequest.objects.filter(pk=exchange.pk).update(
        requirement=birth,
        state=ExchangeState.RECEIVED,
        provider_name="Civil registry of Leuven",
        provider_country="BE",
    )
    evidence = Evidence.objects.create(
        evidence_request=exchange, identifier="e1", title="Birth certificate", media_type="application/pdf"
    )
    evidence.file.save("e1", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    make_evidence_item(application, birth, exchange=exchange, country="BE")
    make_evidence_item(application, diploma, upload=make_upload(application, "", "diploma-scan.pdf"))
    make_upload(application, "cv", "my-cv.pdf")
    return application


@pytest.fixture
def case_worker_client(client):
    client.force_login(make_case_worker())
    return client


def _page(client, application: Application) -> str:
    response = client.get(reverse("admin:procedures_application_change", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_application_page_shows_the_applicant_as_asserted_by_eidas(case_worker_client, application):
    page = _page(case_worker_client, application)
    for shown in ("Ana", "Peeters", "31 July 1985", "BE/BE/85073100123", "High"):
        assert shown in page
    assert "eidas-" not in page


def test_a_represented_legal_person_and_the_representative_are_shown(case_worker_client, application):
    EidasIdentity.objects.filter(user=application.user).update(
        kind=EidasIdentity.Kind.REPRESENTATIVE,
        legal_name="Peeters BV",
        legal_person_identifier="BE/BE/0123456789",
        representative_given_name="Jan",
        representative_family_name="Janssens",
        representative_person_identifier="BE/BE/70010100155",
    )
    page = _page(case_worker_client, application)
    for shown in ("Peeters BV", "BE/BE/0123456789", "Janssens", "BE/BE/70010100155", "Representative"):
        assert shown in page


def test_each_document_is_grouped_under_the_requirement_it_meets(application):
    groups = evidence_by_requirement(application)
    by_name = {(g.requirement.name if g.requirement else None): g.items for g in groups}
    assert [item.title for item in by_name["Proof of birth"]] == ["Birth certificate"]
    assert by_name["Proof of birth"][0].arrival == "oots"
    assert by_name["Proof of birth"][0].provider == "Civil registry of Leuven"
    assert [item.title for item in by_name["Proof of secondary education"]] == [
        "Proof of secondary education"
    ]
    assert by_name["Proof of secondary education"][0].arrival == "upload"
    assert [item.title for item in by_name[None]] == ["Curriculum vitae"]


def test_the_evidence_downloads_under_its_title_with_the_right_extension(case_worker_client, application):
    evidence = Evidence.objects.get(evidence_request__application=application)
    page = _page(case_worker_client, application)
    url = reverse("admin:procedures_application_evidence", args=[evidence.pk])
    assert url in page
    response = case_worker_client.get(url)
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert 'filename="Birth certificate.pdf"' in response["Content-Disposition"]


def test_the_case_worker_sets_a_case_status_with_a_message_kept_as_history(case_worker_client, application):
    url = reverse("admin:procedures_application_case_status", args=[application.pk])
    case_worker_client.post(url, {"status": CaseStatus.IN_PROGRESS, "message": ""})
    answer = case_worker_client.post(
        url, {"status": CaseStatus.MORE_INFORMATION, "message": "Please send your diploma's translation."}
    )
    assert answer.status_code == 302
    history = list(application.case_history.order_by("changed_at", "pk").values_list("status", "message"))
    assert history == [
        (CaseStatus.IN_PROGRESS, ""),
        (CaseStatus.MORE_INFORMATION, "Please send your diploma's translation."),
    ]
    page = _page(case_worker_client, application)
    assert "More information needed" in page and "diploma&#x27;s translation" in page


def test_more_information_needed_requires_a_message(case_worker_client, application):
    url = reverse("admin:procedures_application_case_status", args=[application.pk])
    case_worker_client.post(url, {"status": CaseStatus.MORE_INFORMATION, "message": "  "})
    assert not CaseStatusChange.objects.filter(application=application).exists()


def test_an_owner_cannot_set_a_case_status(client, application):
    from tests.factories import make_owner

    client.force_login(make_owner())
    url = reverse("admin:procedures_application_case_status", args=[application.pk])
    assert client.post(url, {"status": CaseStatus.GRANTED}).status_code in (403, 404)
    assert not CaseStatusChange.objects.exists()


# --- export --------------------------------------------------------------------------------------------


def _export(client, **query) -> bytes:
    response = client.get(reverse("admin:procedures_application_export"), query)
    assert response.status_code == 200, response.status_code
    assert "no-store" in response["Cache-Control"]
    return response.content


def test_the_json_export_holds_the_applicant_answers_status_and_documents(case_worker_client, application):
    CaseStatusChange.objects.create(application=application, status=CaseStatus.GRANTED, message="Welcome")
    data = json.loads(_export(case_worker_client, format="json"))
    [record] = data["applications"]
    assert record["reference"] == str(application.reference)
    assert record["case_status"] == "granted" and record["case_message"] == "Welcome"
    assert record["answers"] == {"programme": "Physics"}  # not the journey's bookkeeping
    assert record["applicant"]["family name"] == "Peeters"
    assert {(d["requirement"], d["title"], d["arrival"]) for d in record["documents"]} == {
        ("Proof of birth", "Birth certificate", "oots"),
        ("Proof of secondary education", "Proof of secondary education", "upload"),
        ("", "Curriculum vitae", "upload"),
    }


def test_the_csv_export_filters_by_procedure_and_period(case_worker_client, application):
    older = Application.objects.create(
        user=make_citizen(),
        procedure=application.procedure,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now() - dt.timedelta(days=40),
        data={"programme": '=HYPERLINK("http://evil")'},
    )
    Application.objects.create(  # a draft: never exported
        user=make_citizen(), procedure=application.procedure, data={"programme": "draft"}
    )
    today = timezone.localdate()
    rows = list(
        csv.DictReader(
            io.StringIO(
                _export(
                    case_worker_client,
                    format="csv",
                    procedure=application.procedure.pk,
                    submitted_from=(today - dt.timedelta(days=60)).isoformat(),
                    submitted_to=today.isoformat(),
                ).decode("utf-8-sig")
            )
        )
    )
    assert [row["reference"] for row in rows] == [str(older.reference), str(application.reference)]
    assert rows[0]["answer: programme"].startswith("'=")  # no formula for a spreadsheet to run
    recent = _export(
        case_worker_client, format="csv", submitted_from=(today - dt.timedelta(days=5)).isoformat()
    )
    assert str(older.reference) not in recent.decode("utf-8-sig")


def test_the_export_holds_nothing_of_another_authority(client, application):
    other = make_authority("Other authority")
    client.force_login(make_case_worker(authority=other))
    assert json.loads(_export(client, format="json")) == {"applications": []}
    answer = client.get(
        reverse("admin:procedures_application_export"),
        {"format": "json", "procedure": application.procedure.pk},
    )
    assert answer.status_code == 404


def test_the_exchange_pages_evidence_download_is_named_after_its_title_too(case_worker_client, application):
    evidence = Evidence.objects.get(evidence_request__application=application)
    Evidence.objects.filter(pk=evidence.pk).update(
        title="Acte de naissance\u202e/../x", media_type="application/xml"
    )
    response = case_worker_client.get(reverse("admin:exchanges_evidence_file", args=[evidence.pk]))
    assert response.status_code == 200
    b"".join(response.streaming_content)
    # no right-to-left override, no path separator, the type's extension
    assert response["Content-Disposition"] == 'attachment; filename="Acte de naissance ..x.xml"'

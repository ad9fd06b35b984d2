"""The journey's step logic, the preview return address (bound to the exchange and the session, single use),
the retry and its hourly limit, and ownership of exchanges and evidence (another user's is a 404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.eidas.loa import SESSION_LOA_KEY
from accounts.models import EidasIdentity
from exchanges.models import Evidence, EvidenceRequest, ExchangeState
from procedures.journey import Journey
from procedures.journey_services import journey_choose_upload
from procedures.models import Application, ApplicationStatus, FormField, Procedure, Requirement
from procedures.preview_return import return_address_for
from procedures.steps import Flow
from tests.exchanges.factories import make_exchange
from tests.factories import make_citizen
from tests.procedures.test_receipt_pdf import pdf_text

pytestmark = pytest.mark.django_db

BIRTH = "https://sr.oots.tech.ec.europa.eu/requirements/0e056d27-0de3-5279-9f9f-96b1dcdd717b"
PREVIEW = "http://127.0.0.1:8000/sim/ep/preview/abc/"


def _citizen_client(loa: str = "substantial") -> tuple[Client, object]:
    user = make_citizen()
    EidasIdentity.objects.create(
        user=user,
        kind=EidasIdentity.Kind.NATURAL,
        country="BE",
        person_identifier="BE/BE/85073100123",
        given_name="Jan",
        family_name="Peeters",
        date_of_birth=dt.date(1985, 7, 31),
        loa=loa,
        authenticated_at=timezone.now(),
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_LOA_KEY] = loa
    session.save()
    return client, user


class _Request:
    """What the steps read from a request: the user and the session."""

    def __init__(self, user, loa):  # type: ignore[no-untyped-def]
        self.user = user
        self.session = {SESSION_LOA_KEY: loa}


def _application(user, *, with_requirement: bool = True) -> Application:  # type: ignore[no-untyped-def]
    procedure = Procedure.objects.get(code="R1")
    if with_requirement:
        Requirement.objects.get_or_create(
            procedure=procedure, identifier=BIRTH, defaults={"name": "Proof of birth"}
        )
    return Application.objects.create(user=user, procedure=procedure)


def _preview_required(application: Application, version: str = "oots-edm:v1.2") -> EvidenceRequest:
    exchange = make_exchange(application=application, version=version)
    EvidenceRequest.objects.filter(pk=exchange.pk).update(
        state=ExchangeState.PREVIEW_REQUIRED, preview_location=PREVIEW, preview_method="GET"
    )
    exchange.refresh_from_db()
    return exchange


# --- steps ------------------------------------------------------------------------------------------------


def _flow(user, application, loa: str = "substantial") -> Flow:  # type: ignore[no-untyped-def]
    return Flow(Journey(_Request(user, loa), Application.objects.get(pk=application.pk)))


def _states(flow: Flow) -> list[tuple[int, str, str]]:
    return [(number, step.slug, state) for number, step, state, _label in flow.tasks()]


def test_a_procedure_without_requirements_goes_from_login_to_the_check_page():
    _client, user = _citizen_client()
    application = _application(user, with_requirement=False)
    application.procedure.form_fields.all().delete()
    flow = _flow(user, application)
    assert flow.current().slug == "check"
    assert [state for _n, _slug, state in _states(flow)] == [
        "completed",
        "not_needed",
        "not_needed",
        "not_needed",
        "not_needed",
        "not_started",
    ]


def test_a_login_below_the_procedures_level_leaves_the_user_on_the_login_step():
    _client, user = _citizen_client(loa="low")
    flow = _flow(user, _application(user), loa="low")
    assert flow.current().slug == "login"
    assert "loa=substantial" in flow.current().url()


def test_a_requirement_not_chosen_yet_makes_finding_the_evidence_the_current_step():
    _client, user = _citizen_client()
    flow = _flow(user, _application(user))
    assert flow.current().slug == "evidence"
    assert [(n, slug) for n, slug, _state in _states(flow)] == [
        (1, "login"),
        (2, "evidence"),
        (3, "request"),
        (4, "receive"),
        (5, "answers"),
        (6, "check"),
    ]


def test_the_tasks_keep_their_numbers_when_an_upload_makes_requesting_unneeded():
    _client, user = _citizen_client()
    application = _application(user)
    requirement = application.procedure.requirements.get()
    FormField.objects.create(procedure=application.procedure, key="email", label="Email", field_type="email")
    before = [(n, slug) for n, slug, _state in _states(_flow(user, application))]
    upload = ContentFile(b"%PDF-1.4\n%%EOF\n", name="birth.pdf")
    upload.sniffed_content_type = "application/pdf"  # what UploadField.clean sets
    journey_choose_upload(application=application, requirement=requirement, upload=upload)
    flow = _flow(user, application)
    assert flow.journey.progress[0].status == "uploaded"
    assert [(n, slug) for n, slug, _state in _states(flow)] == before
    assert dict((slug, state) for _n, slug, state in _states(flow))["request"] == "not_needed"
    assert flow.current().slug == "answers"


def test_the_owner_can_put_the_form_before_the_evidence():
    _client, user = _citizen_client()
    application = _application(user)
    Procedure.objects.filter(pk=application.procedure_id).update(form_position="before")
    FormField.objects.create(procedure=application.procedure, key="email", label="Email", field_type="email")
    flow = _flow(user, application)
    assert [slug for _n, slug, _state in _states(flow)][:3] == ["login", "answers", "evidence"]
    assert flow.current().slug == "answers"


def test_the_check_page_cannot_be_reached_nor_submitted_while_evidence_is_missing():
    client, user = _citizen_client()
    application = _application(user)
    check = reverse("procedures:journey_step", args=[application.reference, "check"])
    answer = client.post(check)
    assert answer.status_code == 302
    assert answer["Location"] == reverse("procedures:journey_step", args=[application.reference, "evidence"])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT


# --- the preview's return address -----------------------------------------------------------------------


def _return_path(client: Client, exchange: EvidenceRequest) -> str:
    """Go to the preview as the user does; the return address is the ``returnurl`` of the redirect."""
    answer = client.post(reverse("procedures:preview_start", args=[exchange.public_id]))
    assert answer.status_code == 302
    assert answer["Location"].startswith(PREVIEW + "?returnurl=")
    from urllib.parse import parse_qs, urlsplit

    returnurl = parse_qs(urlsplit(answer["Location"]).query)["returnurl"][0]
    return urlsplit(returnurl).path


def test_coming_back_from_the_preview_sends_the_second_request_and_shows_the_status():
    client, user = _citizen_client()
    exchange = _preview_required(_application(user))
    answer = client.get(_return_path(client, exchange))
    assert answer.status_code == 302
    assert answer["Location"] == reverse(
        "procedures:journey_step", args=[exchange.application.reference, "receive"]
    )
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.AWAITING_RESPONSE
    assert exchange.outgoing.get().preview_location == PREVIEW


def test_a_return_address_is_refused_the_second_time():
    client, user = _citizen_client()
    exchange = _preview_required(_application(user))
    path = _return_path(client, exchange)
    client.get(path)
    assert client.get(path).status_code == 400


def test_a_return_address_is_refused_in_another_session_of_the_same_user():
    client, user = _citizen_client()
    exchange = _preview_required(_application(user))
    path = _return_path(client, exchange)
    other = Client()
    other.force_login(user)
    assert other.get(path).status_code == 400
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.PREVIEW_REQUIRED


def test_a_tampered_return_address_is_refused():
    client, user = _citizen_client()
    exchange = _preview_required(_application(user))
    path = _return_path(client, exchange)
    tampered = path.rstrip("/")[:-2] + "xx/"
    assert client.get(tampered).status_code == 400
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.PREVIEW_REQUIRED


def test_the_return_address_is_the_portals_own(rf):
    client, user = _citizen_client()
    exchange = _preview_required(_application(user))
    request = rf.get("/", HTTP_HOST="127.0.0.1:8000")
    request.session = client.session
    assert return_address_for(request, exchange).startswith("http://127.0.0.1:8000/exchanges/return/")


def test_where_the_version_carries_the_return_address_in_the_request_the_preview_is_opened_as_given():
    client, user = _citizen_client()
    exchange = _preview_required(_application(user), version="oots-edm:v2.0")  # ReturnLocation slot
    answer = client.post(reverse("procedures:preview_start", args=[exchange.public_id]))
    assert answer.status_code == 302
    assert answer["Location"] == PREVIEW  # no returnurl parameter added


def test_a_retried_request_carries_a_fresh_return_address_where_the_version_has_the_slot():
    client, user = _citizen_client()
    exchanges = {}
    for version in ("oots-edm:v1.2", "oots-edm:v2.0"):
        exchange = make_exchange(application=_application(user), version=version)
        EvidenceRequest.objects.filter(pk=exchange.pk).update(state=ExchangeState.FAILED)
        client.post(reverse("procedures:exchange_retry", args=[exchange.public_id]))
        exchanges[version] = EvidenceRequest.objects.exclude(pk=exchange.pk).get(edm_version=version)
    assert exchanges["oots-edm:v1.2"].request_content.get("return_location") is None
    returned = exchanges["oots-edm:v2.0"].request_content["return_location"]
    assert returned.startswith("http://testserver/exchanges/return/")


def test_the_citizen_asking_again_too_often_is_told_to_try_later(settings):
    settings.OOTS_EXCHANGE_RETRIES_PER_HOUR = 1
    client, user = _citizen_client()
    application = _application(user)
    failed = make_exchange(application=application)
    EvidenceRequest.objects.filter(pk=failed.pk).update(
        state=ExchangeState.FAILED, explicit_request_at=timezone.now(), error_code="EDM:ERR:0004"
    )
    url = reverse("procedures:exchange_retry", args=[failed.public_id])

    def said(response) -> str:  # type: ignore[no-untyped-def]
        return str(list(get_messages(response.wsgi_request))[-1])  # the latest message

    assert said(client.post(url)) == "The evidence was requested again."
    assert said(client.post(url)) == (
        "This evidence was requested again too often in the last hour. Please try later."
    )
    assert EvidenceRequest.objects.filter(application=application).count() == 2  # no third request


def test_a_preview_location_that_is_not_secure_is_never_opened():
    client, user = _citizen_client()
    exchange = _preview_required(_application(user))
    EvidenceRequest.objects.filter(pk=exchange.pk).update(preview_location="http://evil.example/preview")
    answer = client.post(reverse("procedures:preview_start", args=[exchange.public_id]))
    assert answer["Location"] == reverse(
        "procedures:journey_step", args=[exchange.application.reference, "receive"]
    )


# --- ownership --------------------------------------------------------------------------------------------


def test_another_users_exchange_and_evidence_are_not_found():
    _owner_client, owner = _citizen_client()
    exchange = _preview_required(_application(owner))
    evidence = Evidence.objects.create(
        evidence_request=exchange, identifier="e1", title="Birth certificate", media_type="application/pdf"
    )
    evidence.file.save("e1", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    intruder, _user = _citizen_client()
    assert intruder.get(reverse("procedures:evidence_file", args=[evidence.pk])).status_code == 404
    assert intruder.post(reverse("procedures:preview_start", args=[exchange.public_id])).status_code == 404
    assert intruder.post(reverse("procedures:exchange_retry", args=[exchange.public_id])).status_code == 404
    status = reverse("procedures:evidence_status_json", args=[exchange.application.reference])
    assert intruder.get(status).status_code == 404
    assert (
        intruder.get(
            reverse("procedures:journey_step", args=[exchange.application.reference, "receive"])
        ).status_code
        == 404
    )


def test_the_owner_sees_a_pdf_evidence_inline_in_a_same_origin_frame():
    client, user = _citizen_client()
    exchange = _preview_required(_application(user))
    evidence = Evidence.objects.create(
        evidence_request=exchange, identifier="e1", title="Birth certificate", media_type="application/pdf"
    )
    evidence.file.save("e1", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    answer = client.get(reverse("procedures:evidence_file", args=[evidence.pk]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("inline")
    assert answer["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(answer.streaming_content).startswith(b"%PDF")
    assert client.get(reverse("procedures:home"))["X-Frame-Options"] == "DENY"


def test_the_status_json_lists_each_exchange_and_whether_an_answer_is_awaited():
    client, user = _citizen_client()
    exchange = _preview_required(_application(user))
    data = client.get(
        reverse("procedures:evidence_status_json", args=[exchange.application.reference])
    ).json()
    assert data["exchanges"] == [
        {
            "id": str(exchange.public_id),
            "state": "preview_required",
            "label": "Preview required",
            "evidence": exchange.evidence_type_title,
        }
    ]
    assert data["pending"] is False


def test_the_receipt_of_a_submitted_application_downloads_as_a_pdf():
    client, user = _citizen_client()
    application = _application(user)
    Application.objects.filter(pk=application.pk).update(
        status=ApplicationStatus.SUBMITTED, submitted_at=timezone.now()
    )
    answer = client.get(reverse("procedures:application_receipt_pdf", args=[application.reference]))
    assert answer.status_code == 200
    assert answer.content.startswith(b"%PDF-1.4")
    assert answer.content.rstrip().endswith(b"%%EOF")
    assert "Proof of birth" in pdf_text(answer.content)


def test_structured_evidence_is_shown_as_labelled_rows():
    from procedures.evidence_display import xml_rows

    _client, user = _citizen_client()
    exchange = _preview_required(_application(user))
    evidence = Evidence.objects.create(
        evidence_request=exchange, identifier="x", title="Diploma", media_type="application/xml"
    )
    evidence.file.save(
        "x",
        ContentFile(
            b"<Diploma xmlns='urn:x'><Holder><FamilyName>Peeters</FamilyName></Holder>"
            b"<Grade>A</Grade></Diploma>"
        ),
    )
    assert xml_rows(evidence) == [("Holder > Family name", "Peeters"), ("Grade", "A")]

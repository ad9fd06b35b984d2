"""The Evidence Provider simulator: each scenario's answer is valid EDM of the request's version; scenarios
are chosen by override, person or evidence type; the preview space works over HTTP."""

from __future__ import annotations

import dataclasses
import re
import uuid

import pytest
import requests

from oots_client.access_point import ebms, soap
from oots_client.edm import (
    Distribution,
    EdmError,
    ErrorResponse,
    EvidenceResponse,
    NaturalPerson,
    ResponseStatus,
    parse_message,
    validate,
)
from oots_client.edm.examples import EVIDENCE, PERSON, example_request
from simulators.access_point import services as access_point
from simulators.access_point.models import ApMessage, Direction
from simulators.access_point.testing import request_message
from simulators.evidence_provider import services
from simulators.evidence_provider.models import PreviewSession, ProviderRequest
from simulators.evidence_provider.scenarios import Scenario

VERSIONS = ["oots-edm:v1.0", "oots-edm:v1.2", "oots-edm:v2.0"]


@pytest.fixture(autouse=True)
def _provider_settings(settings):
    settings.OOTS_SIMULATOR_BASE_URL = "https://sim.example.test"  # https: the answers validate in full
    settings.OOTS_EP_SIM_DEFAULT_SCENARIO = "immediate"
    settings.OOTS_EP_SIM_UNAVAILABLE_SECONDS = 30
    settings.OOTS_AP_SIM_PUSH = False


def _receive(scenario: Scenario | None, version: str = "oots-edm:v1.2", request=None, **kwargs):
    message = request_message(request or example_request(), version, **kwargs)
    if scenario is not None:
        services.override_create(scenario=scenario, conversation_id=message.header.conversation_id)
    return message, services.request_receive(message=message, message_id=message.header.message_id)


def _errors(data: bytes) -> list:
    return [finding for finding in validate(data) if finding.severity == "error"]


@pytest.mark.django_db
@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("scenario", "media_types"),
    [
        (Scenario.IMMEDIATE, ["application/pdf"]),
        (Scenario.SEVERAL_ATTACHMENTS, ["application/pdf", "application/pdf", "image/png"]),
        (Scenario.STRUCTURED_XML, ["application/xml"]),
    ],
)
def test_evidence_scenarios_answer_valid_edm_whose_cids_are_the_attachments(version, scenario, media_types):
    message, [answer] = _receive(scenario, version)
    response = parse_message(answer.regrep)
    assert isinstance(response, EvidenceResponse) and response.status is ResponseStatus.SUCCESS
    assert (response.version, response.request_id) == (
        version,
        parse_message(message.payloads[0].data).request_id,
    )
    assert _errors(answer.regrep) == []
    cids = [item.attachment.href for item in response.evidences]
    assert cids == [payload.cid for payload in answer.attachments]
    assert [payload.mime_type for payload in answer.attachments] == media_types
    assert [item.metadata.distribution.format for item in response.evidences] == media_types
    for payload in answer.attachments:
        magic = {"application/pdf": b"%PDF-", "image/png": b"\x89PNG", "application/xml": b"<?xml"}
        assert payload.data.startswith(magic[payload.mime_type])


@pytest.mark.django_db
@pytest.mark.parametrize("version", VERSIONS)
def test_not_found_answers_edm_err_0004(version):
    _, [answer] = _receive(Scenario.NOT_FOUND, version)
    error = parse_message(answer.regrep)
    assert isinstance(error, ErrorResponse) and answer.error
    assert [(e.code, e.type) for e in error.exceptions] == [("EDM:ERR:0004", "ObjectNotFoundExceptionType")]
    assert _errors(answer.regrep) == []


@pytest.mark.django_db
@pytest.mark.parametrize("version", VERSIONS)
def test_preview_answers_edm_err_0002_with_the_preview_space_address(version):
    _, [answer] = _receive(Scenario.PREVIEW, version)
    error = parse_message(answer.regrep)
    [exception] = error.exceptions
    assert (exception.code, exception.is_preview_required, exception.preview_method) == (
        "EDM:ERR:0002",
        True,
        "GET",
    )
    assert re.fullmatch(r"https://sim\.example\.test/sim/ep/preview/[\w-]+/", exception.preview_location)
    assert {text.lang for text in exception.preview_description} == {"EN", "FR", "DE"}
    assert _errors(answer.regrep) == []


@pytest.mark.django_db
@pytest.mark.parametrize("version", VERSIONS)
def test_unavailable_answers_at_once_then_the_evidence_at_the_promised_time(version):
    _, [now, later] = _receive(Scenario.UNAVAILABLE, version)
    unavailable, evidence = parse_message(now.regrep), parse_message(later.regrep)
    assert unavailable.status is ResponseStatus.UNAVAILABLE and now.available_at is None
    assert unavailable.response_available_datetime == later.available_at
    assert evidence.status is ResponseStatus.SUCCESS and len(evidence.evidences) == 1
    assert _errors(now.regrep) == [] and _errors(later.regrep) == []


@pytest.mark.django_db
def test_timeout_never_answers():
    assert _receive(Scenario.TIMEOUT)[1] == []


@pytest.mark.django_db
def test_malformed_answer_is_a_broken_regrep_payload():
    _, [answer] = _receive(Scenario.MALFORMED)
    assert not answer.error
    with pytest.raises(EdmError):
        parse_message(answer.regrep)


@pytest.mark.django_db
def test_unreadable_request_gets_an_invalid_request_error_without_request_id():
    message = request_message(example_request())
    broken = dataclasses.replace(message, payloads=(dataclasses.replace(message.payloads[0], data=b"<nope"),))
    [answer] = services.request_receive(message=broken, message_id=message.header.message_id)
    error = parse_message(answer.regrep)
    assert (error.request_id, error.exceptions[0].code) == (None, "EDM:ERR:0003")


# --- how the scenario is chosen --------------------------------------------------------------------------


def _person(**changes) -> object:
    return dataclasses.replace(example_request(), subject=dataclasses.replace(PERSON, **changes))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "scenario", "source"),
    [
        ({"family_name": "Not Found"}, "not-found", "person name"),
        ({"given_name": "Preview_Refused"}, "preview-refused", "person name"),
        (
            {"identifier": dataclasses.replace(PERSON.identifier, value="FR/BE/3bd9a5f1c2e04d7a")},
            "preview",
            "persona",
        ),
        ({}, "immediate", "default"),
    ],
)
def test_scenario_is_chosen_by_the_person(changes, scenario, source):
    message, _ = _receive(None, request=_person(**changes))
    record = ProviderRequest.objects.get(message_id=message.header.message_id)
    assert (record.scenario, record.scenario_source) == (scenario, source)


@pytest.mark.django_db
def test_a_structured_evidence_type_gets_structured_xml():
    evidence = dataclasses.replace(EVIDENCE, distribution=Distribution(format="application/xml"))
    _, [answer] = _receive(None, request=dataclasses.replace(example_request(), evidence=evidence))
    assert [payload.mime_type for payload in answer.attachments] == ["application/xml"]


@pytest.mark.django_db
def test_an_override_for_the_next_request_of_a_person_is_used_once():
    services.override_create(scenario=Scenario.NOT_FOUND, person=PERSON.identifier.value, uses=1)
    first, _ = _receive(None)
    second, _ = _receive(None)
    scenarios = [
        ProviderRequest.objects.get(message_id=m.header.message_id).scenario for m in (first, second)
    ]
    assert scenarios == ["not-found", "immediate"]


@pytest.mark.django_db
def test_a_conversation_override_wins_over_a_person_override():
    conversation = str(uuid.uuid4())
    services.override_create(scenario=Scenario.NOT_FOUND, person="Smith", uses=None)
    services.override_create(scenario=Scenario.TIMEOUT, conversation_id=conversation)
    _, answers = _receive(None, conversation_id=conversation)
    assert answers == [] and ProviderRequest.objects.get().scenario_source == "override"


@pytest.mark.django_db
def test_the_same_request_delivered_twice_keeps_its_scenario_and_preview_space():
    message, [first] = _receive(Scenario.PREVIEW)
    [again] = services.request_receive(message=message, message_id=message.header.message_id)
    location = parse_message(first.regrep).exceptions[0].preview_location
    assert parse_message(again.regrep).exceptions[0].preview_location == location
    assert PreviewSession.objects.count() == 1 and ProviderRequest.objects.count() == 1


@pytest.mark.django_db
def test_scenario_control_endpoint_adds_lists_and_clears_overrides(client, settings):
    settings.OOTS_AP_USERNAME, settings.OOTS_AP_PASSWORD = "portal", "pw"
    assert client.get("/sim/ep/control/scenarios").status_code == 401
    auth = {"HTTP_AUTHORIZATION": "Basic cG9ydGFsOnB3"}  # portal:pw
    created = client.post(
        "/sim/ep/control/scenarios",
        data={"scenario": "preview refused", "person": "Smith"},
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201 and created.json()["scenario"] == "preview-refused"
    bad = client.post(
        "/sim/ep/control/scenarios", data={"scenario": "x"}, content_type="application/json", **auth
    )
    assert bad.status_code == 400 and "immediate" in bad.json()["scenarios"]
    listed = client.get("/sim/ep/control/scenarios", **auth).json()
    assert [o["person"] for o in listed["overrides"]] == ["Smith"] and len(listed["scenarios"]) == 10
    assert client.delete("/sim/ep/control/scenarios", **auth).json() == {"deleted": 1}


# --- the preview space, over HTTP ---------------------------------------------------------------------


def _submit_and_deliver(request, version: str, conversation_id: str) -> str:
    message = request_message(request, version, conversation_id=conversation_id)
    message_id, _ = access_point.message_submit(envelope=soap.submit_request(message), message=message)
    access_point.submitted_deliver(message_pk=ApMessage.objects.get(message_id=message_id).pk)
    return message_id


def _answers_to(message_id: str) -> list:
    answers = ApMessage.objects.filter(direction=Direction.INBOUND, ref_to_message_id=message_id)
    return [
        parse_message(ebms.regrep_payload(soap.read_message(soap.parse_envelope(a.envelope_bytes()))).data)
        for a in answers
    ]


def _decide(preview_location: str, decision: str, returnurl: str | None) -> requests.Response:
    session = requests.Session()
    params = {"returnurl": returnurl} if returnurl else {}
    page = session.get(preview_location, params=params, timeout=10)
    assert page.status_code == 200 and "Certificate of Birth" in page.text
    assert session.get(preview_location + "document", timeout=10).content.startswith(b"%PDF-")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        preview_location,
        data={"csrfmiddlewaretoken": token, "decision": decision, "returnurl": returnurl or ""},
        allow_redirects=False,
        timeout=10,
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("version", "decision", "return_location"),
    [
        ("oots-edm:v1.2", "accept", None),
        ("oots-edm:v1.0", "refuse", None),
        ("oots-edm:v2.0", "accept", "https://portal.example.test/exchanges/return/abc/"),
    ],
)
def test_preview_flow_the_second_request_waits_for_the_users_choice(
    live_server, settings, version, decision, return_location
):
    settings.OOTS_SIMULATOR_BASE_URL = live_server.url
    settings.OOTS_PUBLIC_BASE_URL = "https://portal.example.test"  # the only return addresses followed
    conversation = str(uuid.uuid4())
    services.override_create(scenario=Scenario.PREVIEW, conversation_id=conversation)
    first_request = dataclasses.replace(example_request(), return_location=return_location)
    first_id = _submit_and_deliver(first_request, version, conversation)
    [preview] = _answers_to(first_id)
    location = preview.exceptions[0].preview_location
    assert location.startswith(f"{live_server.url}/sim/ep/preview/")

    second_request = dataclasses.replace(
        first_request,
        request_id=f"urn:uuid:{uuid.uuid4()}",
        preview_location=location.replace("http://", "https://"),
    )
    second_id = _submit_and_deliver(second_request, version, conversation)
    assert _answers_to(second_id) == []  # the user has not decided yet

    returnurl = (
        "https://portal.example.test/exchanges/return/xyz/"
        if return_location is None
        else "http://ignored.test/"
    )
    response = _decide(location, decision, returnurl)
    assert (response.status_code, response.headers["Location"]) == (302, return_location or returnurl)

    [answer] = _answers_to(second_id)
    assert isinstance(answer, EvidenceResponse) and answer.request_id == second_request.request_id
    assert len(answer.evidences) == (1 if decision == "accept" else 0)  # a refusal is an empty Success
    assert _errors(ebms_regrep(second_id)) == []


def ebms_regrep(request_message_id: str) -> bytes:
    answer = ApMessage.objects.get(direction=Direction.INBOUND, ref_to_message_id=request_message_id)
    return ebms.regrep_payload(soap.read_message(soap.parse_envelope(answer.envelope_bytes()))).data


@pytest.mark.django_db
def test_preview_refused_answers_the_second_request_at_once_with_nothing():
    conversation = str(uuid.uuid4())
    services.override_create(scenario=Scenario.PREVIEW_REFUSED, conversation_id=conversation)
    first_id = _submit_and_deliver(example_request(), "oots-edm:v1.2", conversation)
    location = _answers_to(first_id)[0].exceptions[0].preview_location
    second = dataclasses.replace(
        example_request(), request_id=f"urn:uuid:{uuid.uuid4()}", preview_location=location
    )
    [answer] = _answers_to(_submit_and_deliver(second, "oots-edm:v1.2", conversation))
    assert answer.status is ResponseStatus.SUCCESS and answer.evidences == ()


@pytest.mark.django_db
def test_an_unknown_preview_location_is_an_unresolved_reference():
    request = dataclasses.replace(
        example_request(), preview_location="https://sim.example.test/sim/ep/preview/unknown-token-1234/"
    )
    _, [answer] = _receive(None, request=request)
    assert parse_message(answer.regrep).exceptions[0].code == "EDM:ERR:0006"


def test_persona_table_names_existing_scenarios():
    from simulators.evidence_provider.scenarios import PERSONA_SCENARIOS

    assert set(PERSONA_SCENARIOS.values()) <= set(Scenario)
    assert isinstance(PERSON, NaturalPerson)

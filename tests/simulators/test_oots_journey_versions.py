"""``manage.py oots_journey --edm-version V``: every scenario of the citizen's journey in every EDM version,
through the portal's pages, a live server, a real worker and the simulators (issue 17 item 1)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from exchanges.models import EvidenceRequest, ExchangeState
from oots_client.access_point.inspect import inspect_message
from procedures.models import Application, ApplicationStatus
from simulators.access_point.models import ApMessage
from simulators.access_point.testing import celery_worker
from simulators.evidence_provider.models import PreviewSession, ProviderRequest
from tests.journey_support import SAML_LIBRARIES_UTCNOW, procedure_with_requirements, wire_to_live_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.filterwarnings(SAML_LIBRARIES_UTCNOW)]

VERSIONS = ("v1.0", "v1.1", "v1.2", "v2.0")
SCENARIOS = ("immediate", "preview", "preview-refused", "not-found")


@pytest.fixture(autouse=True)
def _wired(settings, live_server):
    wire_to_live_server(settings, live_server)


def _journey(live_server, *args: str) -> str:
    out = io.StringIO()
    try:
        with celery_worker():
            call_command(
                "oots_journey",
                *args,
                "--base-url",
                live_server.url,
                "--timeout",
                "30",
                stdout=out,
            )
    finally:
        print(out.getvalue())  # shown by pytest when the test fails
    return out.getvalue()


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("version", VERSIONS)
def test_every_scenario_passes_in_every_edm_version(live_server, version, scenario):
    procedure_with_requirements("T2")
    output = _journey(live_server, "--edm-version", version, "--scenario", scenario)

    assert "journey ok" in output
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED
    exchanges = EvidenceRequest.objects.all()
    assert exchanges and {e.edm_version for e in exchanges} == {f"oots-edm:{version}"}
    # what the provider read, and every answer's ebMS SpecificationId property, in that version
    conversations = [e.conversation_id for e in exchanges]
    assert {r.version for r in ProviderRequest.objects.filter(conversation_id__in=conversations)} == {
        f"oots-edm:{version}"
    }
    answers = ApMessage.objects.filter(conversation_id__in=conversations, direction="inbound")
    read = [inspect_message(bytes(m.envelope))["payloads"][0] for m in answers]
    assert read and {payload["version"] for payload in read} == {f"oots-edm:{version}"}
    if version == "v2.0" and scenario.startswith("preview"):  # the return address went as ReturnLocation
        sessions = PreviewSession.objects.filter(first_request__conversation_id__in=conversations)
        assert sessions and all(s.return_location for s in sessions)
    expected = ExchangeState.RECEIVED if scenario in ("immediate", "preview") else ExchangeState.FAILED
    assert {e.state for e in exchanges} == {expected}


def test_v20_preview_travels_with_return_location_and_a_post_preview_is_handed_over_by_post(live_server):
    procedure_with_requirements("T2")
    output = _journey(live_server, "--edm-version", "v2.0", "--scenario", "preview-post")

    assert "journey ok" in output
    assert "reached by POST" in output
    exchanges = EvidenceRequest.objects.all()
    assert {(e.edm_version, e.preview_method, e.state) for e in exchanges} == {
        ("oots-edm:v2.0", "POST", ExchangeState.RECEIVED)
    }
    # the return address went in the request (ReturnLocation), and the provider sent the user back to it
    sessions = PreviewSession.objects.filter(
        first_request__conversation_id__in=[e.conversation_id for e in exchanges]
    )
    assert sessions and all("/exchanges/return/" in s.return_location for s in sessions)

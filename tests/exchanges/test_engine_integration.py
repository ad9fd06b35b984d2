"""The exchange engine end to end: a real Celery worker, the access-point and provider simulators over
real HTTP (live server), push notifications to /oots/backend/ or polling."""

from __future__ import annotations

import time

import pytest

from exchanges import services
from exchanges.models import (
    Evidence,
    EvidenceRequest,
    ExchangeState,
    IncomingMessage,
    IncomingReason,
    IncomingState,
)
from exchanges.tasks import check_sent_messages, fetch_incoming_message, poll_access_point, sweep_exchanges
from simulators.access_point import services as ap_sim
from simulators.access_point.models import ApSubmission
from simulators.access_point.testing import celery_worker
from simulators.evidence_provider import services as ep_sim
from simulators.evidence_provider.scenarios import Scenario
from tests.exchanges.factories import PROVIDER_AP, make_exchange

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _wired_to_the_live_server(settings, live_server):
    settings.OOTS_SIMULATOR_BASE_URL = live_server.url
    settings.OOTS_AP_URL = f"{live_server.url}/sim/ap/services/wsplugin"
    settings.OOTS_AP_SIM_BACKEND_URL = f"{live_server.url}/oots/backend/"
    settings.OOTS_AP_SIM_PUSH = True
    settings.OOTS_AP_SIM_PUSH_BACKOFF_SECONDS = 0.05
    settings.OOTS_EP_SIM_DEFAULT_SCENARIO = "immediate"
    settings.OOTS_SEND_BACKOFF_CAP_SECONDS = 1


def _wait_for_state(exchange: EvidenceRequest, *states: str, timeout: float = 30.0) -> EvidenceRequest:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        exchange.refresh_from_db()
        if exchange.state in states:
            return exchange
        time.sleep(0.05)
    raise AssertionError(f"exchange stayed {exchange.state}, expected {states}")


def _request(scenario: str | None = None) -> EvidenceRequest:
    exchange = make_exchange()
    if scenario:
        ep_sim.override_create(scenario=Scenario(scenario), conversation_id=exchange.conversation_id)
    services.evidence_request_give_explicit_request(evidence_request=exchange)
    return exchange


def _submissions(exchange: EvidenceRequest) -> list[str]:
    ids = exchange.outgoing.values_list("ebms_message_id", flat=True)
    return list(
        ApSubmission.objects.filter(message__message_id__in=list(ids)).values_list(
            "message__message_id", flat=True
        )
    )


def test_immediate_evidence_is_pushed_retrieved_and_stored():
    with celery_worker():
        exchange = _wait_for_state(_request(), ExchangeState.RECEIVED)
    evidence = Evidence.objects.get(evidence_request=exchange)
    with evidence.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    incoming = IncomingMessage.objects.get(evidence_request=exchange)
    assert incoming.downloaded
    assert len(_submissions(exchange)) == 1


def test_with_push_off_the_poll_finds_the_answer(settings):
    settings.OOTS_AP_SIM_PUSH = False
    with celery_worker():
        exchange = _wait_for_state(_request(), ExchangeState.SENT)
        deadline = time.monotonic() + 30
        while exchange.state != ExchangeState.RECEIVED and time.monotonic() < deadline:
            poll_access_point()
            time.sleep(0.3)
            exchange.refresh_from_db()
    assert exchange.state == ExchangeState.RECEIVED
    assert IncomingMessage.objects.get(evidence_request=exchange).downloaded


def test_preview_flow_sends_a_second_request_and_receives_after_acceptance(client):
    with celery_worker():
        exchange = _wait_for_state(_request("preview"), ExchangeState.PREVIEW_REQUIRED)
        token = ep_sim.token_from(exchange.preview_location)
        services.evidence_request_after_preview(evidence_request=exchange)
        ep_sim.preview_decide(token=token, accept=True)
        exchange = _wait_for_state(exchange, ExchangeState.RECEIVED)
    second = exchange.outgoing.order_by("created_at").last()
    assert second.preview_location == exchange.preview_location
    assert Evidence.objects.filter(evidence_request=exchange).exists()


def test_a_refused_preview_ends_without_evidence():
    with celery_worker():
        exchange = _wait_for_state(_request("preview"), ExchangeState.PREVIEW_REQUIRED)
        ep_sim.preview_decide(token=ep_sim.token_from(exchange.preview_location), accept=False)
        services.evidence_request_after_preview(evidence_request=exchange)
        exchange = _wait_for_state(exchange, ExchangeState.FAILED)
    assert exchange.error_code == "NO_EVIDENCE"


@pytest.mark.parametrize(
    ("scenario", "state", "code"),
    [
        ("not-found", ExchangeState.FAILED, "EDM:ERR:0004"),
        ("several-attachments", ExchangeState.RECEIVED, ""),
        ("structured-xml", ExchangeState.RECEIVED, ""),
    ],
)
def test_each_provider_scenario_ends_in_its_state(scenario, state, code):
    with celery_worker():
        exchange = _wait_for_state(_request(scenario), state)
    assert exchange.error_code == code


def test_a_malformed_answer_is_refused_and_the_exchange_keeps_waiting():
    with celery_worker():
        exchange = _request("malformed")
        deadline = time.monotonic() + 30
        refused = IncomingMessage.objects.filter(
            evidence_request=exchange, state=IncomingState.REFUSED, downloaded=True
        )
        while not refused.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    assert refused.get().reason == IncomingReason.UNREADABLE
    exchange.refresh_from_db()
    # Anyone could have sent an unreadable message: it proves nothing, so it ends nothing (the deadline will).
    assert (exchange.state, exchange.error_code) == (ExchangeState.SENT, "")
    assert not Evidence.objects.filter(evidence_request=exchange).exists()


def test_unavailable_waits_then_receives(settings):
    settings.OOTS_EP_SIM_UNAVAILABLE_SECONDS = 1
    with celery_worker():
        exchange = _wait_for_state(_request("unavailable"), ExchangeState.AWAITING_RESPONSE)
        assert exchange.response_available_at is not None
        _wait_for_state(exchange, ExchangeState.RECEIVED)


def test_a_provider_that_never_answers_times_out_through_the_sweep():
    with celery_worker():
        exchange = _wait_for_state(_request("timeout"), ExchangeState.SENT)
        EvidenceRequest.objects.filter(pk=exchange.pk).update(deadline=exchange.created_at)
        assert sweep_exchanges()["timed_out"] == 1
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.TIMED_OUT


def test_an_access_point_down_for_a_while_gets_the_request_later_once():
    ap_sim.control_update(available=False)
    with celery_worker():
        exchange = _request()
        deadline = time.monotonic() + 20
        while not exchange.outgoing.get().attempts >= 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert exchange.outgoing.get().attempts >= 2
        ap_sim.control_update(available=True)
        exchange = _wait_for_state(exchange, ExchangeState.RECEIVED)
    assert len(_submissions(exchange)) == 1


def test_an_answer_pushed_twice_is_processed_once():
    with celery_worker():
        exchange = _wait_for_state(_request(), ExchangeState.RECEIVED)
        incoming = IncomingMessage.objects.get(evidence_request=exchange)
        # The same notification again (Domibus re-pushes after a lost answer), then a poll that lists it.
        services.incoming_announce(ebms_message_id=incoming.ebms_message_id, source="push")
        assert fetch_incoming_message.apply(args=[incoming.ebms_message_id]).get() == "not claimed"
    assert Evidence.objects.filter(evidence_request=exchange).count() == 1


def test_with_push_off_an_undeliverable_request_fails_through_the_status_check_in_seconds(settings):
    settings.OOTS_AP_SIM_PUSH = False  # no sendFailure push: only asking the access point tells
    settings.OOTS_SEND_STATUS_AFTER_SECONDS = 1
    ap_sim.control_update(unreachable_parties=[PROVIDER_AP.value])
    with celery_worker():
        exchange = _wait_for_state(_request(), ExchangeState.SENT)
        submitted = exchange.outgoing.get().submitted_at
        deadline = time.monotonic() + 30
        while exchange.state == ExchangeState.SENT and time.monotonic() < deadline:
            check_sent_messages()  # as beat sends it (every OOTS_SEND_STATUS_AFTER_SECONDS / 2)
            time.sleep(0.5)
            exchange.refresh_from_db()
    assert (exchange.state, exchange.error_code) == (ExchangeState.FAILED, "AS4_DELIVERY_FAILED")
    assert "EBMS_0005" in exchange.error_message  # Domibus's error, from getMessageErrors
    # Far from the 15-minute deadline: the first check after OOTS_SEND_STATUS_AFTER_SECONDS found it.
    assert (exchange.completed_at - submitted).total_seconds() < 15
    assert exchange.outgoing.get().access_point_status == "SEND_FAILURE"

"""``manage.py oots_exchange`` against a live portal: Common Services, engine, worker, simulators."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from exchanges.models import EvidenceRequest, ExchangeState
from simulators.access_point.models import ApSubmission
from simulators.access_point.testing import celery_worker
from tests.journey_support import wire_to_live_server

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _portal_on_the_live_server(settings, live_server):
    wire_to_live_server(settings, live_server)
    settings.OOTS_CS_RETRIES = 1


def _run(live_server, scenario: str, country: str = "DE") -> str:
    out = io.StringIO()
    call_command(
        "oots_exchange",
        procedure="T2",
        country=country,
        scenario=scenario,
        base_url=live_server.url,
        timeout=30,
        stdout=out,
    )
    return out.getvalue()


def test_immediate_exchange_prints_each_state_and_ends_received(live_server):
    with celery_worker():
        output = _run(live_server, "immediate")
    exchange = EvidenceRequest.objects.get()
    assert exchange.state == ExchangeState.RECEIVED
    assert exchange.application.procedure.code == "T2"
    assert exchange.provider_country == "DE"
    for state in ("requested", "sent", "received"):
        assert f" ms  {state}" in output
    assert "as expected for 'immediate'" in output
    assert ApSubmission.objects.filter(message__conversation_id=exchange.conversation_id).count() == 1


def test_preview_is_accepted_in_the_preview_space_over_http(live_server):
    with celery_worker():
        output = _run(live_server, "preview")
    exchange = EvidenceRequest.objects.get()
    assert exchange.state == ExchangeState.RECEIVED
    assert exchange.outgoing.count() == 2
    assert "accepted in the preview space" in output
    assert output.index(" ms  preview_required") < output.index(" ms  received")


@pytest.mark.parametrize(
    ("scenario", "state", "note"),
    [
        ("preview-refused", ExchangeState.FAILED, "refused in the preview space"),
        ("not-found", ExchangeState.FAILED, ""),
        ("timeout", ExchangeState.TIMED_OUT, "deadline moved to now"),
        ("malformed", ExchangeState.TIMED_OUT, "unreadable answer was refused"),
    ],
)
def test_other_scenarios_end_as_expected(live_server, scenario, state, note):
    with celery_worker():
        output = _run(live_server, scenario)
    assert EvidenceRequest.objects.get().state == state
    assert note in output


def test_an_unknown_country_is_a_clear_error(live_server):
    with pytest.raises(CommandError, match=r"no provider in XX|no evidence type for XX"):
        _run(live_server, "immediate", country="XX")


def test_a_portal_that_is_not_running_is_a_clear_error():
    with pytest.raises(CommandError, match="is it running"):
        call_command(
            "oots_exchange", procedure="T2", country="DE", base_url="http://127.0.0.1:9", stdout=io.StringIO()
        )

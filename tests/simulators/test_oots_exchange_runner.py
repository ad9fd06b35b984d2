"""``manage.py oots_exchange``: ``--edm-version`` (issue 17 item 1) and what a tester reads when the addresses
are wrong (issue 16 item 7), against a live portal with its simulators and a real worker."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from exchanges.models import EvidenceRequest, ExchangeState
from simulators.access_point.testing import celery_worker
from simulators.evidence_provider.models import ProviderRequest
from tests.journey_support import wire_to_live_server

pytestmark = pytest.mark.django_db(transaction=True)

NOBODY = "http://127.0.0.1:9"  # the discard port: nothing answers there


@pytest.fixture(autouse=True)
def _portal_on_the_live_server(settings, live_server):
    wire_to_live_server(settings, live_server)
    settings.OOTS_CS_RETRIES = 1


def _run(**options: object) -> str:
    out = io.StringIO()
    call_command("oots_exchange", procedure="T2", country="DE", timeout=30, stdout=out, **options)
    return out.getvalue()


@pytest.mark.parametrize("version", ["v1.0", "v1.1", "v1.2", "v2.0"])
def test_edm_version_picks_a_provider_of_that_version_and_the_exchange_travels_in_it(live_server, version):
    with celery_worker():
        output = _run(scenario="immediate", edm_version=version, base_url=live_server.url)
    exchange = EvidenceRequest.objects.get()
    assert exchange.state == ExchangeState.RECEIVED
    assert exchange.edm_version == f"oots-edm:{version}"
    assert (
        ProviderRequest.objects.get(conversation_id=exchange.conversation_id).version == exchange.edm_version
    )
    assert f"oots-edm:{version}, scenario 'immediate'" in output


def test_base_url_is_used_for_the_common_services_too(live_server, settings):
    # The settings name Common Services where nothing answers: --base-url alone must lead to the simulators.
    settings.OOTS_CS_EB_URL = f"{NOBODY}/sim/cs/eb"
    settings.OOTS_CS_DSD_URL = f"{NOBODY}/sim/cs/dsd"
    with celery_worker():
        output = _run(scenario="immediate", base_url=live_server.url)
    assert "as expected for 'immediate'" in output


def test_an_unreachable_evidence_broker_is_named_with_its_address_and_setting(live_server, settings):
    settings.OOTS_SIMULATOR_BASE_URL = live_server.url
    settings.OOTS_CS_EB_URL = f"{NOBODY}/sim/cs/eb"
    with pytest.raises(CommandError) as refused:
        _run(scenario="immediate")
    message = str(refused.value)
    assert f"Evidence Broker at {NOBODY}/sim/cs/eb could not be asked" in message
    assert "OOTS_CS_EB_URL" in message
    assert "no evidence type" not in message  # not blamed on the Broker's data


def test_a_portal_that_does_not_answer_is_named_with_the_option_and_setting_to_change(live_server):
    with pytest.raises(CommandError) as refused:
        _run(scenario="immediate", base_url=NOBODY)
    assert f"does not answer at {NOBODY}/sim/ep/control/scenarios" in str(refused.value)
    assert "--base-url" in str(refused.value)
    assert "OOTS_SIMULATOR_BASE_URL" in str(refused.value)


def test_answers_to_the_directory_questions_print_as_the_questions_text(live_server):
    with celery_worker():
        output = _run(scenario="immediate", base_url=live_server.url)
    question_lines = [line for line in output.splitlines() if "Directory question" in line]
    assert question_lines
    assert all("“" in line and "answered" in line for line in question_lines)
    assert "{" not in "".join(question_lines)  # not a dict of concept identifiers


def test_the_journey_runner_names_the_address_that_does_not_answer():
    out = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("oots_journey", "--base-url", NOBODY, "--timeout", "1", stdout=out)
    assert f"does not answer at {NOBODY}" in str(refused.value) and "--base-url" in str(refused.value)

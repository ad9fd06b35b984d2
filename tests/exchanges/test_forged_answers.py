"""Forged answers and answers at awkward times, end to end (issue 13 items 1 and 2).

Every message goes the production way: put into the portal's inbox through the access-point simulator over
HTTP (``/sim/ap/control/inbox``, as another party's back end would submit it), pushed to the portal's
``/oots/backend/``, retrieved over the WS plugin and processed by a real Celery worker process
(``tests/workers.py``), one for the module. Each forged answer must be refused for its own reason, with
the exchange it claims unchanged, no evidence row and no file; answers at an awkward time are parked once.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings as django_settings

from exchanges import services
from exchanges.models import (
    Evidence,
    EvidenceRequest,
    ExchangeLog,
    ExchangeState,
    IncomingMessage,
    IncomingReason,
    IncomingState,
)
from exchanges.tasks import poll_access_point
from procedures.journey_services import journey_retry
from procedures.services import application_discard
from simulators.access_point import services as ap_sim
from simulators.access_point.models import ApMessage, Direction
from simulators.evidence_provider import services as ep_sim
from simulators.evidence_provider.scenarios import Scenario
from tests.exchanges.factories import make_exchange
from tests.exchanges.forgeries import EVIDENCE_MAX_BYTES, FORGERIES, answer, inject
from tests.workers import WAIT, Worker, worker_env

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def wiring(django_db_setup, django_db_blocker, live_server, tmp_path_factory) -> Iterator[SimpleNamespace]:
    """One worker process for the module, on the test database and the live server's simulators; the
    settings it was given (to give the test process the same)."""
    given = SimpleNamespace(VAR_DIR=django_settings.VAR_DIR)
    with django_db_blocker.unblock():
        env = worker_env(
            live_server.url,
            given,
            OOTS_EVIDENCE_MAX_BYTES=EVIDENCE_MAX_BYTES,
            OOTS_AP_SIM_PUSH_BACKOFF_SECONDS=1,
        )
    worker = Worker("forged-answers", tmp_path_factory.mktemp("workers"), env)
    given.worker = worker
    try:
        yield given
    finally:
        worker.stop()


@pytest.fixture
def worker(wiring, settings) -> Worker:
    for name, value in vars(wiring).items():
        if name.isupper() and name != "VAR_DIR":
            setattr(settings, name, value)
    ap_sim.control_reset()
    return wiring.worker


def _wait(condition, what: str, worker: Worker):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}\n{worker.log()}")
        time.sleep(0.05)
    return result


def _exchange(
    scenario: Scenario, worker: Worker, *, until: str = ExchangeState.SENT, **kwargs
) -> EvidenceRequest:  # type: ignore[no-untyped-def]
    """A citizen's exchange, requested, the provider answering as ``scenario`` says, once it is ``until``
    and the access point has delivered the request (and told the portal so)."""
    exchange = make_exchange(**kwargs)
    ep_sim.override_create(scenario=scenario, conversation_id=exchange.conversation_id)
    services.evidence_request_give_explicit_request(evidence_request=exchange)

    def settled() -> bool:
        exchange.refresh_from_db()
        outgoing = exchange.outgoing.order_by("created_at").last()
        return exchange.state == until and outgoing.delivered_at is not None

    _wait(settled, f"the exchange to be {until}", worker)
    return exchange


def _snapshot(exchange: EvidenceRequest) -> dict[str, object]:
    fresh = EvidenceRequest.objects.get(pk=exchange.pk)
    return {
        name: getattr(fresh, name)
        for name in (
            "state",
            "error_code",
            "error_message",
            "preview_location",
            "deadline",
            "response_available_at",
            "completed_at",
            "updated_at",
        )
    }


def _evidence_files() -> set[Path]:
    """Every evidence file in the media folder (earlier tests' files stay: compare before and after)."""
    folder = Path(django_settings.MEDIA_ROOT) / "evidence"
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


def _put(message, worker: Worker, live_server) -> IncomingMessage:  # type: ignore[no-untyped-def]
    """Inject through the simulator and wait until the portal has processed it and marked it downloaded."""
    credentials = (django_settings.OOTS_AP_USERNAME, django_settings.OOTS_AP_PASSWORD)
    message_id = inject(live_server.url, message, auth=credentials)
    return _wait(
        lambda: IncomingMessage.objects.filter(
            ebms_message_id=message_id, downloaded=True, processed_at__isnull=False
        ).first(),
        f"the portal to process {message_id}",
        worker,
    )


def _processed_once(incoming: IncomingMessage) -> None:
    """Recorded once, never taken again: the access point no longer lists it, a poll queues nothing."""
    assert incoming.attempts == 1
    assert (
        ExchangeLog.objects.filter(ebms_message_id=incoming.ebms_message_id, event="message_received").count()
        == 1
    )
    stored = ApMessage.objects.get(message_id=incoming.ebms_message_id, direction=Direction.INBOUND)
    assert stored.downloaded_at is not None
    assert poll_access_point() == 0


def test_each_forged_answer_is_refused_for_its_own_reason_and_changes_nothing(worker: Worker, live_server):
    exchange = _exchange(Scenario.TIMEOUT, worker)  # the provider stays silent: only the forgers answer
    before, files = _snapshot(exchange), _evidence_files()
    outgoing = exchange.outgoing.get()
    credentials = (django_settings.OOTS_AP_USERNAME, django_settings.OOTS_AP_PASSWORD)
    # All at once, as an attack would come: each through the simulator, pushed, fetched by the worker.
    sent = {
        inject(live_server.url, forgery.build(outgoing), auth=credentials): forgery for forgery in FORGERIES
    }

    processed = IncomingMessage.objects.filter(
        ebms_message_id__in=sent, downloaded=True, processed_at__isnull=False
    )
    _wait(lambda: processed.count() == len(sent), "the portal to process every forged answer", worker)
    outcomes = {sent[m.ebms_message_id].name: (m.state, m.reason) for m in processed}
    assert outcomes == {f.name: (IncomingState.REFUSED, f.reason) for f in FORGERIES}
    assert _snapshot(exchange) == before
    assert not Evidence.objects.exists()
    assert _evidence_files() == files
    log = worker.logfile.read_text(errors="replace")
    for incoming in processed:
        forgery = sent[incoming.ebms_message_id]
        claimed = None if forgery.reason == IncomingReason.UNKNOWN_EXCHANGE else exchange
        assert incoming.evidence_request == claimed, forgery.name
        entry = ExchangeLog.objects.get(ebms_message_id=incoming.ebms_message_id, event="message_received")
        assert (entry.outcome, entry.reason, entry.evidence_request) == ("refused", forgery.reason, claimed)
        # Operators are told: an ERROR line with the reason and the exchange's id.
        assert f"refused reason={forgery.reason} exchange={claimed.public_id if claimed else None}" in log
        _processed_once(incoming)


def test_an_answer_while_the_user_is_to_preview_is_parked_and_the_preview_still_decides(
    worker: Worker, live_server
):
    exchange = _exchange(Scenario.PREVIEW, worker, until=ExchangeState.PREVIEW_REQUIRED)
    before, files = _snapshot(exchange), _evidence_files()
    # Right ids, right sender, right provider, right person: only the timing is wrong.
    incoming = _put(answer(exchange.outgoing.get()), worker, live_server)

    assert (incoming.state, incoming.reason) == (IncomingState.PARKED, IncomingReason.AWAITING_PREVIEW)
    assert _snapshot(exchange) == before
    assert _evidence_files() == files
    _processed_once(incoming)

    # The user previews and accepts; the evidence comes with the answer to the second request.
    token = ep_sim.token_from(exchange.preview_location)
    services.evidence_request_after_preview(evidence_request=exchange)
    ep_sim.preview_decide(token=token, accept=True)
    _wait(
        lambda: EvidenceRequest.objects.get(pk=exchange.pk).state == ExchangeState.RECEIVED,
        "evidence",
        worker,
    )
    [evidence] = Evidence.objects.filter(evidence_request=exchange)
    assert evidence.cid.endswith("@ep-sim.oots.local")  # the provider's, not the parked one
    assert exchange.outgoing.count() == 2
    assert _evidence_files() == files | {Path(evidence.file.path)}


def test_with_push_off_an_answer_during_the_preview_is_parked_once_whatever_the_polls(
    worker: Worker, live_server
):
    exchange = _exchange(Scenario.PREVIEW, worker, until=ExchangeState.PREVIEW_REQUIRED)
    before, files = _snapshot(exchange), _evidence_files()
    ap_sim.control_update(push=False)
    credentials = (django_settings.OOTS_AP_USERNAME, django_settings.OOTS_AP_PASSWORD)
    message_id = inject(live_server.url, answer(exchange.outgoing.get()), auth=credentials)
    assert poll_access_point() == 1
    for _ in range(3):  # the polls that used to re-fetch it (and write a file) every time
        poll_access_point()
    incoming = _wait(
        lambda: IncomingMessage.objects.filter(ebms_message_id=message_id, downloaded=True).first(),
        "the poll's fetch",
        worker,
    )
    assert (incoming.state, incoming.reason) == (IncomingState.PARKED, IncomingReason.AWAITING_PREVIEW)
    assert _snapshot(exchange) == before
    assert _evidence_files() == files
    _processed_once(incoming)


def test_an_answer_after_the_timeout_is_parked(worker: Worker, live_server):
    exchange = _exchange(Scenario.TIMEOUT, worker)
    EvidenceRequest.objects.filter(pk=exchange.pk).update(deadline=exchange.created_at)
    assert services.exchanges_time_out() == 1
    before, files = _snapshot(exchange), _evidence_files()

    incoming = _put(answer(exchange.outgoing.get()), worker, live_server)

    assert (incoming.state, incoming.reason) == (IncomingState.PARKED, IncomingReason.EXCHANGE_FINISHED)
    assert _snapshot(exchange) == before and before["state"] == ExchangeState.TIMED_OUT
    assert _evidence_files() == files
    _processed_once(incoming)


def test_an_answer_to_an_exchange_retried_since_is_parked_and_leaves_the_retry_alone(
    worker: Worker, live_server
):
    failed = _exchange(Scenario.NOT_FOUND, worker, until=ExchangeState.FAILED)
    # The retry is a new exchange (a new conversation); its provider stays silent this time.
    ep_sim.override_create(scenario=Scenario.TIMEOUT, person="Smith")
    retry, _ = journey_retry(application=failed.application, exchange=failed, return_address=lambda: ("", ""))
    _wait(lambda: EvidenceRequest.objects.get(pk=retry.pk).state == ExchangeState.SENT, "the retry", worker)
    before, files = (_snapshot(failed), _snapshot(retry)), _evidence_files()

    incoming = _put(answer(failed.outgoing.get()), worker, live_server)

    assert (incoming.state, incoming.reason, incoming.evidence_request) == (
        IncomingState.PARKED,
        IncomingReason.EXCHANGE_FINISHED,
        failed,
    )
    assert (_snapshot(failed), _snapshot(retry)) == before
    assert _evidence_files() == files
    _processed_once(incoming)


def test_an_answer_after_the_draft_was_deleted_is_parked(worker: Worker, live_server):
    exchange = _exchange(Scenario.TIMEOUT, worker)
    outgoing = exchange.outgoing.get()
    application_discard(application=exchange.application)
    files = _evidence_files()

    incoming = _put(answer(outgoing), worker, live_server)

    assert (incoming.state, incoming.reason, incoming.evidence_request) == (
        IncomingState.PARKED,
        IncomingReason.EXCHANGE_DISCARDED,
        None,
    )
    assert not EvidenceRequest.objects.exists()
    assert _evidence_files() == files
    _processed_once(incoming)


@pytest.mark.parametrize(
    ("version", "scenario", "state", "files"),
    [
        ("oots-edm:v1.0", Scenario.SEVERAL_ATTACHMENTS, ExchangeState.RECEIVED, 3),
        ("oots-edm:v1.0", Scenario.STRUCTURED_XML, ExchangeState.RECEIVED, 1),
        ("oots-edm:v1.2", Scenario.NOT_FOUND, ExchangeState.FAILED, 0),
        ("oots-edm:v2.0", Scenario.SEVERAL_ATTACHMENTS, ExchangeState.RECEIVED, 3),
        ("oots-edm:v2.0", Scenario.STRUCTURED_XML, ExchangeState.RECEIVED, 1),
        ("oots-edm:v2.0", Scenario.PREVIEW_REFUSED, ExchangeState.PREVIEW_REQUIRED, 0),
    ],
)
def test_the_simulators_genuine_answers_pass_every_check(version, scenario, state, files, worker: Worker):
    before = _evidence_files()
    exchange = _exchange(scenario, worker, until=state, version=version)
    assert Evidence.objects.filter(evidence_request=exchange).count() == files
    assert len(_evidence_files() - before) == files
    assert not IncomingMessage.objects.exclude(state=IncomingState.PROCESSED).exists()
    received = ExchangeLog.objects.get(evidence_request=exchange, event="message_received")
    assert received.reason == ""
    # The validation's findings are kept with the entry (warnings and, under "report", rule findings).
    assert all({"rule_id", "source", "severity"} <= finding.keys() for finding in received.findings)

"""A Celery worker killed (SIGKILL) in the middle of a send: the request still reaches the access point once.

Real worker processes (``celery -A portal worker --pool solo``) on the test database and the run's broker
(Redis when ``REDIS_URL`` is set, as in CI; the file-system broker otherwise), the access-point simulator on
the live server, made slow so that the worker is inside ``submit`` when it dies. A fresh worker and the sweep
then take over the abandoned claim; the simulator's log must show one delivered message (a re-submission of
the same ebMS MessageId is logged as a duplicate, never delivered again) and the exchange must end received.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.core.signals import request_started
from django.utils import timezone

from exchanges import services
from exchanges.models import Evidence, ExchangeLog, ExchangeState, OutgoingState
from exchanges.tasks import sweep_exchanges
from simulators.access_point import services as ap_sim
from simulators.access_point.models import ApMessage, ApSubmission, Direction
from tests.exchanges.factories import make_exchange
from tests.workers import WAIT, Worker, worker_env

pytestmark = pytest.mark.django_db(transaction=True)

CLAIM_TIMEOUT = 2  # seconds: a claim older than this belongs to a dead worker
AP_DELAY_MS = 2500  # the access point answers this late, so the worker is killed inside submit


@pytest.fixture
def workers(tmp_path, live_server, settings) -> Iterator[Callable[[str], Worker]]:
    env = worker_env(
        live_server.url,
        settings,
        OOTS_SEND_CLAIM_TIMEOUT=CLAIM_TIMEOUT,
        OOTS_AP_SIM_PUSH_BACKOFF_SECONDS=1,
    )
    started: list[Worker] = []

    def start(name: str) -> Worker:
        worker = Worker(name, tmp_path, env)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


@contextmanager
def submit_reached_the_access_point() -> Iterator[threading.Event]:
    """Set when an HTTP request to the WS plugin starts on the live server (the worker is inside submit)."""
    reached = threading.Event()

    def started(sender: object, environ: dict[str, str] | None = None, **kwargs: object) -> None:
        if environ and environ.get("PATH_INFO", "").endswith("/sim/ap/services/wsplugin"):
            reached.set()

    request_started.connect(started, weak=False)
    try:
        yield reached
    finally:
        request_started.disconnect(started)


def _wait(condition, what: str, workers: list[Worker] = ()) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + WAIT
    while not condition():
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {w.name}\n{w.log()}" for w in workers)
            raise AssertionError(f"timed out waiting for {what}\n{logs}")
        time.sleep(0.05)


def test_a_worker_killed_mid_send_leaves_the_request_sent_exactly_once(workers):
    ap_sim.control_update(delay_ms=AP_DELAY_MS)
    exchange = make_exchange()
    with submit_reached_the_access_point() as reached:
        first = workers("killed")
        services.evidence_request_give_explicit_request(evidence_request=exchange)
        assert reached.wait(WAIT), f"the worker never called the access point:\n{first.log()}"
    outgoing = exchange.outgoing.get()
    assert outgoing.state == OutgoingState.SENDING
    first.kill()  # SIGKILL while the access point is still holding the submit call

    ap_sim.control_update(delay_ms=0)
    # The access point finishes the call it had received: the message is in, the worker never knew.
    _wait(
        lambda: ApSubmission.objects.filter(message__message_id=outgoing.ebms_message_id).exists(), "submit"
    )
    outgoing.refresh_from_db()
    assert outgoing.state == OutgoingState.SENDING  # claimed by a dead worker
    fresh = workers("fresh")
    # The sweep (beat, every minute) takes over claims older than OOTS_SEND_CLAIM_TIMEOUT.
    stale_in = (outgoing.claimed_at - timezone.now()).total_seconds() + CLAIM_TIMEOUT
    time.sleep(max(0.0, stale_in) + 0.1)
    assert sweep_exchanges()["resent"] == 1

    def settled() -> bool:
        exchange.refresh_from_db()
        outgoing.refresh_from_db()
        return exchange.state == ExchangeState.RECEIVED and outgoing.state == OutgoingState.SUBMITTED

    _wait(settled, "the exchange to be received", [first, fresh])

    submissions = ApSubmission.objects.filter(message__message_id=outgoing.ebms_message_id)
    assert ApMessage.objects.filter(message_id=outgoing.ebms_message_id).count() == 1
    assert submissions.filter(duplicate=False).count() == 1  # delivered once
    assert submissions.filter(duplicate=True).count() == 1  # the take-over's re-submission, logged only
    assert outgoing.attempts == 2
    answers = ApMessage.objects.filter(conversation_id=exchange.conversation_id, direction=Direction.INBOUND)
    assert answers.count() == 1
    assert Evidence.objects.filter(evidence_request=exchange).count() == 1
    assert ExchangeLog.objects.filter(evidence_request=exchange, event="request_submitted").count() == 1

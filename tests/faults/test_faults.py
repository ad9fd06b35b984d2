"""Fault injection (issue 8 §2): hundreds of exchanges through real workers while things break.

Real components only: two ``celery worker`` subprocesses on the test database and the run's broker, the
simulators on the live server over loopback HTTP, and the faults applied to them for real —

- a worker SIGKILLed (by the PID in its own pidfile) every ``KILL_EVERY_TASKS`` task runs, counted from the
  workers' own logs ("succeeded" / "retry" lines); its replacement is started first and the kill fires once
  the replacement consumes, so that two workers keep serving;
- the Redis broker shut down without saving and started again, once, midway (the queued and unacknowledged
  tasks are gone: Redis keeps nothing on disk here);
- the access-point simulator answering HTTP 503 to ``FAILURE_RATE`` % of the WS-plugin calls.

Lost work is recovered the way production recovers it: the periodic tasks that beat runs — the portal's
``sweep_exchanges`` and ``poll_access_point``, and the access-point simulator's ``sweep_lost_work`` — are
sent to the broker by the test, as beat sends them, every ``SWEEP_EVERY`` / ``POLL_EVERY`` seconds instead of
every 60 / 30 s, and run by the workers (killed with them sometimes: the next tick sends them again). The test
plays beat rather than starting a ``celery beat`` process because beat's sweep interval is fixed in settings
and the test needs a short one, and because a beat process would itself have to ride out the Redis restart.

Forged answers (``tests/exchanges/forgeries.py``: every kind, twice, aimed at exchanges still waiting) are put
into the portal's inbox through the access-point simulator during the run: each must end refused for its own
reason, once, whatever is killed meanwhile, and no exchange may take anything from them.

The second test sends every answer's ``receiveSuccess`` twice, shuffled, to the portal's push endpoint.

Both need PostgreSQL (``DATABASE_URL``): SQLite takes one writer at a time and is not what runs in
production. Without ``REDIS_URL`` the broker is the file-system one and the Redis restart is skipped (said in
the output). With ``CI=true`` nothing may be skipped: a missing piece fails the test.
"""

from __future__ import annotations

import ast
import logging
import os
import random
import re
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from django.db import connection
from django.db.models import Count

from exchanges import services
from exchanges.models import (
    TERMINAL_STATES,
    Evidence,
    EvidenceRequest,
    ExchangeLog,
    ExchangeState,
    IncomingMessage,
    IncomingState,
    OutgoingMessage,
)
from exchanges.tasks import poll_access_point, sweep_exchanges
from oots_client.access_point import MessageStatus, soap
from portal.celery import app
from simulators.access_point import services as ap_sim
from simulators.access_point.backend import notification_envelope
from simulators.access_point.models import ApMessage, ApNotification, ApSubmission, Direction
from simulators.access_point.models import NotificationStatus as PushStatus
from simulators.access_point.tasks import sweep_lost_work
from tests.exchanges.factories import make_exchange
from tests.exchanges.forgeries import EVIDENCE_MAX_BYTES, FORGERIES, Forgery, inject
from tests.workers import Worker, worker_env

pytestmark = pytest.mark.django_db(transaction=True)

EXCHANGES = 500  # issue 8 §2
KILL_EVERY_TASKS = 50  # issue 8 §2: a worker is SIGKILLed every 50 tasks
FAILURE_RATE = 10  # issue 8 §2: % of access-point calls answered 503
WORKERS = 2
IN_FLIGHT = 40  # exchanges requested and not finished at any time (the test feeds more as they end)
# Seconds between the periodic tasks (beat: sweeps every 60 s, poll every OOTS_POLL_INTERVAL_SECONDS, 30 s).
SWEEP_EVERY = 5.0
POLL_EVERY = 10.0
DEADLINE = 600.0  # seconds: past this the test fails with a summary of the states
# Recovery delays, shortened from production (60 s claims, 60 s simulator grace, 300 s backoff cap) so that
# work lost at a kill is taken over in seconds. A claim still outlives an access-point call (timeout 5 s).
TIMINGS = {
    "OOTS_AP_TIMEOUT": 5,
    "OOTS_SEND_CLAIM_TIMEOUT": 15,
    "OOTS_SEND_BACKOFF_CAP_SECONDS": 2,
    "OOTS_AP_SIM_PUSH_BACKOFF_SECONDS": 1,
    "OOTS_AP_SIM_PUSH_BACKOFF_CAP_SECONDS": 2,
    "OOTS_AP_SIM_SWEEP_GRACE_SECONDS": 20,
    # The limit the forged "too large" answer breaks (the honest PDFs are about 1 KB).
    "OOTS_EVIDENCE_MAX_BYTES": EVIDENCE_MAX_BYTES,
}
# The command .ci/run starts Redis with (nothing kept on disk), on the broker's port.
REDIS_SERVER = (
    "redis-server --daemonize yes --bind 127.0.0.1 --port {port} --save '' --appendonly no "
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
)


def _missing(reason: str) -> None:
    """Skip on a machine that cannot run this; in CI (``CI=true``) fail instead."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI must run the fault tests: {reason}")
    pytest.skip(reason)


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str]) -> Callable[[str], None]:
    """Print past pytest's capture: the figures and any skipped fault are part of the test's output."""

    def say(line: str) -> None:
        with capsys.disabled():
            print(f"\n[faults] {line}", end="")

    return say


@pytest.fixture
def postgresql() -> None:
    if connection.vendor != "postgresql":
        _missing("the fault tests need PostgreSQL (DATABASE_URL); SQLite takes one writer at a time")


@dataclass
class Pool:
    """The worker subprocesses of one test, killed (SIGKILL, by their own PID) one at a time.

    A kill first starts the replacement and fires once it is consuming, so that two workers keep serving
    and the kill — not a worker's start-up — is what the exchanges must survive.
    """

    folder: Path
    env: dict[str, str]
    alive: list[Worker] = field(default_factory=list)
    dead: list[Worker] = field(default_factory=list)
    replacement: Worker | None = None
    kills: int = 0
    kills_due: int = 0

    def start(self) -> Worker:
        worker = Worker(f"w{len(self.alive) + len(self.dead) + 1}", self.folder, self.env)
        self.alive.append(worker)
        return worker

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while not all(worker.ready() for worker in self.alive):
            if time.monotonic() > deadline:
                raise AssertionError(f"workers not ready after 60 s:\n{self.logs()}")
            self.check_alive()
            time.sleep(0.1)

    def kill_one(self) -> None:
        """Ask for a kill (the oldest worker); :meth:`step` carries it out."""
        self.kills_due += 1

    def step(self) -> None:
        if self.replacement is None and self.kills_due:
            self.replacement = self.start()
        if self.replacement is not None and self.replacement.ready():
            victim = self.alive.pop(0)
            victim.kill()  # SIGKILL to the PID in its pidfile, mid-task or between tasks, as it comes
            self.dead.append(victim)
            self.kills += 1
            self.kills_due -= 1
            self.replacement = None

    def tasks_ended(self) -> int:
        return sum(worker.tasks_ended() for worker in self.alive + self.dead)

    def check_alive(self) -> None:
        for worker in self.alive:
            if worker.process.poll() is not None:
                raise AssertionError(f"worker {worker.name} died by itself:\n{worker.log()}")

    def logs(self) -> str:
        return "\n".join(f"--- {w.name}\n{w.log()}" for w in self.alive + self.dead)

    def full_logs(self) -> str:
        return "\n".join(w.logfile.read_text(errors="replace") for w in self.alive + self.dead)

    def stop(self) -> None:
        for worker in self.alive:
            worker.stop()


@pytest.fixture
def pool(tmp_path, live_server, settings, postgresql) -> Iterator[Pool]:
    ap_sim.control_reset()
    workers = Pool(tmp_path, worker_env(live_server.url, settings, **TIMINGS))
    try:
        yield workers
    finally:
        workers.stop()
        ap_sim.control_reset()


class ServiceUnavailableCount(logging.Handler):
    """Counts the HTTP 503 the access-point simulator answers (Django logs every 5xx on django.request)."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "status_code", None) == 503:
            self.count += 1


@pytest.fixture
def unavailable_answers() -> Iterator[ServiceUnavailableCount]:
    counter = ServiceUnavailableCount()
    logger = logging.getLogger("django.request")
    logger.addHandler(counter)
    try:
        yield counter
    finally:
        logger.removeHandler(counter)


@dataclass
class Beat:
    """Sends the periodic tasks to the broker as ``celery beat`` would, on a shortened schedule.

    The workers run them (or lose them, when killed: the next tick sends them again). What they recovered
    is read back from the workers' logs (:func:`_figures`).
    """

    poll: bool = True
    next_sweep: float = 0.0
    next_poll: float = 0.0

    def tick(self) -> None:
        now = time.monotonic()
        if now >= self.next_sweep:
            sweep_exchanges.delay()
            sweep_lost_work.delay()
            self.next_sweep = now + SWEEP_EVERY
        if self.poll and now >= self.next_poll:
            poll_access_point.delay()
            self.next_poll = now + POLL_EVERY


_TASK_SUCCEEDED = re.compile(r"Task ([\w.]+)\[[^\]]+\] succeeded in ([\d.]+)s: (.*)")


def _figures(log: str) -> str:
    """What the periodic tasks recovered and how long each task ran (median, ms), from the workers' logs."""
    runs: dict[str, list[float]] = {}
    recovered = {"resent": 0, "delivered_again": 0, "pushed_again": 0, "polled": 0}
    for task, seconds, result in _TASK_SUCCEEDED.findall(log):
        name = task.rsplit(".", 1)[-1]
        runs.setdefault(name, []).append(float(seconds))
        if name == "poll_access_point":
            recovered["polled"] += int(result)
        elif name in ("sweep_exchanges", "sweep_lost_work"):
            for key, value in ast.literal_eval(result).items():
                recovered[key] = recovered.get(key, 0) + value
    medians = ", ".join(f"{name} {statistics.median(r) * 1000:.0f}" for name, r in sorted(runs.items()))
    return (
        f"recovered by the periodic tasks: {recovered['resent']} sends, {recovered['delivered_again']} "
        f"deliveries, {recovered['pushed_again']} pushes; {recovered['polled']} fetches queued by the poll; "
        f"median run (ms): {medians}"
    )


def _redis_restart(broker_url: str) -> float:
    """Shut the broker's Redis down without saving and start it again; the seconds it was away."""
    location = urlsplit(broker_url)
    host, port = location.hostname or "127.0.0.1", location.port or 6379
    if host not in ("127.0.0.1", "localhost"):
        _missing(f"the Redis broker at {host} is not a local server this test may restart")

    def ping() -> bool:
        answer = subprocess.run(
            ["redis-cli", "-h", host, "-p", str(port), "ping"], capture_output=True, timeout=10, check=False
        )
        return answer.stdout.strip() == b"PONG"

    def wait(condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + 30
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"Redis on port {port}: timed out waiting until {what}")
            time.sleep(0.05)

    down = time.monotonic()
    subprocess.run(
        ["redis-cli", "-h", host, "-p", str(port), "shutdown", "nosave"],
        capture_output=True,
        timeout=10,
        check=False,  # the server closes the connection as it goes: redis-cli may report an error
    )
    wait(lambda: not ping(), "it is down")
    subprocess.run(REDIS_SERVER.format(port=port), shell=True, check=True, timeout=30)  # noqa: S602
    wait(ping, "it answers PING again")
    return time.monotonic() - down


def _counts(queryset, *fields: str) -> dict[str, int]:
    rows = queryset.order_by().values_list(*fields).annotate(n=Count("pk"))
    return {"/".join(row[:-1]): row[-1] for row in rows}


def _summary() -> str:
    return (
        f"exchanges {_counts(EvidenceRequest.objects, 'state')}; "
        f"outgoing {_counts(OutgoingMessage.objects, 'state')}; "
        f"incoming {_counts(IncomingMessage.objects, 'state')}; "
        f"simulator messages {_counts(ApMessage.objects, 'direction', 'status')}; "
        f"pushes {_counts(ApNotification.objects, 'operation', 'status')}"
    )


def _twice(queryset, field_name: str) -> list[object]:
    """Values of ``field_name`` found on more than one row."""
    rows = queryset.order_by().values(field_name).annotate(n=Count("pk")).filter(n__gt=1)
    return [row[field_name] for row in rows[:10]]


def _assert_each_exchange_once(count: int, forged: Collection[str] = ()) -> None:
    """Every exchange received; each request delivered once, each answer processed once, no evidence twice.

    ``forged``: ebMS ids of forged answers put in meanwhile (see :func:`_assert_forgeries_refused`).
    """
    not_received = EvidenceRequest.objects.exclude(state=ExchangeState.RECEIVED)
    assert not not_received.exists(), [
        (e.public_id, e.state, e.error_code, e.error_message) for e in not_received[:10]
    ]
    assert EvidenceRequest.objects.count() == count  # none lost
    outgoing = OutgoingMessage.objects.count()
    assert outgoing == count  # `immediate`: one request per exchange
    requests_ = ApMessage.objects.filter(message_id__in=OutgoingMessage.objects.values("ebms_message_id"))
    assert requests_.count() == outgoing  # each request reached the simulator…
    delivered = ApSubmission.objects.filter(duplicate=False)
    assert delivered.count() == outgoing  # …and was taken for delivery once: the rest are logged duplicates
    assert _twice(delivered, "message") == []
    assert not requests_.exclude(status=MessageStatus.ACKNOWLEDGED).exists()  # delivered to the provider
    answers = ApMessage.objects.filter(direction=Direction.INBOUND).exclude(message_id__in=list(forged))
    assert answers.count() == count  # the provider answered each request once
    assert IncomingMessage.objects.filter(state=IncomingState.PROCESSED).count() == count
    received = ExchangeLog.objects.filter(event="message_received")
    processed = received.exclude(ebms_message_id__in=list(forged))
    assert processed.count() == count  # each answer processed once (no second "message_received")
    assert _twice(received, "ebms_message_id") == []
    assert Evidence.objects.count() == count  # no evidence stored twice…
    assert _twice(Evidence.objects, "evidence_request") == []
    assert not Evidence.objects.exclude(cid__endswith="@ep-sim.oots.local").exists()  # …nor a forger's
    submitted = ExchangeLog.objects.filter(event="request_submitted")
    assert submitted.count() == count  # …nor a send recorded twice


@dataclass
class Forger:
    """Puts every kind of forged answer into the portal's inbox, aimed at exchanges still waiting."""

    base_url: str
    credentials: tuple[str, str]
    sent: dict[str, Forgery] = field(default_factory=dict)

    def strike(self) -> None:
        waiting = list(
            EvidenceRequest.objects.filter(state=ExchangeState.SENT).order_by("?")[: len(FORGERIES)]
        )
        if not waiting:
            waiting = list(EvidenceRequest.objects.order_by("?")[:1])
        for index, forgery in enumerate(FORGERIES):
            victim = waiting[index % len(waiting)]
            outgoing = victim.outgoing.order_by("created_at", "pk").last()
            message_id = inject(self.base_url, forgery.build(outgoing), auth=self.credentials)
            self.sent[message_id] = forgery


def _assert_forgeries_refused(sent: dict[str, Forgery]) -> None:
    """Each forged answer refused for its own reason, recorded once, downloaded from the access point."""
    incoming = {m.ebms_message_id: m for m in IncomingMessage.objects.filter(ebms_message_id__in=list(sent))}
    wrong = {
        message_id: (
            forgery.name,
            (incoming[message_id].state, incoming[message_id].reason, incoming[message_id].detail)
            if message_id in incoming
            else None,
        )
        for message_id, forgery in sent.items()
        if message_id not in incoming
        or (incoming[message_id].state, incoming[message_id].reason)
        != (IncomingState.REFUSED, forgery.reason)
        or not incoming[message_id].downloaded
    }
    assert wrong == {}
    log = ExchangeLog.objects.filter(event="message_received", ebms_message_id__in=list(sent))
    assert log.count() == len(sent) and set(log.values_list("outcome", flat=True)) == {"refused"}


def test_exchanges_survive_killed_workers_a_redis_restart_and_a_flaky_access_point(
    pool, unavailable_answers, report, live_server, settings
):
    broker_url = str(app.conf.broker_url)
    on_redis = broker_url.startswith(("redis://", "rediss://"))
    if on_redis and not (shutil.which("redis-cli") and shutil.which("redis-server")):
        _missing("redis-cli and redis-server are needed to restart the Redis broker")
    if not on_redis:
        report(
            f"Redis restart SKIPPED: the broker is {broker_url.split(':')[0]}:// (set REDIS_URL to run it)"
        )
    ap_sim.control_update(failure_rate=FAILURE_RATE)
    for _ in range(WORKERS):
        pool.start()
    pool.wait_ready()

    beat = Beat()
    forger = Forger(live_server.url, (settings.OOTS_AP_USERNAME, settings.OOTS_AP_PASSWORD))
    strikes = [EXCHANGES // 4, EXCHANGES * 3 // 4]  # before and after the Redis restart
    started = time.monotonic()
    requested = 0
    next_kill = KILL_EVERY_TASKS
    kills_asked = 0
    redis_away: float | None = None
    while True:
        now = time.monotonic()
        finished = EvidenceRequest.objects.filter(state__in=TERMINAL_STATES).count()
        if finished == EXCHANGES:
            break
        if now - started > DEADLINE:
            raise AssertionError(f"not finished after {DEADLINE:.0f} s: {_summary()}\n{pool.logs()}")
        while requested < EXCHANGES and requested - finished < IN_FLIGHT:
            services.evidence_request_give_explicit_request(evidence_request=make_exchange())
            requested += 1
        pool.check_alive()
        if pool.tasks_ended() >= next_kill:
            pool.kill_one()
            kills_asked += 1
            next_kill += KILL_EVERY_TASKS
        pool.step()
        if on_redis and redis_away is None and finished >= EXCHANGES // 2:
            redis_away = _redis_restart(broker_url)
        if strikes and finished >= strikes[0]:
            strikes.pop(0)
            forger.strike()
        beat.tick()
        time.sleep(0.2)
    all_received = time.monotonic() - started

    # Exchanges done; the access point must also have nothing left: every answer marked downloaded (a
    # 503 on markAsDownloaded leaves it to the next poll) and every push sent.
    def leftovers() -> bool:
        return (
            ApMessage.objects.filter(direction=Direction.INBOUND)
            .exclude(status=MessageStatus.DOWNLOADED)
            .exists()
            or ApNotification.objects.exclude(status=PushStatus.SENT).exists()
        )

    # A worker killed between the access point's markMessageAsDownloaded and its own record of it leaves a
    # message the access point no longer lists: the sweep asks the access point (getStatus) and records it.
    def unrecorded() -> bool:
        sent = list(forger.sent)
        return IncomingMessage.objects.filter(ebms_message_id__in=sent, downloaded=False).exists()

    while leftovers() or unrecorded():
        if time.monotonic() - started > DEADLINE:
            raise AssertionError(f"access point not drained after {DEADLINE:.0f} s: {_summary()}")
        pool.check_alive()
        pool.step()
        beat.tick()
        time.sleep(0.2)

    tasks = pool.tasks_ended()
    duplicates = ApSubmission.objects.filter(duplicate=True).count()
    retries = ExchangeLog.objects.filter(event="request_retry").count()
    drained = time.monotonic() - started
    report(
        f"{EXCHANGES} exchanges received in {all_received:.0f} s (access point drained at {drained:.0f} s); "
        f"{tasks} task runs, {pool.kills} workers SIGKILLed ({pool.kills_due} still due); Redis away "
        + (f"{redis_away:.1f} s" if redis_away is not None else "never (file-system broker)")
        + f"; {unavailable_answers.count} HTTP 503 from the access point, {retries} send retries; "
        f"{duplicates} duplicate submissions logged (not delivered); {len(forger.sent)} forged answers, all "
        f"refused; {_figures(pool.full_logs())}"
    )
    _assert_forgeries_refused(forger.sent)
    _assert_each_exchange_once(EXCHANGES, forged=forger.sent)
    assert pool.kills + pool.kills_due == kills_asked >= 1  # one per 50 task runs (the last few may wait)
    assert unavailable_answers.count > 0
    assert on_redis == (redis_away is not None)


def test_answers_pushed_twice_and_out_of_order_are_each_processed_once(
    pool, unavailable_answers, report, live_server, settings
):
    # Push off: the simulator stores the answers and only the test notifies the portal, each answer twice,
    # in shuffled order, while the workers are busy. No poll either (it would find the answers itself).
    ap_sim.control_update(failure_rate=FAILURE_RATE, push=False)
    for _ in range(WORKERS):
        pool.start()
    pool.wait_ready()
    beat = Beat(poll=False)
    started = time.monotonic()
    for _ in range(EXCHANGES):
        services.evidence_request_give_explicit_request(evidence_request=make_exchange())

    def wait(condition: Callable[[], bool], what: str) -> None:
        while not condition():
            if time.monotonic() - started > DEADLINE:
                raise AssertionError(f"timed out waiting for {what}: {_summary()}\n{pool.logs()}")
            pool.check_alive()
            beat.tick()
            time.sleep(0.2)

    answers = ApMessage.objects.filter(direction=Direction.INBOUND)
    wait(lambda: answers.count() == EXCHANGES, "the provider's answers")
    answered = time.monotonic() - started
    assert not IncomingMessage.objects.exists()  # nothing told the portal yet

    notifications = list(answers.values_list("message_id", flat=True)) * 2
    random.shuffle(notifications)
    url = f"{live_server.url}/oots/backend/"
    credentials = (settings.OOTS_BACKEND_USERNAME, settings.OOTS_BACKEND_PASSWORD)

    def push(message_id: str) -> int:
        response = requests.post(
            url,
            data=notification_envelope("receiveSuccess", message_id),
            auth=credentials,
            headers={"Content-Type": soap.SOAP_CONTENT_TYPE},
            timeout=30,
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=4) as senders:
        statuses = list(senders.map(push, notifications))
    assert statuses == [200] * len(notifications)

    wait(
        lambda: EvidenceRequest.objects.filter(state__in=TERMINAL_STATES).count() == EXCHANGES,
        "every exchange to end",
    )
    report(
        f"{EXCHANGES} answers stored in {answered:.0f} s, {len(notifications)} receiveSuccess pushed (each "
        f"twice, shuffled), all received {time.monotonic() - started:.0f} s after the first request; "
        f"{unavailable_answers.count} HTTP 503 from the access point; {pool.tasks_ended()} task runs; "
        f"{_figures(pool.full_logs())}"
    )
    _assert_each_exchange_once(EXCHANGES)
    assert ExchangeLog.objects.filter(event="announced_push").count() == EXCHANGES  # the second: no-op

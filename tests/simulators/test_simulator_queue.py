"""The simulators' tasks on a queue of their own (``OOTS_SIMULATOR_QUEUE``), run by a worker of their own.

The access point and the provider stand for other parties' systems: in a test environment where the portal's
workers do not load the simulator apps (compose.yaml's "simulators" profile), or where their work must not
queue in front of the portal's (bench/exchange.py), a worker consuming only that queue runs them. Real
worker processes, each consuming one queue, on the test database and the run's broker.
"""

from __future__ import annotations

import re
import time

import pytest

from exchanges import services
from exchanges.models import Evidence, EvidenceRequest, ExchangeState
from portal.celery import app
from tests.exchanges.factories import make_exchange
from tests.workers import WAIT, Worker, worker_env

pytestmark = pytest.mark.django_db(transaction=True)

_TASK_RAN = re.compile(r"Task ([\w.]+)\[[^\]]+\] succeeded")


def _tasks_run(worker: Worker) -> set[str]:
    return set(_TASK_RAN.findall(worker.logfile.read_text(errors="replace")))


def test_an_exchange_completes_with_the_simulators_tasks_on_a_worker_of_their_own(
    tmp_path, live_server, settings
):
    env = worker_env(live_server.url, settings, OOTS_SIMULATOR_QUEUE="simulators-test")
    app.control.purge()  # tasks earlier tests left on the default queue are not this test's
    portal = Worker("portal", tmp_path, env, queues="celery")
    simulators = Worker("simulators", tmp_path, env, queues="simulators-test")
    try:
        exchange = make_exchange()
        services.evidence_request_give_explicit_request(evidence_request=exchange)
        deadline = time.monotonic() + WAIT
        while exchange.state != ExchangeState.RECEIVED and time.monotonic() < deadline:
            time.sleep(0.1)
            exchange = EvidenceRequest.objects.get(pk=exchange.pk)
        assert exchange.state == ExchangeState.RECEIVED, f"{portal.log()}\n{simulators.log()}"
        assert Evidence.objects.filter(evidence_request=exchange).count() == 1
    finally:
        portal.stop()
        simulators.stop()
    portal_tasks, simulator_tasks = _tasks_run(portal), _tasks_run(simulators)
    assert "exchanges.tasks.send_outgoing_message" in portal_tasks
    assert "exchanges.tasks.fetch_incoming_message" in portal_tasks
    assert "simulators.access_point.tasks.deliver_submitted" in simulator_tasks
    assert not {name for name in portal_tasks if name.startswith("simulators.")}
    assert not {name for name in simulator_tasks if not name.startswith("simulators.")}

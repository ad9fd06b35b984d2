"""The delivery through a real Celery worker: queued when the submission commits, retried with backoff while
the receiver is down, delivered exactly once when it is back; a duplicate task changes nothing."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from registrations.models import BackendKind, Delivery, DeliveryState
from registrations.tasks import deliver_application
from tests.registrations.conftest import add_backend, issue_key, submit_application
from tests.workers import WAIT, Worker, worker_env

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(condition: Callable[[], bool], worker: Worker, what: str) -> None:
    # The worker is another process writing to the database: the test looks until it sees the row change.
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen:\n{worker.log()}")


def test_a_real_worker_delivers_once_after_the_receiver_comes_back(given, receiver, settings, tmp_path):
    env = worker_env(
        "http://127.0.0.1:9",  # no simulator is used here
        settings,
        OOTS_BACKOFFICE_BACKOFF_BASE_SECONDS=1,
        OOTS_BACKOFFICE_ALLOW_LOOPBACK_HTTP=True,
    )
    worker = Worker("backoffice", tmp_path, env)
    try:
        issue_key(given.authority)
        add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url=receiver.url)
        application = submit_application(given.procedure)  # committed: the task is queued now
        delivery = Delivery.objects.get(application=application)

        def failed_while_down() -> bool:
            delivery.refresh_from_db()
            return delivery.attempts >= 1 and "ConnectionError" in delivery.last_error

        _wait_for(failed_while_down, worker, "a first attempt against the receiver down")
        receiver.up()

        def delivered() -> bool:
            delivery.refresh_from_db()
            return delivery.state == DeliveryState.DELIVERED

        _wait_for(delivered, worker, "the delivery once the receiver is up")
        ended = worker.tasks_ended()
        deliver_application.delay(delivery.pk)  # a task delivered twice (acks_late, the sweep)
        _wait_for(lambda: worker.tasks_ended() > ended, worker, "the duplicate task's run")
        assert len(receiver.received) == 1
        assert receiver.received[0].headers["Idempotency-Key"] == str(application.reference)
    finally:
        worker.stop()

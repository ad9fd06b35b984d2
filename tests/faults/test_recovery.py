"""The recovery paths the fault tests rely on, one behaviour each (the fixes of issue 8 §2).

- The access-point simulator accepts a submission while the broker is down, and its sweep delivers it later.
- The simulator's sweep sends again a push whose task was lost, at most once per grace period.
- The portal's sweep re-sends a retry only when its countdown task is overdue (not every retry twice).
- The portal's poll queues a fetch only for messages nobody is working on (not every pending one each time).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from exchanges import services
from exchanges.models import IncomingMessage, IncomingState, OutgoingMessage, OutgoingState
from oots_client.access_point import MessageStatus, soap
from oots_client.edm.examples import example_request
from simulators.access_point import services as ap_sim
from simulators.access_point import tasks as ap_tasks
from simulators.access_point.models import ApMessage, ApNotification
from simulators.access_point.testing import request_message
from tests.exchanges.factories import make_exchange

pytestmark = pytest.mark.django_db

GRACE = 20
CLAIM_TIMEOUT = 15


@pytest.fixture(autouse=True)
def _timings(settings):
    settings.OOTS_AP_SIM_SWEEP_GRACE_SECONDS = GRACE
    settings.OOTS_SEND_CLAIM_TIMEOUT = CLAIM_TIMEOUT
    settings.OOTS_AP_SIM_PUSH = True
    settings.OOTS_EP_SIM_DEFAULT_SCENARIO = "immediate"


def _later(seconds: float) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=seconds)


def test_the_simulator_accepts_a_submission_while_the_broker_is_down_and_its_sweep_delivers_it(
    monkeypatch, django_capture_on_commit_callbacks
):
    def broker_down(*args: object, **kwargs: object) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(ap_tasks.deliver_submitted, "delay", broker_down)
    message = request_message(example_request())
    with django_capture_on_commit_callbacks(execute=True):
        message_id, duplicate = ap_sim.message_submit(envelope=soap.submit_request(message), message=message)
    stored = ApMessage.objects.get(message_id=message_id)
    assert (stored.status, duplicate) == (MessageStatus.SEND_ENQUEUED, False)  # accepted, not lost
    assert ap_sim.lost_work_requeue(now=_later(GRACE - 1)) == ([], [])  # its task may still be queued
    assert ap_sim.lost_work_requeue(now=_later(GRACE + 1))[0] == [stored.pk]


def test_the_simulator_sweep_sends_a_lost_push_again_once_per_grace(django_capture_on_commit_callbacks):
    message = request_message(example_request())
    ap_sim.message_submit(envelope=soap.submit_request(message), message=message)
    stored = ApMessage.objects.get(message_id=message.header.message_id)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        push_now = ap_sim.submitted_deliver(message_pk=stored.pk)
    # receiveSuccess for the answer, sendSuccess for the request: left for the delivering task to push
    # itself, which dies before it does (the pushes are lost).
    assert queued == [] and len(push_now) == 2
    lost = {pk for pk, _ in push_now}
    assert set(ApNotification.objects.values_list("pk", flat=True)) == lost
    sweep_time = _later(GRACE + 1)
    assert set(ap_sim.lost_work_requeue(now=sweep_time)[1]) == lost
    # Sent again just now: the next sweeps leave them to that task for a whole grace.
    assert ap_sim.lost_work_requeue(now=sweep_time + dt.timedelta(seconds=GRACE - 1)) == ([], [])
    assert set(ap_sim.lost_work_requeue(now=sweep_time + dt.timedelta(seconds=GRACE + 1))[1]) == lost


def test_the_sweep_resends_a_retry_only_once_its_task_is_overdue(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        exchange = services.evidence_request_give_explicit_request(evidence_request=make_exchange())
    outgoing = exchange.outgoing.get()
    retry_at = timezone.now()
    OutgoingMessage.objects.filter(pk=outgoing.pk).update(
        state=OutgoingState.PENDING, next_attempt_at=retry_at
    )
    on_time = retry_at + dt.timedelta(seconds=CLAIM_TIMEOUT - 1)
    assert outgoing.pk not in services.outgoing_due(now=on_time)  # the worker's countdown task runs it
    overdue = retry_at + dt.timedelta(seconds=CLAIM_TIMEOUT + 1)
    assert outgoing.pk in services.outgoing_due(now=overdue)  # that task was lost with its worker


def test_the_poll_queues_a_fetch_only_for_new_or_unattended_messages():
    now = timezone.now()
    old = now - dt.timedelta(seconds=CLAIM_TIMEOUT + 1)
    IncomingMessage.objects.create(ebms_message_id="just-pushed")  # its fetch is queued
    IncomingMessage.objects.create(ebms_message_id="being-fetched", claimed_at=now)
    IncomingMessage.objects.create(ebms_message_id="fetch-lost")
    IncomingMessage.objects.create(ebms_message_id="claim-lost", claimed_at=old)
    IncomingMessage.objects.create(
        ebms_message_id="not-marked", state=IncomingState.PROCESSED, processed_at=old, downloaded=False
    )
    IncomingMessage.objects.filter(ebms_message_id__in=["fetch-lost", "claim-lost", "not-marked"]).update(
        created_at=old
    )
    pending = ["new", "just-pushed", "being-fetched", "fetch-lost", "claim-lost", "not-marked"]

    due = services.incoming_to_fetch(pending_ids=pending, now=now)

    assert due == ["new", "fetch-lost", "claim-lost", "not-marked"]
    assert IncomingMessage.objects.filter(ebms_message_id="new", state=IncomingState.NOTIFIED).exists()

"""Celery tasks of the access-point simulator: ids in, idempotent, acks_late.

Why Celery: delivery and push must survive the HTTP request that submitted the message (the portal's own
worker then sees the simulator behave like a remote access point, with real latency), and the portal already
runs a Celery worker beside its web process in every set-up (embedded broker in the demo, Redis in
production-like runs): no second mechanism to operate.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings

from oots_client.retry import backoff_delay
from simulators.access_point import backend, services

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True, soft_time_limit=60, time_limit=90)
def deliver_submitted(message_pk: int) -> None:
    """Deliver a submitted message to the provider simulator and store its answers (once), then push.

    The answers' pushes (what the portal waits for) are made here rather than queued as tasks of their
    own; one that fails is queued with its backoff, as any push. The send receipt (``sendSuccess``) is
    queued after them: this worker is free sooner, and the portal's fetch of the answer, queued while it
    took the push, comes first.
    """
    for notification_pk, operation in services.submitted_deliver(message_pk=message_pk):
        if operation.startswith("receive"):
            if (countdown := push_once(notification_pk)) is not None:
                push_notification.apply_async((notification_pk,), countdown=countdown)
        else:
            push_notification.delay(notification_pk)


def _backoff(retries: int) -> float:
    return backoff_delay(
        retries + 1,
        base=float(settings.OOTS_AP_SIM_PUSH_BACKOFF_SECONDS),
        cap=float(settings.OOTS_AP_SIM_PUSH_BACKOFF_CAP_SECONDS),
    )


def push_once(notification_pk: int) -> float | None:
    """One attempt at a push to the portal's BackendService: None when done (sent, refused, given up or
    not pending), else the seconds to wait before the next attempt."""
    notification = services.notification_claim(notification_pk=notification_pk)
    if notification is None:
        return None
    try:
        backend.notify(
            url=settings.OOTS_AP_SIM_BACKEND_URL,
            username=settings.OOTS_BACKEND_USERNAME,
            password=settings.OOTS_BACKEND_PASSWORD,
            operation=notification.operation,
            message_id=notification.message.message_id,
        )
    except backend.PushRefused as exc:
        logger.warning("push %s %s refused: %s", notification.operation, notification.message.message_id, exc)
        services.notification_record(notification_pk=notification_pk, error=str(exc), final=True)
        return None
    except backend.PushFailed as exc:
        final = notification.attempts >= settings.OOTS_AP_SIM_PUSH_MAX_ATTEMPTS
        countdown = _backoff(notification.attempts - 1)
        services.notification_record(
            notification_pk=notification_pk, error=str(exc), final=final, retry_in=countdown
        )
        if final:
            logger.warning(
                "push %s %s given up: %s", notification.operation, notification.message.message_id, exc
            )
            return None
        return countdown
    services.notification_record(notification_pk=notification_pk, error=None)
    return None


@shared_task(
    bind=True,
    acks_late=True,
    ignore_result=True,
    max_retries=None,
    soft_time_limit=30,
    time_limit=services.PUSH_ATTEMPT_SECONDS,
)
def push_notification(self, notification_pk: int) -> None:  # type: ignore[no-untyped-def]
    """Push one notification to the portal's BackendService; retry while the portal is down."""
    if (countdown := push_once(notification_pk)) is not None:
        raise self.retry(countdown=countdown)


@shared_task(ignore_result=True)
def sweep_lost_work() -> dict[str, int]:
    """Deliver and push again what lost its task (beat runs this beside the portal's sweep)."""
    messages, notifications = services.lost_work_requeue()
    for message_pk in messages:
        deliver_submitted.delay(message_pk)
    for notification_pk in notifications:
        push_notification.delay(notification_pk)
    return {"delivered_again": len(messages), "pushed_again": len(notifications)}


@shared_task(ignore_result=True)
def remove_orphaned_envelopes() -> int:
    """Delete envelope files that no message references (beat, daily)."""
    return services.envelope_files_orphaned_remove()

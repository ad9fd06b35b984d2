"""Celery tasks of the back-office delivery. Arguments are ids; the claim in ``services.delivery_attempt``
makes a task delivered twice (``acks_late`` after a worker died, the sweep re-queueing) do nothing the second
time."""

from __future__ import annotations

from celery import shared_task
from celery.app.task import Task

from registrations import services


@shared_task(bind=True, max_retries=None)
def deliver_application(self: Task, delivery_id: int) -> str:
    outcome = services.delivery_attempt(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        # The row says when (next_attempt_at); the sweep queues it again should this retry be lost.
        raise self.retry(countdown=outcome.retry_in)
    return outcome.result


@shared_task
def sweep_deliveries() -> int:
    """Queue the deliveries whose task was lost (beat)."""
    due = services.deliveries_due()
    for delivery_id in due:
        deliver_application.delay(delivery_id)
    return len(due)

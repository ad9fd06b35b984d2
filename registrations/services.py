"""Writes on deliveries: created with the submission, claimed, sent, retried, given up, acknowledged, sent
again on an owner's request. Keys and tokens are issued here too.

Exactly once per application and backend: the :class:`Delivery` row is unique per (application, backend)
and created inside the submission's transaction (``procedures.signals.application_submitted``); its task is
queued when that transaction commits. A task claims its row atomically (pending and due, or sending under a
claim older than a task can live); a second run of the same task finds nothing to claim.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from oots_client.retry import backoff_delay
from procedures.models import Application
from registrations.models import ApiToken, BackendKind, Delivery, DeliveryState, RegistrationBackend
from registrations.senders import DeliveryError, PermanentDeliveryError, email_send, webhook_send

logger = logging.getLogger(__name__)

_SENDERS = {BackendKind.EMAIL: email_send, BackendKind.WEBHOOK: webhook_send}
# A claim older than this belongs to a worker that died mid-send (tasks are killed at CELERY_TASK_TIME_LIMIT).
_CLAIM_GRACE = dt.timedelta(seconds=30)
# The task is queued with the same delay as next_attempt_at; a worker's clock a little ahead must not make
# it find the row "not due" and drop it.
_DUE_SLACK = dt.timedelta(seconds=2)


def _queue(delivery_ids: list[int]) -> None:
    from registrations.tasks import deliver_application

    for delivery_id in delivery_ids:
        deliver_application.delay(delivery_id)


def deliveries_create(*, application: Application) -> list[Delivery]:
    """One delivery per enabled backend of the application's procedure; the pushed ones queued on commit.

    Called inside the submission's transaction: a submission rolled back leaves no delivery and queues
    nothing; a submission committed always has its deliveries."""
    created: list[Delivery] = []
    backends = RegistrationBackend.objects.filter(procedure_id=application.procedure_id, enabled=True)
    for backend in backends:
        state = DeliveryState.AVAILABLE if backend.kind == BackendKind.API else DeliveryState.PENDING
        delivery, new = Delivery.objects.get_or_create(
            application=application, backend=backend, defaults={"state": state}
        )
        if new:
            created.append(delivery)
    to_push = [d.pk for d in created if d.state == DeliveryState.PENDING]
    if to_push:
        transaction.on_commit(lambda: _queue(to_push))
    return created


def delivery_claim(*, delivery_id: int) -> Delivery | None:
    """Take the delivery for sending, or None when it is delivered, failed, not due, or being sent now."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - _CLAIM_GRACE
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + _DUE_SLACK)
    claimed = (
        Delivery.objects.filter(pk=delivery_id)
        .filter((Q(state=DeliveryState.PENDING) & due) | Q(state=DeliveryState.SENDING, claimed_at__lt=stale))
        .update(state=DeliveryState.SENDING, claimed_at=now, attempts=F("attempts") + 1, updated_at=now)
    )
    if claimed != 1:
        return None
    return Delivery.objects.select_related("application__procedure__authority", "backend").get(pk=delivery_id)


@dataclass(frozen=True)
class AttemptOutcome:
    result: str  # "delivered", "retry", "failed", "not claimed"
    retry_in: float | None = None


def _backoff(attempts: int) -> float:
    return backoff_delay(
        attempts,
        base=settings.OOTS_BACKOFFICE_BACKOFF_BASE_SECONDS,
        cap=settings.OOTS_BACKOFFICE_BACKOFF_CAP_SECONDS,
    )


def _attempt_failed(
    delivery: Delivery, mine: QuerySet[Delivery], error: str, *, transient: bool
) -> AttemptOutcome:
    error = error[:2000]
    if not transient or delivery.attempts >= settings.OOTS_BACKOFFICE_MAX_ATTEMPTS:
        if transient:
            error = f"gave up after {delivery.attempts} attempts: {error}"[:2000]
        mine.update(state=DeliveryState.FAILED, last_error=error, claimed_at=None, next_attempt_at=None)
        logger.warning("delivery %s failed for good: %s", delivery.pk, error)
        return AttemptOutcome("failed")
    delay = _backoff(delivery.attempts)
    mine.update(
        state=DeliveryState.PENDING,
        last_error=error,
        claimed_at=None,
        next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
    )
    logger.info(
        "delivery %s attempt %s failed, again in %.0f s: %s", delivery.pk, delivery.attempts, delay, error
    )
    return AttemptOutcome("retry", retry_in=delay)


def delivery_attempt(*, delivery_id: int) -> AttemptOutcome:
    """Claim and send one delivery; record the outcome. Safe to call twice: the second call claims nothing."""
    delivery = delivery_claim(delivery_id=delivery_id)
    if delivery is None:
        return AttemptOutcome("not claimed")
    # Every write below is conditional on this very claim: a worker that lost it (taken over as stale)
    # records nothing over the one that took it.
    mine = Delivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.SENDING, claimed_at=delivery.claimed_at
    )
    if delivery.attempts > settings.OOTS_BACKOFFICE_MAX_ATTEMPTS:
        # Only claims taken over get here: the worker died (killed, out of memory) during every attempt.
        error = f"gave up after {delivery.attempts - 1} attempts, each ended by a worker that stopped"
        return _attempt_failed(delivery, mine, error, transient=False)
    sender = _SENDERS.get(delivery.backend.kind)  # type: ignore[call-overload]
    try:
        if sender is None:
            raise PermanentDeliveryError("this backend is collected through the API, not sent")
        detail = sender(delivery)
    except DeliveryError as exc:
        return _attempt_failed(delivery, mine, str(exc), transient=exc.transient)
    except Exception as exc:
        # Anything unforeseen (a stored file gone, the soft time limit) is recorded and retried like a
        # transient failure: the row never stays claimed, and the attempts stay bounded.
        logger.exception("delivery %s: unexpected error", delivery.pk)
        return _attempt_failed(delivery, mine, f"{type(exc).__name__}: {exc}", transient=True)
    mine.update(
        state=DeliveryState.DELIVERED,
        delivered_at=timezone.now(),
        claimed_at=None,
        next_attempt_at=None,
        last_error="",
    )
    logger.info("delivery %s delivered: %s", delivery.pk, detail)
    return AttemptOutcome("delivered")


def deliveries_due() -> list[int]:
    """Pushed deliveries whose task may have been lost: pending and due, or sending under a stale claim
    (the beat's sweep queues them again; the claim keeps it harmless when the task was not lost)."""
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) - _CLAIM_GRACE
    return list(
        Delivery.objects.filter(
            Q(state=DeliveryState.PENDING, next_attempt_at__lte=now)
            | Q(state=DeliveryState.PENDING, next_attempt_at__isnull=True, created_at__lte=now - _CLAIM_GRACE)
            | Q(state=DeliveryState.SENDING, claimed_at__lt=stale)
        ).values_list("pk", flat=True)[:500]
    )


def deliveries_redeliver(*, delivery_ids: list[int]) -> int:
    """The owner's "deliver again": pushed deliveries back to pending with fresh attempts and queued; API
    deliveries offered again for collection. A delivery being sent right now is left alone."""
    count = 0
    with transaction.atomic():
        rows = Delivery.objects.select_for_update().select_related("backend").filter(pk__in=delivery_ids)
        to_push = []
        for delivery in rows.exclude(state=DeliveryState.SENDING):
            if delivery.backend.kind == BackendKind.API:
                delivery.state = DeliveryState.AVAILABLE
                delivery.delivered_at = None
            else:
                delivery.state = DeliveryState.PENDING
                delivery.attempts = 0
                delivery.next_attempt_at = None
                to_push.append(delivery.pk)
            delivery.save(
                update_fields=["state", "delivered_at", "attempts", "next_attempt_at", "updated_at"]
            )
            count += 1
        if to_push:
            transaction.on_commit(lambda: _queue(to_push))
    return count


def delivery_acknowledge(*, delivery: Delivery) -> Delivery:
    """The back office has the application (API): delivered. Acknowledging again changes nothing."""
    Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.AVAILABLE).update(
        state=DeliveryState.DELIVERED, delivered_at=timezone.now(), updated_at=timezone.now()
    )
    delivery.refresh_from_db()
    return delivery


def api_token_used(*, token: ApiToken) -> None:
    # At most one write a minute per token: a back office polling every few seconds does not write each time.
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - dt.timedelta(minutes=1))
    ).update(last_used_at=now)

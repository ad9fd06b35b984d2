"""Writes of the access-point simulator: submit, deliver to the provider simulator, store answers, push.

Idempotent throughout, because the portal pre-assigns ebMS message ids and Celery may run a task twice:

- a message id submitted again is logged (:class:`ApSubmission` ``duplicate=True``) and never delivered again;
- delivery claims the message (``SEND_ENQUEUED`` → done) inside one transaction with the provider's answers,
  whose message ids are derived from the request's (uuid5), so a re-run stores nothing twice;
- one :class:`ApNotification` per message and operation, sent once.

Delivery and pushes are Celery tasks sent after commit; a task lost on the way (broker restarted without
persistence, worker killed) is sent again by :func:`lost_work_requeue`, run periodically like the portal's
own sweep — as a real access point keeps retrying what it has accepted.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from typing import Final

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from exchanges.file_sweep import orphaned_files_remove
from oots_client.access_point import ebms, soap
from oots_client.access_point.model import AsMessage, MessageStatus, PartyId
from simulators.access_point.delivery import ProviderAnswer, request_deliver
from simulators.access_point.models import (
    ApControl,
    ApMessage,
    ApNotification,
    ApSubmission,
    Direction,
    NotificationStatus,
)

logger = logging.getLogger(__name__)

MESSAGE_ID_DOMAIN: Final = "ap-sim.oots.local"
# Domibus's code for a peer access point that cannot be reached (the WS plugin's errorCode list).
UNREACHABLE_ERROR_CODE: Final = "EBMS_0005"
# The push task's hard time limit (tasks.push_notification): an attempt older than this has ended.
PUSH_ATTEMPT_SECONDS: Final = 45


def _party(party: PartyId | None) -> str:
    if party is None:
        return ""
    return f"{party.type}:{party.value}" if party.type else party.value


def derived_message_id(request_message_id: str, key: str) -> str:
    """The ebMS id of a provider's answer: the same request and key always give the same id."""
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, f'{request_message_id}#{key}')}@{MESSAGE_ID_DOMAIN}"


# --- the fault switch ----------------------------------------------------------------------------------


def control_get() -> ApControl:
    control, _ = ApControl.objects.get_or_create(pk=1)
    return control


def control_update(**changes: object) -> ApControl:
    """Change the fault switch; only the fields given change (see ``views.CONTROL_FIELDS``)."""
    with transaction.atomic():
        control = control_get()
        for name, value in changes.items():
            setattr(control, name, value)
        control.full_clean()
        control.save()
    return control


def control_reset() -> ApControl:
    ApControl.objects.filter(pk=1).delete()
    return control_get()


def push_enabled() -> bool:
    override = control_get().push
    return bool(settings.OOTS_AP_SIM_PUSH if override is None else override)


# --- submit --------------------------------------------------------------------------------------------


def message_submit(*, envelope: bytes, message: AsMessage) -> tuple[str, bool]:
    """Accept a ``submitRequest``: ``(message id, duplicate)``; a new message is delivered after commit.

    The portal pre-assigns the message id; a submission without one gets a fresh id, as Domibus does.
    """
    header = message.header
    message_id = header.message_id or f"{uuid.uuid4()}@{MESSAGE_ID_DOMAIN}"
    with transaction.atomic():
        stored, created = ApMessage.objects.get_or_create(
            message_id=message_id,
            defaults={
                "direction": Direction.OUTBOUND,
                "status": MessageStatus.SEND_ENQUEUED,
                "action": header.action,
                "conversation_id": header.conversation_id or "",
                "ref_to_message_id": header.ref_to_message_id or "",
                "from_party": _party(header.from_party),
                "to_party": _party(header.to_party),
                "original_sender": _party(header.original_sender),
                "final_recipient": _party(header.final_recipient),
                "envelope": envelope,
            },
        )
        ApSubmission.objects.create(message=stored, duplicate=not created)
        if created:
            from simulators.access_point.tasks import deliver_submitted

            pk = stored.pk
            # Robust: the message is accepted once committed; a broker that is down must not turn the
            # answer into a 500 (the sweep delivers it later).
            transaction.on_commit(lambda: deliver_submitted.delay(pk), robust=True)
        else:
            logger.warning("duplicate submission of %s: logged, not delivered again", message_id)
    return message_id, not created


# --- delivery to the provider simulator -----------------------------------------------------------


def submitted_deliver(*, message_pk: int) -> list[tuple[int, str]]:
    """Route a submitted message to the back end behind its ``To`` party (the provider simulator, through
    ``simulators.access_point.delivery``) and store the answers.

    Returns the notifications due now (id, operation), answers first, for the caller to push once this has
    committed: the delivery task pushes the answers itself (one Celery hop less between an answer and the
    portal) and queues the rest.
    """
    push_now: list[tuple[int, str]] = []
    with transaction.atomic():
        stored = ApMessage.objects.defer(None).select_for_update().filter(pk=message_pk).first()
        if stored is None or stored.status != MessageStatus.SEND_ENQUEUED:
            return []  # delivered (or failed) already: a task run twice does nothing the second time
        now = timezone.now()
        to_party = stored.to_party.rsplit(":", 1)[-1]
        if to_party in control_get().unreachable_parties:
            stored.status = MessageStatus.SEND_FAILURE
            stored.error_code = UNREACHABLE_ERROR_CODE
            stored.error_detail = f"The access point of party [{to_party}] could not be reached"
            stored.save(update_fields=["status", "error_code", "error_detail"])
            notification_enqueue(stored, "sendFailure", push_now=push_now)
            return push_now
        request = soap.read_message(soap.parse_envelope(stored.envelope_bytes()))
        if request.header.action == ebms.ACTION_REQUEST:
            answers = request_deliver(message=request, message_id=stored.message_id)
            answers_store(
                request_message_id=stored.message_id, answers=answers, request=request, push_now=push_now
            )
        # Answers submitted by a provider's back end go to another access point: nothing to deliver here.
        stored.status = MessageStatus.ACKNOWLEDGED
        stored.delivered_at = now
        stored.save(update_fields=["status", "delivered_at"])
        notification_enqueue(stored, "sendSuccess", push_now=push_now)
    return push_now


def _answer_message(request: AsMessage, answer: ProviderAnswer, message_id: str) -> AsMessage:
    header = request.header
    requester_ap = header.from_party
    provider_ap = header.to_party or PartyId("unknown")
    corners = ebms.Corners(
        sender_access_point=provider_ap,
        receiver_access_point=requester_ap,
        original_sender=header.final_recipient or provider_ap,
        final_recipient=header.original_sender or requester_ap,
    )
    exchange = header.get_property("ExchangeId")
    return ebms.oots_message(
        corners=corners,
        action=ebms.ACTION_EXCEPTION if answer.error else ebms.ACTION_RESPONSE,
        conversation_id=header.conversation_id or str(uuid.uuid4()),
        regrep=answer.regrep,
        regrep_cid=f"cid:{uuid.uuid5(uuid.NAMESPACE_URL, message_id)}@{MESSAGE_ID_DOMAIN}",
        attachments=answer.attachments,
        specification_id=answer.specification_id,
        exchange_id=exchange.value if exchange else None,
        message_id=message_id,
        ref_to_message_id=header.message_id,
        timestamp=answer.available_at or timezone.now(),
    )


def answers_store(
    *,
    request_message_id: str,
    answers: Iterable[ProviderAnswer],
    request: AsMessage | None = None,
    push_now: list[tuple[int, str]] | None = None,
) -> list[ApMessage]:
    """Store a provider's answers to a request as messages pending for the portal, and push them.

    Called at delivery, and later by the provider simulator for answers that wait (a preview decision).
    ``push_now``: see :func:`notification_enqueue`.
    """
    if request is None:
        original = ApMessage.objects.defer(None).get(
            message_id=request_message_id, direction=Direction.OUTBOUND
        )
        request = soap.read_message(soap.parse_envelope(original.envelope_bytes()))
    stored: list[ApMessage] = []
    with transaction.atomic():
        for answer in answers:
            message_id = derived_message_id(request_message_id, answer.key)
            if (existing := ApMessage.objects.filter(message_id=message_id).first()) is not None:
                stored.append(existing)
                continue
            message = _answer_message(request, answer, message_id)
            header = message.header
            inbound = ApMessage(
                message_id=message_id,
                direction=Direction.INBOUND,
                status=MessageStatus.RECEIVED,
                action=header.action,
                conversation_id=header.conversation_id or "",
                ref_to_message_id=request_message_id,
                from_party=_party(header.from_party),
                to_party=_party(header.to_party),
                original_sender=_party(header.original_sender),
                final_recipient=_party(header.final_recipient),
                available_at=answer.available_at or timezone.now(),
            )
            inbound.envelope_set(soap.retrieve_message_response(message))
            inbound.save(force_insert=True)
            notification_enqueue(
                inbound, "receiveSuccess", not_before=inbound.available_at, push_now=push_now
            )
            stored.append(inbound)
    return stored


def inbound_inject(*, message: AsMessage) -> ApMessage:
    """Store ``message`` as received for the portal, as whichever party its header names, and push it.

    For testers and tests that play a faulty or malicious party on the network: any sender, any ids, any
    payloads (``/sim/ap/control/inbox``). The portal then downloads it over the WS plugin like any answer.
    Raises :class:`ValueError` when a message with its id exists already.
    """
    header = message.header
    message_id = header.message_id or f"{uuid.uuid4()}@{MESSAGE_ID_DOMAIN}"
    if header.message_id is None:
        message = dataclasses.replace(message, header=dataclasses.replace(header, message_id=message_id))
    with transaction.atomic():
        if ApMessage.objects.filter(message_id=message_id).exists():
            raise ValueError(f"a message with id {message_id} exists already")
        inbound = ApMessage(
            message_id=message_id,
            direction=Direction.INBOUND,
            status=MessageStatus.RECEIVED,
            action=header.action,
            conversation_id=header.conversation_id or "",
            ref_to_message_id=header.ref_to_message_id or "",
            from_party=_party(header.from_party),
            to_party=_party(header.to_party),
            original_sender=_party(header.original_sender),
            final_recipient=_party(header.final_recipient),
        )
        inbound.envelope_set(soap.retrieve_message_response(message))
        inbound.save(force_insert=True)
        notification_enqueue(inbound, "receiveSuccess")
    return inbound


# --- what the portal downloads -------------------------------------------------------------------------


def pending_ids(*, conversation_id: str | None = None) -> list[str]:
    messages = ApMessage.objects.filter(
        direction=Direction.INBOUND, status=MessageStatus.RECEIVED, available_at__lte=timezone.now()
    )
    if conversation_id:
        messages = messages.filter(conversation_id=conversation_id)
    return list(messages.values_list("message_id", flat=True))


def inbound_get(message_id: str) -> ApMessage | None:
    """A message the portal may download: received, and due (a later answer is invisible before its time)."""
    return (
        ApMessage.objects.defer(None)  # the envelope is what is downloaded
        .filter(message_id=message_id, direction=Direction.INBOUND, available_at__lte=timezone.now())
        .first()
    )


def message_mark_downloaded(*, message_id: str) -> bool:
    """Mark a received message downloaded; False when there is no such message."""
    updated = ApMessage.objects.filter(
        message_id=message_id, direction=Direction.INBOUND, available_at__lte=timezone.now()
    )
    if not updated.exists():
        return False
    updated.filter(downloaded_at__isnull=True).update(
        status=MessageStatus.DOWNLOADED, downloaded_at=timezone.now()
    )
    return True


# --- pushes to the portal's BackendService ------------------------------------------------------------


def notification_enqueue(
    message: ApMessage,
    operation: str,
    *,
    not_before: dt.datetime | None = None,
    push_now: list[tuple[int, str]] | None = None,
) -> ApNotification | None:
    """Record a push and send it after commit (at ``not_before`` at the earliest); None when push is off.

    With ``push_now``, a push due at once is appended there for the caller to make after commit instead of
    being queued as a task; if the caller dies first, :func:`lost_work_requeue` pushes it, as a lost task.
    """
    if not push_enabled():
        return None
    # Callers hold the message (locked, or created in their transaction): nobody else records this push
    # meanwhile, so a look and an insert do what get_or_create does, without its savepoint round trips.
    if (existing := ApNotification.objects.filter(message=message, operation=operation).first()) is not None:
        return existing
    now = timezone.now()
    notification = ApNotification.objects.create(
        message=message, operation=operation, next_attempt_at=max(now, not_before or now)
    )
    from simulators.access_point.tasks import push_notification

    delay = max(0.0, (not_before - now).total_seconds()) if not_before else 0.0
    pk = notification.pk
    if push_now is not None and not delay:
        push_now.append((pk, operation))
    else:
        transaction.on_commit(
            lambda: push_notification.apply_async((pk,), countdown=delay or None), robust=True
        )
    return notification


def notification_claim(*, notification_pk: int) -> ApNotification | None:
    """The notification to send now, with its attempt counted; None when it was sent or given up."""
    with transaction.atomic():
        claimed = ApNotification.objects.filter(pk=notification_pk, status=NotificationStatus.PENDING)
        notification = (
            claimed.select_related("message")
            .defer("message__envelope")
            .select_for_update(of=("self",))
            .first()
        )
        if notification is None:
            return None
        notification.attempts += 1
        # The attempt ends within the push task's hard time limit; past that, its worker died.
        notification.next_attempt_at = timezone.now() + dt.timedelta(seconds=PUSH_ATTEMPT_SECONDS)
        notification.save(update_fields=["attempts", "next_attempt_at"])
        return notification


def notification_record(
    *, notification_pk: int, error: str | None, final: bool = False, retry_in: float = 0.0
) -> None:
    """Record the outcome of an attempt: sent, or the error (and failed when no attempt is left)."""
    if error is None:
        ApNotification.objects.filter(pk=notification_pk).update(
            status=NotificationStatus.SENT, sent_at=timezone.now(), last_error=""
        )
        return
    changes: dict[str, object] = {
        "last_error": error[:2000],
        "next_attempt_at": timezone.now() + dt.timedelta(seconds=retry_in),
    }
    if final:
        changes["status"] = NotificationStatus.FAILED
    ApNotification.objects.filter(pk=notification_pk).update(**changes)


# --- recovering lost tasks ------------------------------------------------------------------------------


def lost_work_requeue(*, now: dt.datetime | None = None) -> tuple[list[int], list[int]]:
    """``(messages, notifications)`` whose Celery task was lost: deliver and push them again.

    A message still ``SEND_ENQUEUED`` after the grace, or a pending push whose attempt was due (or should
    have ended) longer than the grace ago. Sending either task again is safe: delivery claims the message
    under a row lock and does nothing once it is delivered; a push repeated is one the portal ignores.
    """
    now = now or timezone.now()
    before = now - dt.timedelta(seconds=settings.OOTS_AP_SIM_SWEEP_GRACE_SECONDS)
    messages = ApMessage.objects.filter(
        direction=Direction.OUTBOUND, status=MessageStatus.SEND_ENQUEUED, created_at__lt=before
    )
    notifications = ApNotification.objects.filter(status=NotificationStatus.PENDING).filter(
        Q(next_attempt_at__lt=before) | Q(next_attempt_at__isnull=True, created_at__lt=before)
    )
    pushes = list(notifications.values_list("pk", flat=True)[:500])
    # Counted from now: a push re-sent waits a whole grace before it may be re-sent again, however long
    # the queue in front of it.
    ApNotification.objects.filter(pk__in=pushes).update(next_attempt_at=now)
    return list(messages.values_list("pk", flat=True)[:500]), pushes


# Envelope files younger than this are left by the orphan sweep: their row may not be committed yet.
ORPHAN_FILE_GRACE = dt.timedelta(hours=1)


def envelope_files_orphaned_remove(*, now: dt.datetime | None = None) -> int:
    """Delete envelope files (``sim-ap/``) that no message references: a delivery that rolled back after
    writing an answer's envelope, or a worker killed in between (daily, beat)."""
    field = ApMessage._meta.get_field("envelope_file")
    referenced = set(
        ApMessage.objects.exclude(envelope_file="").values_list("envelope_file", flat=True).iterator()
    )
    removed = orphaned_files_remove(
        storage=field.storage,  # type: ignore[attr-defined]
        folder="sim-ap",
        referenced=referenced,
        older_than=(now or timezone.now()) - ORPHAN_FILE_GRACE,
    )
    return len(removed)

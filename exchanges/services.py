"""Writes and state transitions of evidence exchanges. Views and tasks call these; nothing else writes.

Every transition is a conditional ``UPDATE … WHERE state = <expected>``: two workers (or a worker and a
user) racing on the same exchange cannot both win, and a task run twice does nothing the second time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
import logging
import re
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from exchanges.audit import (
    ExplicitRequestShown,
    chain_append,
    chain_purge,
    content_references,
    explicit_request_follow,
    explicit_request_record,
)
from exchanges.file_sweep import orphaned_files_remove
from exchanges.locations import preview_location_allowed
from exchanges.models import (
    TERMINAL_STATES,
    WAITING_STATES,
    Evidence,
    EvidenceRequest,
    ExchangeLog,
    ExchangeState,
    IncomingMessage,
    IncomingReason,
    IncomingState,
    LogDirection,
    OutgoingMessage,
    OutgoingState,
)
from exchanges.trust import (
    Refusal,
    attachments_refusal,
    content_refusal,
    header_refusal,
    media_type_base,
    party_label,
)
from oots_client.access_point import (
    AsMessage,
    Corners,
    MessageError,
    MessageStatus,
    PartyId,
    Payload,
    ebms,
    oots_message,
    regrep_payload,
)
from oots_client.edm import (
    BuildError,
    EdmError,
    ErrorResponse,
    EvidenceResponse,
    Finding,
    QueryRequest,
    ResponseStatus,
    ValidationReport,
    build_request,
    codelists,
    validate_message,
)
from oots_client.edm import (
    EvidenceRequest as EdmEvidenceRequest,
)
from oots_client.edm.model import new_request_id
from oots_client.edm.serialize import from_json, to_json
from oots_client.retry import backoff_delay

logger = logging.getLogger(__name__)


class TransitionRefused(Exception):
    """The exchange is not in a state that allows this step (it moved on meanwhile)."""


class RetryLimitReached(TransitionRefused):
    """The same evidence was asked of the same provider too often in the last hour (see
    :func:`evidence_request_retry_check`)."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def exchange_log(
    *,
    evidence_request: EvidenceRequest | None,
    direction: str,
    event: str,
    outcome: str = "",
    detail: str = "",
    ebms_message_id: str = "",
    request_id: str = "",
    payload: bytes | None = None,
    conversation_id: str = "",
    reason: str = "",
    findings: list[dict[str, str]] | None = None,
) -> None:
    """One entry of the exchange log; ``conversation_id`` is the exchange's, else the one given (the id a
    message claimed when it names no exchange)."""
    chain_append(
        evidence_request=evidence_request,
        direction=direction,
        event=event,
        outcome=outcome,
        reason=reason,
        detail=detail[:4000],
        findings=findings or [],
        ebms_message_id=ebms_message_id[:255],
        conversation_id=(evidence_request.conversation_id if evidence_request else conversation_id)[:255],
        request_id=request_id[:100],
        payload_sha256=_digest(payload) if payload is not None else "",
        payload_size=len(payload) if payload is not None else None,
    )
    logger.info(
        "exchange event=%s direction=%s outcome=%s",
        event,
        direction,
        outcome,
        extra={
            "exchange_id": str(evidence_request.public_id) if evidence_request else None,
            "conversation_id": evidence_request.conversation_id if evidence_request else None,
            "ebms_message_id": ebms_message_id or None,
            "request_id": request_id or None,
        },
    )


def _transition(
    evidence_request: EvidenceRequest, *, from_states: Iterable[str], to_state: str, **fields: object
) -> None:
    """Move the exchange to ``to_state`` if it is still in one of ``from_states``; refuse otherwise."""
    now = timezone.now()
    if to_state in TERMINAL_STATES:
        fields.setdefault("completed_at", now)
    updated = EvidenceRequest.objects.filter(pk=evidence_request.pk, state__in=list(from_states)).update(
        state=to_state, updated_at=now, **fields
    )
    if updated != 1:
        raise TransitionRefused(
            f"exchange {evidence_request.public_id} is no longer in {sorted(from_states)}"
        )
    previous = evidence_request.state
    evidence_request.refresh_from_db()
    exchange_log(
        evidence_request=evidence_request,
        direction=LogDirection.EVENT,
        event="state",
        outcome=to_state,
        detail=f"{previous} → {to_state}",
    )
    explicit_request_follow(evidence_request=evidence_request, previous=previous, to_state=to_state)


# --- Creating and requesting ----------------------------------------------------------------------------


def evidence_request_create(
    *,
    application: object,
    content: EdmEvidenceRequest,
    edm_version: str,
    access_point: PartyId,
    provider_country: str = "",
    requirement: object | None = None,
    required_loa: str = "",
) -> EvidenceRequest:
    """A draft exchange holding what will be requested; nothing is sent before the explicit request."""
    subject, _representative = content_references(content)
    evidence_request = EvidenceRequest.objects.create(
        subject_reference=subject,
        application=application,
        requirement=requirement,
        required_loa=required_loa,
        edm_version=edm_version,
        conversation_id=str(uuid.uuid4()),
        evidence_type_classification=content.evidence.classification,
        evidence_type_title=content.evidence.titles[0].value if content.evidence.titles else "",
        provider_identifier=content.evidence_provider.identifier.value,
        provider_scheme=content.evidence_provider.identifier.scheme_id or "",
        provider_name=content.evidence_provider.name,
        provider_country=provider_country,
        access_point_id=access_point.value,
        access_point_type=access_point.type or "",
        request_content=to_json(content),
    )
    exchange_log(
        evidence_request=evidence_request, direction=LogDirection.EVENT, event="created", outcome="draft"
    )
    return evidence_request


def _new_outgoing(evidence_request: EvidenceRequest, *, preview_location: str = "") -> OutgoingMessage:
    return OutgoingMessage.objects.create(
        evidence_request=evidence_request,
        request_id=new_request_id(),
        # Chosen before the first attempt and kept for every retry (see OutgoingMessage).
        ebms_message_id=f"{uuid.uuid4()}@{settings.OOTS_AP_PARTY_ID.lower()}.oots-portal",
        preview_location=preview_location,
    )


def _enqueue_send(outgoing: OutgoingMessage) -> None:
    from exchanges.tasks import send_outgoing_message

    # robust: with the broker down the request is still saved and the user still answered; the sweep
    # (outgoing_due) sends it once the broker is back.
    transaction.on_commit(lambda: send_outgoing_message.delay(outgoing.pk), robust=True)


def evidence_request_give_explicit_request(
    *,
    evidence_request: EvidenceRequest,
    content: EdmEvidenceRequest | None = None,
    shown: ExplicitRequestShown | None = None,
) -> EvidenceRequest:
    """The user asked for this evidence: record when (``ExplicitRequestGiven``) with what they were
    ``shown`` (the audit trail's explicit request, docs/audit.md), and queue the request.

    ``content``: the request as it stands now, when the caller re-reads what may have changed since the
    draft (the level of assurance of the user's current login, issue 17 item 4); else the draft's.
    """
    now = timezone.now()
    fields: dict[str, object] = {"request_content": to_json(content)} if content is not None else {}
    with transaction.atomic():
        _transition(
            evidence_request,
            from_states=[ExchangeState.DRAFT],
            to_state=ExchangeState.REQUESTED,
            explicit_request_at=now,
            deadline=now + dt.timedelta(seconds=settings.OOTS_EXCHANGE_TIMEOUT_SECONDS),
            **fields,
        )
        explicit_request_record(evidence_request=evidence_request, given_at=now, shown=shown)
        _enqueue_send(_new_outgoing(evidence_request))
    return evidence_request


def evidence_request_after_preview(*, evidence_request: EvidenceRequest) -> EvidenceRequest:
    """The user came back from the provider's preview space: send the second request (DIGEST §7 step 4)."""
    now = timezone.now()
    with transaction.atomic():
        _transition(
            evidence_request,
            from_states=[ExchangeState.PREVIEW_REQUIRED],
            to_state=ExchangeState.AWAITING_RESPONSE,
            deadline=now + dt.timedelta(seconds=settings.OOTS_EXCHANGE_TIMEOUT_SECONDS),
        )
        _enqueue_send(_new_outgoing(evidence_request, preview_location=evidence_request.preview_location))
    return evidence_request


def evidence_request_decline(*, evidence_request: EvidenceRequest) -> EvidenceRequest:
    """The user chose not to use OOTS for this evidence (e.g. to upload the document instead)."""
    with transaction.atomic():
        _transition(
            evidence_request,
            from_states=[ExchangeState.DRAFT, ExchangeState.PREVIEW_REQUIRED],
            to_state=ExchangeState.DECLINED,
        )
    return evidence_request


def evidence_request_retry_check(
    *, evidence_request: EvidenceRequest, now: dt.datetime | None = None
) -> None:
    """Refuse a new request for a failed exchange's evidence once it was retried
    ``OOTS_EXCHANGE_RETRIES_PER_HOUR`` times in the last hour (:class:`RetryLimitReached`).

    Every retry is a new cross-border request that a provider's registry answers: a citizen pressing
    "Request it again" in a loop must not turn the portal into a load generator. Counted: the requests made
    in the last hour for the same evidence type from the same provider in the same application (the first
    one included), so at most that many retries follow a request within any hour.
    """
    since = (now or timezone.now()) - dt.timedelta(hours=1)
    recent = EvidenceRequest.objects.filter(
        application_id=evidence_request.application_id,
        evidence_type_classification=evidence_request.evidence_type_classification,
        provider_identifier=evidence_request.provider_identifier,
        provider_scheme=evidence_request.provider_scheme,
        explicit_request_at__gte=since,
    ).count()
    if recent > settings.OOTS_EXCHANGE_RETRIES_PER_HOUR:
        raise RetryLimitReached(
            f"exchange {evidence_request.public_id}: {recent} requests for this evidence in the last hour"
        )


# --- Sending ------------------------------------------------------------------------------------------


def outgoing_claim(*, outgoing_id: int) -> OutgoingMessage | None:
    """Take the message for sending, or None when it is already sent, failed, or being sent right now.

    A claim older than ``OOTS_SEND_CLAIM_TIMEOUT`` belongs to a worker that died mid-send: it is taken over.
    """
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.OOTS_SEND_CLAIM_TIMEOUT)
    claimed = (
        OutgoingMessage.objects.filter(pk=outgoing_id)
        .filter(Q(state=OutgoingState.PENDING) | Q(state=OutgoingState.SENDING, claimed_at__lt=stale))
        .update(state=OutgoingState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return None
    return OutgoingMessage.objects.select_related("evidence_request").get(pk=outgoing_id)


def outgoing_build(*, outgoing: OutgoingMessage) -> tuple[bytes, list[dict[str, str]]]:
    """The RegRep request and what its validation found (for the exchange log).

    Built once and stored, so that every retry sends the very same bytes. Strict on what we send (DIGEST
    §10): XSD, exact code lists, the project's own rules and the official Schematron where the version has
    one; any error refuses the request (:class:`BuildError`).
    """
    if outgoing.payload:
        payload = bytes(outgoing.payload)
        return payload, findings_for_log(_validated(payload).findings)
    evidence_request = outgoing.evidence_request
    content = from_json(EdmEvidenceRequest, evidence_request.request_content)
    content = dataclasses.replace(
        content,
        request_id=outgoing.request_id,
        issue_datetime=timezone.now().replace(microsecond=0),
        preview_location=outgoing.preview_location or None,
    )
    payload = build_request(content, evidence_request.edm_version)
    report = _validated(payload)
    errors = [f for f in report.errors if not _demo_preview_location(f, outgoing.preview_location)]
    if errors:
        rules = ", ".join(sorted({f"{f.rule_id} ({f.message})" for f in errors}))
        raise BuildError(f"the built request breaks {rules}", "/")
    OutgoingMessage.objects.filter(pk=outgoing.pk).update(payload=payload)
    outgoing.payload = payload
    return payload, findings_for_log(report.findings)


def _demo_preview_location(finding: Finding, preview_location: str) -> bool:
    """Whether the finding is only the official rule R-EDM-REQ-C005 (https PreviewLocation, v1.0 and v1.1
    Schematron) against a plain-http loopback address that the portal allows for a demo or a test on one
    machine (``exchanges.locations``, refused in production by ``portal.checks``)."""
    return (
        finding.rule_id == "R-EDM-REQ-C005"
        and preview_location.startswith("http://")
        and preview_location_allowed(preview_location)
    )


def _validated(payload: bytes) -> ValidationReport:
    # The official Schematron ships with oots_client and always runs; OOTS_SPEC_DIR may override its rules.
    return validate_message(payload, spec_folder=settings.OOTS_SPEC_DIR)


def outgoing_payload(*, outgoing: OutgoingMessage) -> bytes:
    """The RegRep request (see :func:`outgoing_build`)."""
    return outgoing_build(outgoing=outgoing)[0]


def outgoing_as_message(*, outgoing: OutgoingMessage, payload: bytes, own_party: PartyId) -> AsMessage:
    evidence_request = outgoing.evidence_request
    # The request's EvidenceRequester is the message's original sender (C1): the engine sends for whoever
    # the request names, and knows nothing of the procedures behind it.
    requester = from_json(EdmEvidenceRequest, evidence_request.request_content).evidence_requester.identifier
    corners = Corners(
        sender_access_point=own_party,
        receiver_access_point=PartyId(
            evidence_request.access_point_id, evidence_request.access_point_type or None
        ),
        original_sender=PartyId(requester.value, requester.scheme_id),
        final_recipient=PartyId(
            evidence_request.provider_identifier, evidence_request.provider_scheme or None
        ),
    )
    return oots_message(
        corners=corners,
        action=ebms.ACTION_REQUEST,
        conversation_id=evidence_request.conversation_id,
        regrep=payload,
        regrep_cid=f"cid:{outgoing.request_id.removeprefix('urn:uuid:')}@oots-portal",
        specification_id=evidence_request.edm_version,
        exchange_id=str(evidence_request.public_id),
        message_id=outgoing.ebms_message_id,
        timestamp=timezone.now(),
    )


def outgoing_submitted(
    *,
    outgoing: OutgoingMessage,
    payload: bytes,
    domibus_id: str,
    findings: list[dict[str, str]] | None = None,
) -> None:
    now = timezone.now()
    with transaction.atomic():
        _lock_exchange_first(outgoing)
        updated = OutgoingMessage.objects.filter(pk=outgoing.pk, state=OutgoingState.SENDING).update(
            state=OutgoingState.SUBMITTED,
            submitted_at=now,
            last_error="",
            next_status_check_at=now + dt.timedelta(seconds=settings.OOTS_SEND_STATUS_AFTER_SECONDS),
        )
        if updated != 1:
            return
        evidence_request = outgoing.evidence_request
        exchange_log(
            evidence_request=evidence_request,
            direction=LogDirection.OUT,
            event="request_submitted",
            outcome="ok",
            ebms_message_id=outgoing.ebms_message_id,
            request_id=outgoing.request_id,
            payload=payload,
            detail=f"access point id {domibus_id}" if domibus_id != outgoing.ebms_message_id else "",
            findings=findings,
        )
        if evidence_request.state == ExchangeState.REQUESTED:
            _transition(evidence_request, from_states=[ExchangeState.REQUESTED], to_state=ExchangeState.SENT)


def outgoing_retry_later(*, outgoing: OutgoingMessage, error: str) -> float | None:
    """Put the message back for a later attempt; return the delay, or None when attempts are exhausted."""
    if outgoing.attempts >= settings.OOTS_SEND_MAX_ATTEMPTS:
        outgoing_failed(outgoing=outgoing, error=f"gave up after {outgoing.attempts} attempts: {error}")
        return None
    # 2-4 s after the first failure, doubling up to the cap; at least a second.
    delay = backoff_delay(outgoing.attempts, base=4, cap=settings.OOTS_SEND_BACKOFF_CAP_SECONDS, minimum=1)
    OutgoingMessage.objects.filter(pk=outgoing.pk, state=OutgoingState.SENDING).update(
        state=OutgoingState.PENDING,
        next_attempt_at=timezone.now() + dt.timedelta(seconds=delay),
        last_error=error[:2000],
        claimed_at=None,
    )
    exchange_log(
        evidence_request=outgoing.evidence_request,
        direction=LogDirection.OUT,
        event="request_retry",
        outcome="transient_error",
        detail=error,
        ebms_message_id=outgoing.ebms_message_id,
        request_id=outgoing.request_id,
    )
    return delay


def _lock_exchange_first(outgoing: OutgoingMessage) -> None:
    """Lock the message's exchange before the message and the audit chain's head, as ``incoming_process``
    locks the exchange before either: a request's submission and its answer processed at the same moment
    then wait for each other instead of deadlocking (each would hold what the other needs next)."""
    EvidenceRequest.objects.select_for_update().filter(pk=outgoing.evidence_request_id).exists()


def outgoing_failed(*, outgoing: OutgoingMessage, error: str, code: str = "SEND_FAILED") -> None:
    with transaction.atomic():
        _lock_exchange_first(outgoing)
        OutgoingMessage.objects.filter(pk=outgoing.pk).exclude(state=OutgoingState.SUBMITTED).update(
            state=OutgoingState.FAILED, last_error=error[:2000]
        )
        evidence_request = outgoing.evidence_request
        exchange_log(
            evidence_request=evidence_request,
            direction=LogDirection.OUT,
            event="request_failed",
            outcome="permanent_error",
            detail=error,
            ebms_message_id=outgoing.ebms_message_id,
            request_id=outgoing.request_id,
        )
        # Already finished another way (e.g. timed out)? The log above keeps the reason.
        with contextlib.suppress(TransitionRefused):
            _transition(
                evidence_request,
                from_states=WAITING_STATES,
                to_state=ExchangeState.FAILED,
                error_code=code,
                error_message=error[:2000],
            )


def outgoing_delivery_failed(*, ebms_message_id: str, detail: str) -> None:
    """The access point gave up delivering a message it had accepted (``sendFailure``)."""
    outgoing = (
        OutgoingMessage.objects.select_related("evidence_request")
        .filter(ebms_message_id=ebms_message_id)
        .first()
    )
    if outgoing is None:
        exchange_log(
            evidence_request=None,
            direction=LogDirection.NOTIFICATION,
            event="send_failure",
            outcome="unknown_message",
            ebms_message_id=ebms_message_id,
            detail=detail,
        )
        return
    outgoing_failed(
        outgoing=outgoing,
        error=detail or "the access point could not deliver the request",
        code="AS4_DELIVERY_FAILED",
    )


def outgoing_delivered(*, ebms_message_id: str) -> bool:
    """The receiving access point acknowledged the request (Domibus pushed ``sendSuccess``, or said
    ``ACKNOWLEDGED``): no status check is needed for it any more. False when it was known already."""
    updated = OutgoingMessage.objects.filter(
        ebms_message_id=ebms_message_id, delivered_at__isnull=True
    ).update(delivered_at=timezone.now(), next_status_check_at=None)
    return updated == 1


# Statuses of a sent message that mean the receiving access point has it (Domibus's receipt came back).
_DELIVERED_STATUSES = frozenset({MessageStatus.ACKNOWLEDGED, MessageStatus.ACKNOWLEDGED_WITH_WARNING})


def outgoing_status_due(*, now: dt.datetime | None = None) -> list[int]:
    """Requests accepted by the access point with no receipt yet whose status check is due.

    Each is asked about ``OOTS_SEND_STATUS_AFTER_SECONDS`` after its submission, then with a doubling delay,
    for as long as its exchange waits for an answer: in polling mode (no ``sendFailure`` push) this is how
    a request that cannot be delivered fails the exchange in about a minute instead of at its deadline.
    """
    now = now or timezone.now()
    due = OutgoingMessage.objects.filter(
        state=OutgoingState.SUBMITTED,
        delivered_at__isnull=True,
        next_status_check_at__lte=now,
        evidence_request__state__in=list(WAITING_STATES),
    ).order_by("next_status_check_at")
    return list(due.values_list("pk", flat=True)[:500])


def outgoing_status_claim(*, outgoing_id: int, now: dt.datetime | None = None) -> OutgoingMessage | None:
    """Take the status check (its next one is pushed back first: a check run twice asks once)."""
    now = now or timezone.now()
    outgoing = OutgoingMessage.objects.filter(pk=outgoing_id).select_related("evidence_request").first()
    if outgoing is None or outgoing.next_status_check_at is None or outgoing.next_status_check_at > now:
        return None
    delay = min(
        settings.OOTS_SEND_STATUS_AFTER_SECONDS * 2 ** (outgoing.status_checks + 1),
        settings.OOTS_SEND_BACKOFF_CAP_SECONDS,
    )
    claimed = OutgoingMessage.objects.filter(
        pk=outgoing_id,
        status_checks=outgoing.status_checks,
        delivered_at__isnull=True,
        next_status_check_at__lte=now,
    ).update(status_checks=F("status_checks") + 1, next_status_check_at=now + dt.timedelta(seconds=delay))
    if claimed != 1:
        return None
    outgoing.status_checks += 1
    return outgoing


def outgoing_status_record(
    *, outgoing: OutgoingMessage, status: MessageStatus, errors: Iterable[MessageError] = ()
) -> str:
    """What the access point said of a request (``getStatus``, and ``getMessageErrors`` on a failure)."""
    OutgoingMessage.objects.filter(pk=outgoing.pk).update(access_point_status=status.value)
    detail = (
        "; ".join(" ".join(part for part in (error.code, error.detail) if part) for error in errors) or ""
    )
    exchange_log(
        evidence_request=outgoing.evidence_request,
        direction=LogDirection.NOTIFICATION,
        event="status_checked",
        outcome=status.value,
        detail=detail,
        ebms_message_id=outgoing.ebms_message_id,
        request_id=outgoing.request_id,
    )
    if status in _DELIVERED_STATUSES:
        outgoing_delivered(ebms_message_id=outgoing.ebms_message_id)
        return "delivered"
    if status == MessageStatus.SEND_FAILURE:
        outgoing_failed(
            outgoing=outgoing,
            error=f"the access point could not deliver the request: {detail or status.value}",
            code="AS4_DELIVERY_FAILED",
        )
        return "failed"
    return "pending"


# --- Receiving ----------------------------------------------------------------------------------------


def incoming_announce(*, ebms_message_id: str, source: str) -> tuple[IncomingMessage, bool]:
    """Note that the access point holds a message for us; True when it still needs processing."""
    incoming, created = IncomingMessage.objects.get_or_create(ebms_message_id=ebms_message_id)
    if created:
        exchange_log(
            evidence_request=None,
            direction=LogDirection.NOTIFICATION,
            event=f"announced_{source}",
            outcome="new",
            ebms_message_id=ebms_message_id,
        )
    return incoming, incoming.state == IncomingState.NOTIFIED or not incoming.downloaded


def incoming_to_fetch(*, pending_ids: Iterable[str], now: dt.datetime | None = None) -> list[str]:
    """Of the messages the access point lists as pending, those a fetch must be queued for.

    New ones (announced here), and those nobody has touched for a claim timeout: their push's fetch task
    or their claim was lost, or marking them downloaded failed. The others are in hand already (a fetch is
    queued after their push, or a worker is on it): queuing them on every poll would only pile duplicates
    onto a busy queue — the busier, the more — each of which then finds nothing to claim.
    """
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.OOTS_SEND_CLAIM_TIMEOUT)
    pending_ids = list(pending_ids)
    known = {m.ebms_message_id: m for m in IncomingMessage.objects.filter(ebms_message_id__in=pending_ids)}
    due = []
    for ebms_message_id in pending_ids:
        incoming = known.get(ebms_message_id)
        if incoming is None:
            _, needs_work = incoming_announce(ebms_message_id=ebms_message_id, source="poll")
        else:
            touched = max(t for t in (incoming.created_at, incoming.claimed_at, incoming.processed_at) if t)
            needs_work = (incoming.state == IncomingState.NOTIFIED or not incoming.downloaded) and (
                touched < stale
            )
        if needs_work:
            due.append(ebms_message_id)
    return due


def incoming_claim(*, ebms_message_id: str) -> IncomingMessage | None:
    """Take the message for processing, or None when it is processed already or a worker is on it.

    Every claim counts an attempt; a message whose processing failed ``OOTS_INCOMING_MAX_ATTEMPTS`` times
    (an unexpected error, each time) is refused for good rather than taken again at every poll.
    """
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.OOTS_SEND_CLAIM_TIMEOUT)
    IncomingMessage.objects.get_or_create(ebms_message_id=ebms_message_id)
    claimed = (
        IncomingMessage.objects.filter(ebms_message_id=ebms_message_id, state=IncomingState.NOTIFIED)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return None
    incoming = IncomingMessage.objects.get(ebms_message_id=ebms_message_id)
    if incoming.attempts > settings.OOTS_INCOMING_MAX_ATTEMPTS:
        detail = f"processing failed {incoming.attempts - 1} times; see the workers' logs"
        IncomingMessage.objects.filter(pk=incoming.pk, state=IncomingState.NOTIFIED).update(
            state=IncomingState.REFUSED,
            reason=IncomingReason.PROCESSING_FAILED,
            detail=detail,
            processed_at=now,
        )
        exchange_log(
            evidence_request=None,
            direction=LogDirection.IN,
            event="message_received",
            outcome="refused",
            reason=IncomingReason.PROCESSING_FAILED,
            detail=detail,
            ebms_message_id=ebms_message_id,
        )
        logger.error(
            "incoming message refused reason=%s: %s",
            IncomingReason.PROCESSING_FAILED,
            detail,
            extra={"ebms_message_id": ebms_message_id},
        )
        return None
    return incoming


@dataclasses.dataclass
class _Verdict:
    """What happens to one incoming message: applied (``outcome``), parked or refused (with ``reason``)."""

    state: str
    outcome: str
    reason: str = ""
    detail: str = ""


def _refused(refusal: Refusal) -> _Verdict:
    return _Verdict(IncomingState.REFUSED, "refused", refusal.reason, refusal.detail)


def _parked(reason: IncomingReason, detail: str) -> _Verdict:
    return _Verdict(IncomingState.PARKED, "parked", reason, detail)


@dataclasses.dataclass
class _Reading:
    """The message's RegRep part read and validated (outside any lock: it is CPU work)."""

    parsed: object | None = None
    findings: tuple[Finding, ...] = ()
    refusal: Refusal | None = None

    @property
    def request_id(self) -> str | None:
        if isinstance(self.parsed, EvidenceResponse | ErrorResponse):
            return self.parsed.request_id
        return None


# Validation findings that refuse an answer whatever OOTS_INCOMING_SCHEMATRON says: a message that breaks
# the schema or the message structure is not read on, whoever sent it.
_ALWAYS_REFUSING_SOURCES = frozenset({"xsd", "structure"})
_VALUE_IN_TEXT = re.compile(r"(value|Value) '[^']*'")


def findings_for_log(findings: Iterable[Finding]) -> list[dict[str, str]]:
    """Findings as the exchange log keeps them: rule, source, severity, location and the rule's text, with
    any quoted value of the message (the XSD validator quotes them) left out: the log holds no personal
    data."""
    return [
        {
            "rule_id": f.rule_id,
            "source": f.source,
            "severity": f.severity,
            "location": f.location[:300],
            "message": _VALUE_IN_TEXT.sub(r"\1 '…'", f.message)[:500],
        }
        for f in list(findings)[:50]
    ]


def _read(regrep: Payload | None) -> _Reading:
    """Parse and validate the RegRep part (XSD, Schematron where the version has one, code lists, the
    project's own rules): structural and XSD errors refuse it; rule findings do as OOTS_INCOMING_SCHEMATRON
    says."""
    if regrep is None:
        return _Reading(refusal=Refusal(IncomingReason.UNREADABLE, "the message has no RegRep part"))
    try:
        report = validate_message(regrep.data, spec_folder=settings.OOTS_SPEC_DIR)
    except EdmError as exc:
        return _Reading(refusal=Refusal(IncomingReason.UNREADABLE, str(exc)))
    reading = _Reading(parsed=report.message, findings=report.findings)
    refuse_rules = settings.OOTS_INCOMING_SCHEMATRON == "refuse"
    blocking = [f for f in report.errors if refuse_rules or f.source in _ALWAYS_REFUSING_SOURCES]
    if blocking or report.message is None:
        rules = ", ".join(sorted({f.rule_id for f in blocking})) or "unreadable content"
        reading.refusal = Refusal(IncomingReason.INVALID, f"the answer breaks {rules}")
    elif isinstance(report.message, QueryRequest):
        reading.refusal = Refusal(IncomingReason.NOT_AN_ANSWER, "the message is a request, not an answer")
    elif isinstance(report.message, ErrorResponse) and not report.message.exceptions:
        reading.refusal = Refusal(IncomingReason.INVALID, "the error response carries no rs:Exception")
    return reading


def _claimed_exchange(
    conversation_id: str, request_id: str | None
) -> tuple[EvidenceRequest | None, EvidenceRequest | None, OutgoingMessage | None]:
    """The exchanges the ``ConversationId`` and the ``requestId`` name (each may be None), and the request
    the ``requestId`` is."""
    by_conversation = (
        EvidenceRequest.objects.filter(conversation_id=conversation_id).first() if conversation_id else None
    )
    outgoing = (
        OutgoingMessage.objects.select_related("evidence_request").filter(request_id=request_id).first()
        if request_id
        else None
    )
    return by_conversation, (outgoing.evidence_request if outgoing else None), outgoing


def _was_discarded(conversation_id: str, request_id: str) -> bool:
    """Whether the ids are those of an exchange deleted with its draft: its log entries outlive it."""
    log = ExchangeLog.objects.filter(conversation_id=conversation_id)
    return (
        log.filter(event="discarded").exists()
        and log.filter(event="request_submitted", request_id=request_id).exists()
    )


def _correlation_refusal(
    conversation_id: str,
    request_id: str | None,
    by_conversation: EvidenceRequest | None,
    by_request: EvidenceRequest | None,
    outgoing: OutgoingMessage | None,
) -> _Verdict | None:
    """Both ids present, both naming the same exchange, the ``requestId`` its latest request (DIGEST §10)."""
    if not conversation_id or not request_id:
        ids = (("ConversationId", conversation_id), ("requestId", request_id))
        missing = " and ".join(name for name, value in ids if not value)
        return _refused(Refusal(IncomingReason.MISSING_IDS, f"the message has no {missing}"))
    if by_conversation is None and by_request is None:
        if _was_discarded(conversation_id, request_id):
            return _parked(IncomingReason.EXCHANGE_DISCARDED, "the exchange was deleted with its draft")
        return _refused(
            Refusal(IncomingReason.UNKNOWN_EXCHANGE, "neither the ConversationId nor the requestId is ours")
        )
    if by_conversation is None or by_request is None or by_conversation.pk != by_request.pk:
        return _refused(
            Refusal(
                IncomingReason.IDS_DISAGREE,
                "the ConversationId names "
                + ("no exchange" if by_conversation is None else "one exchange")
                + ", the requestId "
                + ("no request" if by_request is None else "a request of another exchange"),
            )
        )
    latest = by_conversation.outgoing.order_by("-created_at", "-pk").first()
    if outgoing is None or latest is None or outgoing.pk != latest.pk:
        return _refused(
            Refusal(IncomingReason.STALE_REQUEST, "the requestId is not the latest request of the exchange")
        )
    return None


def _verdict(
    reading: _Reading,
    message: AsMessage,
    exchange: EvidenceRequest | None,
    correlation: _Verdict | None,
    written: list[str],
) -> _Verdict:
    """Every check in order, the first failure refuses; then park or apply (docs/exchanges.md)."""
    if reading.refusal is not None:
        return _refused(reading.refusal)
    if correlation is not None:
        return correlation
    assert exchange is not None
    parsed = reading.parsed
    assert isinstance(parsed, EvidenceResponse | ErrorResponse)
    asked = from_json(EdmEvidenceRequest, exchange.request_content) if exchange.request_content else None
    refusal = header_refusal(message.header, exchange) or content_refusal(parsed, exchange, asked)
    if refusal is None and isinstance(parsed, EvidenceResponse):
        refusal = attachments_refusal(
            parsed,
            message,
            max_bytes=settings.OOTS_EVIDENCE_MAX_BYTES,
            allowed=codelists.media_types(),
        )
    if refusal is not None:
        return _refused(refusal)
    # A genuine answer. When the exchange is not waiting for one, it is recorded and never applied: after the
    # end (timed out, failed, retried as a new exchange, declined) the user has moved on; while the user is to
    # preview the evidence, applying it would skip the preview they are entitled to (SDGR art. 14(3)(f)).
    if exchange.is_terminal:
        return _parked(IncomingReason.EXCHANGE_FINISHED, f"the exchange had ended ({exchange.state})")
    if exchange.state == ExchangeState.PREVIEW_REQUIRED:
        return _parked(
            IncomingReason.AWAITING_PREVIEW, "the exchange waits for the user to preview the evidence"
        )
    if exchange.state not in WAITING_STATES:
        return _parked(IncomingReason.EXCHANGE_FINISHED, f"the exchange is {exchange.state}")
    return _Verdict(IncomingState.PROCESSED, _apply(exchange, parsed, message, written))


def incoming_process(*, incoming: IncomingMessage, message: AsMessage) -> str:
    """Check a retrieved message against the exchange it claims, then apply, park or refuse it, once.

    A refused or parked message changes nothing in the exchange and writes no file; it is recorded on the
    :class:`IncomingMessage` (state, reason) and in the exchange log of the exchange it claims, and logged
    (ERROR for a refusal). Evidence files are written inside the transaction and deleted if it rolls back.
    Returns the outcome for the log.
    """
    header = message.header
    reading = _read(regrep_payload(message))
    conversation_id = header.conversation_id or ""
    written: list[str] = []
    try:
        with transaction.atomic():
            locked = IncomingMessage.objects.select_for_update().get(pk=incoming.pk)
            if locked.state != IncomingState.NOTIFIED:
                return "duplicate"
            request_id = reading.request_id
            by_conversation, by_request, outgoing = _claimed_exchange(conversation_id, request_id)
            exchange = by_conversation or by_request
            if exchange is not None:
                exchange = EvidenceRequest.objects.select_for_update().get(pk=exchange.pk)
            correlation = (
                _correlation_refusal(conversation_id, request_id, by_conversation, by_request, outgoing)
                if reading.refusal is None
                else None
            )
            verdict = _verdict(reading, message, exchange, correlation, written)
            # Files written for this message belong to its rows from the commit on.
            transaction.on_commit(written.clear)
            answered = outgoing if verdict.state == IncomingState.PROCESSED else None
            if answered is not None and answered.delivered_at is None:
                # An answer to the request proves the request arrived (no status check needed any more).
                OutgoingMessage.objects.filter(pk=answered.pk, delivered_at__isnull=True).update(
                    delivered_at=timezone.now()
                )
            _incoming_record(locked, message, reading, exchange, verdict)
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise
    return verdict.outcome if not verdict.reason else f"{verdict.outcome}: {verdict.reason}"


def _incoming_record(
    incoming: IncomingMessage,
    message: AsMessage,
    reading: _Reading,
    exchange: EvidenceRequest | None,
    verdict: _Verdict,
) -> None:
    header = message.header
    request_id = reading.request_id or ""
    regrep = regrep_payload(message)
    parsed = reading.parsed
    outcome = verdict.outcome
    if verdict.state == IncomingState.PROCESSED and isinstance(parsed, EvidenceResponse | ErrorResponse):
        outcome = parsed.kind
    exchange_log(
        evidence_request=exchange,
        direction=LogDirection.IN,
        event="message_received",
        outcome=outcome,
        reason=verdict.reason,
        ebms_message_id=incoming.ebms_message_id,
        conversation_id=header.conversation_id or "",
        request_id=request_id,
        payload=regrep.data if regrep else None,
        detail=verdict.detail if verdict.reason else "",
        findings=findings_for_log(reading.findings),
    )
    incoming.state = verdict.state
    incoming.reason = verdict.reason
    incoming.detail = (verdict.detail or verdict.outcome)[:4000]
    incoming.evidence_request = exchange
    incoming.conversation_id = (header.conversation_id or "")[:255]
    incoming.request_id = request_id[:100]
    incoming.action = header.action[:100]
    incoming.from_party = party_label(header.from_party)[:255]
    incoming.original_sender = party_label(header.original_sender)[:255]
    incoming.processed_at = timezone.now()
    incoming.save()
    extra = {
        "exchange_id": str(exchange.public_id) if exchange else None,
        "conversation_id": header.conversation_id or None,
        "ebms_message_id": incoming.ebms_message_id,
        "request_id": request_id or None,
    }
    if verdict.state == IncomingState.REFUSED:
        logger.error(
            "incoming message refused reason=%s exchange=%s: %s",
            verdict.reason,
            extra["exchange_id"],
            verdict.detail,
            extra=extra,
        )
    elif verdict.state == IncomingState.PARKED:
        logger.warning(
            "incoming message parked reason=%s exchange=%s: %s",
            verdict.reason,
            extra["exchange_id"],
            verdict.detail,
            extra=extra,
        )


def _store_evidence(
    evidence_request: EvidenceRequest, response: EvidenceResponse, message: AsMessage, written: list[str]
) -> None:
    """Store every evidence item with its file (each checked by ``trust.attachments_refusal`` before)."""
    for item in response.evidences:
        meta = item.metadata
        assert item.attachment is not None
        payload = message.payload(item.attachment.href)
        assert payload is not None
        evidence = Evidence(
            evidence_request=evidence_request,
            identifier=meta.identifier,
            title=meta.titles[0].value if meta.titles else evidence_request.evidence_type_title,
            media_type=media_type_base(meta.distribution.format),
            conforms_to=meta.distribution.conforms_to or "",
            classification_node=item.classification_node or "",
            cid=item.attachment.href,
            metadata=to_json(meta),  # type: ignore[arg-type]
            size=len(payload.data),
            sha256=_digest(payload.data),
        )
        evidence.file.save(f"{uuid.uuid4().hex}", ContentFile(payload.data), save=False)
        written.append(evidence.file.name)
        evidence.save()


def _apply(
    evidence_request: EvidenceRequest,
    parsed: EvidenceResponse | ErrorResponse,
    message: AsMessage,
    written: list[str],
) -> str:
    """Apply a checked answer to its exchange, which waits for one (locked by the caller)."""
    if isinstance(parsed, EvidenceResponse):
        if parsed.status == ResponseStatus.UNAVAILABLE:
            available = parsed.response_available_datetime
            deadline = max(
                evidence_request.deadline or timezone.now(),
                (available or timezone.now()) + dt.timedelta(seconds=settings.OOTS_EXCHANGE_TIMEOUT_SECONDS),
            )
            _transition(
                evidence_request,
                from_states=WAITING_STATES,
                to_state=ExchangeState.AWAITING_RESPONSE,
                response_available_at=available,
                deadline=deadline,
            )
            return "unavailable until later"
        if not parsed.evidences:
            _transition(
                evidence_request,
                from_states=WAITING_STATES,
                to_state=ExchangeState.FAILED,
                error_code="NO_EVIDENCE",
                error_message="The provider found no evidence to send.",
            )
            return "failed: no evidence"
        _store_evidence(evidence_request, parsed, message, written)
        _transition(evidence_request, from_states=WAITING_STATES, to_state=ExchangeState.RECEIVED)
        return "received"
    preview = next((exc for exc in parsed.exceptions if exc.is_preview_required), None)
    if preview is not None and preview.preview_location:
        _transition(
            evidence_request,
            from_states=WAITING_STATES,
            to_state=ExchangeState.PREVIEW_REQUIRED,
            preview_location=preview.preview_location,
            preview_description=preview.preview_description[0].value if preview.preview_description else "",
            preview_method=(preview.preview_method or "GET").upper(),
        )
        return "preview required"
    first = parsed.exceptions[0]
    _transition(
        evidence_request,
        from_states=WAITING_STATES,
        to_state=ExchangeState.FAILED,
        error_code=first.code or first.type,
        error_message=first.message[:2000],
        # every exception, not only the first (R-EDM-ERR-C011 allows several): each is explained to the user
        error_exceptions=[
            {
                "code": exc.code or "",
                "type": exc.type,
                "message": exc.message[:2000],
                "detail": (exc.detail or "")[:2000],
            }
            for exc in parsed.exceptions[:20]
        ],
    )
    return f"failed: {first.code or first.type}"


def incoming_unmarked(*, older_than_seconds: int = 30, limit: int = 100) -> list[IncomingMessage]:
    """Messages processed (applied, refused or parked) but not recorded as downloaded at the access point
    ``older_than_seconds`` after processing (a mark in flight is not taken for a lost one)."""
    before = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    return list(
        IncomingMessage.objects.exclude(state=IncomingState.NOTIFIED)
        .filter(downloaded=False, processed_at__lt=before)
        .order_by("processed_at")[:limit]
    )


def incoming_downloaded(*, incoming: IncomingMessage) -> None:
    IncomingMessage.objects.filter(pk=incoming.pk).update(downloaded=True)


# --- Housekeeping -------------------------------------------------------------------------------------


def exchanges_time_out(*, now: dt.datetime | None = None) -> int:
    """Exchanges past their deadline with no answer end as timed out (visible to the user)."""
    now = now or timezone.now()
    overdue = EvidenceRequest.objects.filter(
        state__in=[*WAITING_STATES, ExchangeState.PREVIEW_REQUIRED], deadline__lt=now
    ).values_list("pk", flat=True)
    count = 0
    for pk in list(overdue[:500]):
        evidence_request = EvidenceRequest.objects.get(pk=pk)
        try:
            with transaction.atomic():
                _transition(
                    evidence_request,
                    from_states=[evidence_request.state],
                    to_state=ExchangeState.TIMED_OUT,
                    error_code="TIMEOUT",
                    error_message="The provider did not answer in time.",
                )
            count += 1
        except TransitionRefused:
            continue
    return count


def outgoing_due(*, now: dt.datetime | None = None) -> list[int]:
    """Messages whose send task was lost: never run, a retry overdue, or claimed by a worker that died.

    A retry is the worker's own countdown task; only when it is overdue by a claim timeout was it lost
    (the worker holding it died). Re-queuing it as soon as it is due would double every retry.
    """
    now = now or timezone.now()
    stale = now - dt.timedelta(seconds=settings.OOTS_SEND_CLAIM_TIMEOUT)
    due = OutgoingMessage.objects.filter(
        Q(
            state=OutgoingState.PENDING,
            next_attempt_at__isnull=True,
            created_at__lt=now - dt.timedelta(seconds=30),
        )
        | Q(state=OutgoingState.PENDING, next_attempt_at__lt=stale)
        | Q(state=OutgoingState.SENDING, claimed_at__lt=stale)
    )
    return list(due.values_list("pk", flat=True)[:500])


def exchange_logs_purge(*, now: dt.datetime | None = None) -> int:
    """The log entries and explicit requests past their retention, the chain kept verifiable (``audit``)."""
    return chain_purge(now=now)


def evidence_requests_purge(*, evidence_requests: QuerySet[EvidenceRequest]) -> int:
    """Delete the evidence these exchanges brought and the personal data of their requests (the request
    content, the built payloads); the exchanges and their log stay. Returns how many evidence items went.

    Which exchanges are past their retention is the caller's to say (``procedures.services``: those of
    applications closed long enough ago)."""
    count = 0
    for evidence in Evidence.objects.filter(evidence_request__in=evidence_requests).iterator():
        if evidence.file:
            evidence.file.delete(save=False)
        evidence.delete()
        count += 1
    OutgoingMessage.objects.filter(evidence_request__in=evidence_requests).update(payload=None)
    evidence_requests.exclude(request_content={}).update(request_content={})
    return count


def evidence_requests_discard(*, evidence_requests: QuerySet[EvidenceRequest], reason: str) -> list[str]:
    """Delete these exchanges with their evidence (call inside the caller's transaction); return the evidence
    files' storage names, to delete once it commits.

    The exchange log keeps its entries, without the link (they hold no personal data; kept 12 months,
    IR 2022/1463 art. 17), plus one "discarded" event each saying ``reason``. An answer that still arrives
    is then an uncorrelated message: recorded, never attached to anything.
    """
    files: list[str] = []
    for exchange in evidence_requests.select_for_update():
        files += [name for name in exchange.evidences.values_list("file", flat=True) if name]
        exchange_log(
            evidence_request=exchange,
            direction=LogDirection.EVENT,
            event="discarded",
            outcome=exchange.state,
            detail=reason,
        )
        exchange.delete()
    return files


# Files younger than this are left by the orphan sweep: their row may be in a transaction not yet committed.
ORPHAN_FILE_GRACE = dt.timedelta(hours=1)


def evidence_files_orphaned_remove(*, now: dt.datetime | None = None) -> int:
    """Delete evidence files that no :class:`Evidence` row references (daily, beat).

    They are left by a worker killed between writing a file and committing its row; a transaction that
    rolls back deletes its own files (:func:`incoming_process`).
    """
    storage = Evidence._meta.get_field("file").storage  # type: ignore[attr-defined]
    referenced = set(Evidence.objects.exclude(file="").values_list("file", flat=True).iterator())
    removed = orphaned_files_remove(
        storage=storage,
        folder="evidence",
        referenced=referenced,
        older_than=(now or timezone.now()) - ORPHAN_FILE_GRACE,
    )
    if removed:
        logger.warning("removed %d evidence files that no row referenced", len(removed))
    return len(removed)

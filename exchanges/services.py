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
import random
import uuid
from collections.abc import Iterable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from exchanges.models import (
    TERMINAL_STATES,
    Evidence,
    EvidenceRequest,
    ExchangeLog,
    ExchangeState,
    IncomingMessage,
    IncomingState,
    LogDirection,
    OutgoingMessage,
    OutgoingState,
)
from oots_client.access_point import AsMessage, Corners, PartyId, Payload, ebms, oots_message, regrep_payload
from oots_client.edm import (
    BuildError,
    EdmError,
    ErrorResponse,
    EvidenceResponse,
    ResponseStatus,
    build_request,
    parse_message,
    validate_message,
)
from oots_client.edm import (
    EvidenceRequest as EdmEvidenceRequest,
)
from oots_client.edm.model import new_request_id
from oots_client.edm.serialize import from_json, to_json

logger = logging.getLogger(__name__)


class TransitionRefused(Exception):
    """The exchange is not in a state that allows this step (it moved on meanwhile)."""


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
) -> None:
    ExchangeLog.objects.create(
        evidence_request=evidence_request,
        direction=direction,
        event=event,
        outcome=outcome,
        detail=detail[:4000],
        ebms_message_id=ebms_message_id,
        conversation_id=evidence_request.conversation_id if evidence_request else "",
        request_id=request_id,
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


# --- Creating and requesting ----------------------------------------------------------------------------


def evidence_request_create(
    *,
    application: object,
    content: EdmEvidenceRequest,
    edm_version: str,
    access_point: PartyId,
    provider_country: str = "",
    requirement: object | None = None,
) -> EvidenceRequest:
    """A draft exchange holding what will be requested; nothing is sent before the explicit request."""
    evidence_request = EvidenceRequest.objects.create(
        application=application,
        requirement=requirement,
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


def evidence_request_give_explicit_request(*, evidence_request: EvidenceRequest) -> EvidenceRequest:
    """The user asked for this evidence: record when (``ExplicitRequestGiven``) and queue the request."""
    now = timezone.now()
    with transaction.atomic():
        _transition(
            evidence_request,
            from_states=[ExchangeState.DRAFT],
            to_state=ExchangeState.REQUESTED,
            explicit_request_at=now,
            deadline=now + dt.timedelta(seconds=settings.OOTS_EXCHANGE_TIMEOUT_SECONDS),
        )
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
    return OutgoingMessage.objects.select_related("evidence_request__application__procedure").get(
        pk=outgoing_id
    )


def outgoing_payload(*, outgoing: OutgoingMessage) -> bytes:
    """The RegRep request, built once and stored, so that every retry sends the very same bytes."""
    if outgoing.payload:
        return bytes(outgoing.payload)
    evidence_request = outgoing.evidence_request
    content = from_json(EdmEvidenceRequest, evidence_request.request_content)
    content = dataclasses.replace(
        content,
        request_id=outgoing.request_id,
        issue_datetime=timezone.now().replace(microsecond=0),
        preview_location=outgoing.preview_location or None,
    )
    payload = build_request(content, evidence_request.edm_version)
    # Strict on what we send (DIGEST §10): XSD, exact code lists, the business rules, and the official
    # Schematron where the version has one (shipped with oots_client; OOTS_SPEC_DIR may override it).
    report = validate_message(payload, spec_folder=settings.OOTS_SPEC_DIR)
    if not report.is_valid:
        rules = ", ".join(sorted({f"{f.rule_id} ({f.message})" for f in report.errors}))
        raise BuildError(f"the built request breaks {rules}", "/")
    OutgoingMessage.objects.filter(pk=outgoing.pk).update(payload=payload)
    outgoing.payload = payload
    return payload


def outgoing_as_message(*, outgoing: OutgoingMessage, payload: bytes, own_party: PartyId) -> AsMessage:
    evidence_request = outgoing.evidence_request
    procedure = evidence_request.application.procedure
    corners = Corners(
        sender_access_point=own_party,
        receiver_access_point=PartyId(
            evidence_request.access_point_id, evidence_request.access_point_type or None
        ),
        original_sender=PartyId(procedure.requester_identifier, procedure.requester_scheme),
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


def outgoing_submitted(*, outgoing: OutgoingMessage, payload: bytes, domibus_id: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        updated = OutgoingMessage.objects.filter(pk=outgoing.pk, state=OutgoingState.SENDING).update(
            state=OutgoingState.SUBMITTED, submitted_at=now, last_error=""
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
        )
        if evidence_request.state == ExchangeState.REQUESTED:
            _transition(evidence_request, from_states=[ExchangeState.REQUESTED], to_state=ExchangeState.SENT)


def outgoing_retry_later(*, outgoing: OutgoingMessage, error: str) -> float | None:
    """Put the message back for a later attempt; return the delay, or None when attempts are exhausted."""
    if outgoing.attempts >= settings.OOTS_SEND_MAX_ATTEMPTS:
        outgoing_failed(outgoing=outgoing, error=f"gave up after {outgoing.attempts} attempts: {error}")
        return None
    # Capped exponential backoff with full jitter: workers that failed together do not retry together.
    delay = random.uniform(1, min(settings.OOTS_SEND_BACKOFF_CAP_SECONDS, 2**outgoing.attempts * 2))  # noqa: S311
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


def outgoing_failed(*, outgoing: OutgoingMessage, error: str, code: str = "SEND_FAILED") -> None:
    with transaction.atomic():
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
                from_states=[ExchangeState.REQUESTED, ExchangeState.SENT, ExchangeState.AWAITING_RESPONSE],
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
    now = timezone.now()
    stale = now - dt.timedelta(seconds=settings.OOTS_SEND_CLAIM_TIMEOUT)
    IncomingMessage.objects.get_or_create(ebms_message_id=ebms_message_id)
    claimed = (
        IncomingMessage.objects.filter(ebms_message_id=ebms_message_id, state=IncomingState.NOTIFIED)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale))
        .update(claimed_at=now)
    )
    return IncomingMessage.objects.get(ebms_message_id=ebms_message_id) if claimed == 1 else None


def _correlate(
    message: AsMessage, parsed_request_id: str | None
) -> tuple[EvidenceRequest | None, OutgoingMessage | None, str]:
    """Find the exchange by ``ConversationId`` and ``requestId`` (DIGEST §10); both must agree."""
    conversation_id = message.header.conversation_id or ""
    by_conversation = (
        EvidenceRequest.objects.filter(conversation_id=conversation_id).first() if conversation_id else None
    )
    outgoing = (
        OutgoingMessage.objects.select_related("evidence_request")
        .filter(request_id=parsed_request_id)
        .first()
        if parsed_request_id
        else None
    )
    by_request = outgoing.evidence_request if outgoing else None
    if by_conversation and by_request and by_conversation.pk != by_request.pk:
        return None, None, "ConversationId and requestId point at different exchanges"
    evidence_request = by_conversation or by_request
    if evidence_request is None:
        return None, None, f"no exchange for conversation {conversation_id!r} / request {parsed_request_id!r}"
    return evidence_request, outgoing, ""


def _store_evidence(
    evidence_request: EvidenceRequest, response: EvidenceResponse, message: AsMessage
) -> list[str]:
    """Store every evidence item with its attachment; return problems found (missing parts, type mismatch)."""
    problems = []
    for item in response.evidences:
        meta = item.metadata
        payload: Payload | None = None
        if item.attachment is not None:
            payload = message.payload(item.attachment.href)
            if payload is None:
                problems.append(f"attachment {item.attachment.href} is missing from the AS4 message")
            elif payload.mime_type != meta.distribution.format:
                expected = meta.distribution.format
                problems.append(
                    f"attachment {payload.cid} is {payload.mime_type}, the metadata says {expected}"
                )
        evidence = Evidence(
            evidence_request=evidence_request,
            identifier=meta.identifier,
            title=meta.titles[0].value if meta.titles else evidence_request.evidence_type_title,
            media_type=payload.mime_type if payload else meta.distribution.format,
            conforms_to=meta.distribution.conforms_to or "",
            classification_node=item.classification_node or "",
            cid=item.attachment.href if item.attachment else "",
            metadata=to_json(meta),  # type: ignore[arg-type]
        )
        if payload is not None:
            evidence.size = len(payload.data)
            evidence.sha256 = _digest(payload.data)
            evidence.file.save(f"{uuid.uuid4().hex}", ContentFile(payload.data), save=False)
        evidence.save()
    return problems


def incoming_process(*, incoming: IncomingMessage, message: AsMessage) -> str:
    """Apply a retrieved message to its exchange, once. Returns the outcome for the log."""
    regrep = regrep_payload(message)
    header = message.header
    with transaction.atomic():
        locked = IncomingMessage.objects.select_for_update().get(pk=incoming.pk)
        if locked.state != IncomingState.NOTIFIED:
            return "duplicate"
        try:
            if regrep is None:
                raise EdmError("the message has no RegRep part")
            parsed = parse_message(regrep.data)
        except EdmError as exc:
            parsed = None
            parse_error = str(exc)
        else:
            parse_error = ""
        request_id = getattr(parsed, "request_id", None) if parsed is not None else None
        evidence_request, outgoing, problem = _correlate(message, request_id)
        locked.conversation_id = header.conversation_id or ""
        locked.request_id = request_id or ""
        locked.action = header.action
        locked.evidence_request = evidence_request
        locked.processed_at = timezone.now()
        if evidence_request is not None:
            evidence_request = EvidenceRequest.objects.select_for_update().get(pk=evidence_request.pk)
        exchange_log(
            evidence_request=evidence_request,
            direction=LogDirection.IN,
            event="message_received",
            outcome=(parsed.kind if parsed is not None else "unreadable"),
            ebms_message_id=incoming.ebms_message_id,
            request_id=request_id or "",
            payload=regrep.data if regrep else None,
            detail=problem or parse_error,
        )
        outcome = _apply(evidence_request, outgoing, parsed, parse_error, problem, message)
        locked.state = IncomingState.PROCESSED if evidence_request is not None else IncomingState.REJECTED
        locked.detail = outcome
        locked.save()
    return outcome


def _apply(
    evidence_request: EvidenceRequest | None,
    outgoing: OutgoingMessage | None,
    parsed: object,
    parse_error: str,
    problem: str,
    message: AsMessage,
) -> str:
    if evidence_request is None:
        return f"uncorrelated: {problem}"
    if evidence_request.is_terminal:
        return f"ignored: exchange already {evidence_request.state}"
    latest = evidence_request.outgoing.order_by("-created_at", "-pk").first()
    if outgoing is not None and latest is not None and outgoing.pk != latest.pk:
        return "ignored: answer to an earlier request of this exchange"
    waiting = [ExchangeState.SENT, ExchangeState.AWAITING_RESPONSE, ExchangeState.REQUESTED]
    if parsed is None:
        _transition(
            evidence_request,
            from_states=waiting,
            to_state=ExchangeState.FAILED,
            error_code="MALFORMED_ANSWER",
            error_message=parse_error[:2000],
        )
        return "failed: malformed answer"
    if isinstance(parsed, EvidenceResponse):
        if parsed.status == ResponseStatus.UNAVAILABLE:
            available = parsed.response_available_datetime
            deadline = max(
                evidence_request.deadline or timezone.now(),
                (available or timezone.now()) + dt.timedelta(seconds=settings.OOTS_EXCHANGE_TIMEOUT_SECONDS),
            )
            _transition(
                evidence_request,
                from_states=waiting,
                to_state=ExchangeState.AWAITING_RESPONSE,
                response_available_at=available,
                deadline=deadline,
            )
            return "unavailable until later"
        if not parsed.evidences:
            _transition(
                evidence_request,
                from_states=waiting,
                to_state=ExchangeState.FAILED,
                error_code="NO_EVIDENCE",
                error_message="The provider found no evidence to send.",
            )
            return "failed: no evidence"
        problems = _store_evidence(evidence_request, parsed, message)
        _transition(
            evidence_request,
            from_states=waiting,
            to_state=ExchangeState.RECEIVED,
            error_message="; ".join(problems)[:2000],
        )
        return "received" + (f" with problems: {'; '.join(problems)}" if problems else "")
    if isinstance(parsed, ErrorResponse):
        preview = next((exc for exc in parsed.exceptions if exc.is_preview_required), None)
        if preview is not None and preview.preview_location:
            _transition(
                evidence_request,
                from_states=waiting,
                to_state=ExchangeState.PREVIEW_REQUIRED,
                preview_location=preview.preview_location,
                preview_description=preview.preview_description[0].value
                if preview.preview_description
                else "",
                preview_method=(preview.preview_method or "GET").upper(),
            )
            return "preview required"
        first = parsed.exceptions[0]
        _transition(
            evidence_request,
            from_states=waiting,
            to_state=ExchangeState.FAILED,
            error_code=first.code or first.type,
            error_message=first.message[:2000],
        )
        return f"failed: {first.code or first.type}"
    _transition(
        evidence_request,
        from_states=waiting,
        to_state=ExchangeState.FAILED,
        error_code="UNEXPECTED_MESSAGE",
        error_message="The provider sent a request instead of an answer.",
    )
    return "failed: unexpected message"


def incoming_downloaded(*, incoming: IncomingMessage) -> None:
    IncomingMessage.objects.filter(pk=incoming.pk).update(downloaded=True)


# --- Housekeeping -------------------------------------------------------------------------------------


def exchanges_time_out(*, now: dt.datetime | None = None) -> int:
    """Exchanges past their deadline with no answer end as timed out (visible to the user)."""
    now = now or timezone.now()
    overdue = EvidenceRequest.objects.filter(
        state__in=[
            ExchangeState.REQUESTED,
            ExchangeState.SENT,
            ExchangeState.PREVIEW_REQUIRED,
            ExchangeState.AWAITING_RESPONSE,
        ],
        deadline__lt=now,
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
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.OOTS_EXCHANGE_LOG_RETENTION_DAYS)
    deleted, _ = ExchangeLog.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def evidence_purge(*, now: dt.datetime | None = None) -> int:
    """Evidence and request content of applications closed longer ago than the retention period."""
    from procedures.models import ApplicationStatus

    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.OOTS_EVIDENCE_RETENTION_DAYS)
    closed = EvidenceRequest.objects.filter(
        application__status=ApplicationStatus.SUBMITTED, application__submitted_at__lt=cutoff
    )
    count = 0
    for evidence in Evidence.objects.filter(evidence_request__in=closed).iterator():
        if evidence.file:
            evidence.file.delete(save=False)
        evidence.delete()
        count += 1
    OutgoingMessage.objects.filter(evidence_request__in=closed).update(payload=None)
    closed.exclude(request_content={}).update(request_content={})
    return count


def application_exchanges_discard(*, application_id: int) -> list[str]:
    """Delete an application's exchanges with their evidence, as its draft is discarded (call inside the
    caller's transaction); return the evidence files' storage names, to delete once it commits.

    The exchange log keeps its entries, without the link (they hold no personal data; kept 12 months,
    IR 2022/1463 art. 17), plus one "discarded" event each. An answer that still arrives is then an
    uncorrelated message: recorded, never attached to anything.
    """
    files: list[str] = []
    for exchange in EvidenceRequest.objects.filter(application_id=application_id).select_for_update():
        files += [name for name in exchange.evidences.values_list("file", flat=True) if name]
        exchange_log(
            evidence_request=exchange,
            direction=LogDirection.EVENT,
            event="discarded",
            outcome=exchange.state,
            detail="the application's draft was discarded",
        )
        exchange.delete()
    return files

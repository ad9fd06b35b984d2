"""The audit trail (IR 2022/1463 art. 17; docs/audit.md): the exchange log as one hash chain, the explicit
request's record, the subject's pseudonymous reference, the purge after the retention period, the check and
the export an auditor runs (``manage.py oots_audit``).

Chain: entry *n* stores ``previous_hash`` (entry *n-1*'s ``entry_hash``, or the last checkpoint's) and
``entry_hash = sha256(previous_hash "\\n" canonical(entry))``, where ``canonical`` is the entry's export line
without its two hashes, as compact JSON with sorted keys. An entry changed, removed or inserted in the
database breaks the chain at that place; ``chain_verify`` names the first such place. Appends lock the
chain's head row until their transaction commits, so two workers appending at once still make one chain
(PostgreSQL; SQLite serialises writers anyway).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import get_language

from exchanges.audit_models import AuditChainHead, AuditCheckpoint, ExplicitRequest, PreviewDecision
from exchanges.models import EvidenceRequest, ExchangeLog, ExchangeState, LogDirection
from oots_client.edm import EvidenceRequest as EdmEvidenceRequest
from oots_client.edm.model import LegalPerson
from oots_client.edm.serialize import from_json

GENESIS_HASH = "0" * 64
HEAD_PK = 1
# Domain separation: the same key must never produce a value usable elsewhere.
_SUBJECT_CONTEXT = b"oots-portal audit subject v1\n"


# --- The subject's pseudonymous reference -----------------------------------------------------------------


def subject_reference(eidas_identifier: str) -> str:
    """HMAC-SHA-256 of an eIDAS identifier (``CC/CC/…``) under ``OOTS_AUDIT_SUBJECT_KEY``, in hex; ``""`` for
    no identifier. Whoever holds the key (the portal, ``oots_audit reference``) can find a person's
    exchanges; the log itself names no one."""
    identifier = eidas_identifier.strip()
    if not identifier:
        return ""
    key = settings.OOTS_AUDIT_SUBJECT_KEY
    if not key:
        raise ImproperlyConfigured("OOTS_AUDIT_SUBJECT_KEY is not set (docs/audit.md)")
    return hmac.new(key.encode(), _SUBJECT_CONTEXT + identifier.encode(), hashlib.sha256).hexdigest()


def content_references(content: EdmEvidenceRequest) -> tuple[str, str]:
    """The references of the request's subject and of the natural person acting for it (or ``""``)."""
    subject = content.subject
    identifier = subject.legal_person_identifier if isinstance(subject, LegalPerson) else subject.identifier
    representative = content.authorized_representative
    acting = representative.identifier if representative is not None else None
    return (
        subject_reference(identifier.value if identifier else ""),
        subject_reference(acting.value if acting else ""),
    )


# --- The chain --------------------------------------------------------------------------------------------


def entry_line(entry: ExchangeLog) -> dict[str, Any]:
    """The entry as an auditor reads it (one line of ``oots_audit export``); its hashes last."""
    return {**_content(entry), "previous_hash": entry.previous_hash, "hash": entry.entry_hash}


def _content(entry: ExchangeLog) -> dict[str, Any]:
    return {
        "sequence": entry.sequence,
        "at": entry.created_at.astimezone(dt.UTC).isoformat(),
        "exchange": str(entry.exchange_public_id) if entry.exchange_public_id else "",
        "conversation_id": entry.conversation_id,
        "subject_reference": entry.subject_reference,
        "direction": entry.direction,
        "event": entry.event,
        "outcome": entry.outcome,
        "reason": entry.reason,
        "detail": entry.detail,
        "ebms_message_id": entry.ebms_message_id,
        "request_id": entry.request_id,
        "payload_sha256": entry.payload_sha256,
        "payload_size": entry.payload_size,
        "findings": entry.findings,
        "facts": entry.facts,
    }


def entry_hash(previous_hash: str, content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{previous_hash}\n{canonical}".encode()).hexdigest()


def _locked_head() -> AuditChainHead:
    """The head row, locked until the caller's transaction ends (created if a flush removed it)."""
    try:
        return AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)
    except AuditChainHead.DoesNotExist:
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=HEAD_PK, sequence=0, last_hash=GENESIS_HASH)], ignore_conflicts=True
        )
        return AuditChainHead.objects.select_for_update().get(pk=HEAD_PK)


def _take_next() -> tuple[int, str]:
    """Lock the head row and move it on by one: (this entry's number, the previous entry's hash).

    One statement (``UPDATE … RETURNING``) both locks and reads; the lock is held until the transaction ends.
    """
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET sequence = sequence + 1 WHERE id = %s RETURNING sequence, last_hash",  # noqa: S608
            [HEAD_PK],
        )
        row = cursor.fetchone()
    if row is None:  # no head row (a test database flushed): start one, then take it as usual
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(pk=HEAD_PK, sequence=0, last_hash=GENESIS_HASH)], ignore_conflicts=True
        )
        return _take_next()
    return int(row[0]), str(row[1])


def chain_append(*, evidence_request: EvidenceRequest | None, **fields: Any) -> ExchangeLog:
    """Append one entry (``ExchangeLog`` fields) to the chain, in the caller's transaction (or its own)."""
    with transaction.atomic(savepoint=False):
        sequence, previous_hash = _take_next()
        entry = ExchangeLog(
            evidence_request=evidence_request,
            exchange_public_id=evidence_request.public_id if evidence_request else None,
            subject_reference=evidence_request.subject_reference if evidence_request else "",
            sequence=sequence,
            previous_hash=previous_hash,
            created_at=timezone.now(),
            **fields,
        )
        entry.entry_hash = entry_hash(previous_hash, _content(entry))
        entry.save(force_insert=True)
        AuditChainHead.objects.filter(pk=HEAD_PK).update(last_hash=entry.entry_hash)
    return entry


@dataclasses.dataclass(frozen=True)
class Verification:
    checked: int
    problem: str = ""  # the first place where the chain breaks, "" when it holds

    @property
    def ok(self) -> bool:
        return not self.problem


def _describe(entry: ExchangeLog) -> str:
    return f"entry #{entry.sequence} (id {entry.pk}, {entry.created_at:%Y-%m-%d %H:%M:%S}, {entry.event})"


def chain_verify() -> Verification:
    """Walk the chain from the last checkpoint (or its start) to the head; stop at the first break.

    One snapshot of the database (PostgreSQL ``REPEATABLE READ``): entries appended or purged meanwhile by
    the running portal are not mistaken for a break."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return _verified()  # inside the caller's transaction (tests), or SQLite (development only)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return _verified()


def _verified() -> Verification:
    checkpoint = AuditCheckpoint.objects.order_by("-sequence").first()
    expected = checkpoint.sequence + 1 if checkpoint else 1
    previous_hash = checkpoint.last_hash if checkpoint else GENESIS_HASH
    checked = 0
    if (
        checkpoint is not None
        and not ExchangeLog.objects.filter(
            event="audit_purged",
            facts__through_sequence=checkpoint.sequence,
            facts__through_hash=checkpoint.last_hash,
        ).exists()
    ):
        return Verification(0, f"checkpoint #{checkpoint.sequence} is not recorded by an audit_purged entry")
    for entry in ExchangeLog.objects.order_by("sequence").iterator(chunk_size=2000):
        if entry.sequence < expected:
            return Verification(checked, f"{_describe(entry)} lies before the checkpoint #{expected - 1}")
        if entry.sequence > expected:
            return Verification(
                checked, f"entry #{expected} is missing (removed): the chain jumps to {_describe(entry)}"
            )
        if entry.previous_hash != previous_hash:
            return Verification(
                checked,
                f"{_describe(entry)} does not follow entry #{expected - 1}: an entry was inserted, removed "
                "or replaced there",
            )
        if entry_hash(entry.previous_hash, _content(entry)) != entry.entry_hash:
            return Verification(checked, f"{_describe(entry)} was altered (its content no longer hashes)")
        previous_hash = entry.entry_hash
        expected += 1
        checked += 1
    head = AuditChainHead.objects.filter(pk=HEAD_PK).first()
    head_sequence, head_hash = (head.sequence, head.last_hash) if head else (0, GENESIS_HASH)
    last = expected - 1
    if (head_sequence, head_hash) != (last, previous_hash):
        return Verification(
            checked, f"the chain ends at entry #{last} but its head says #{head_sequence}: entries removed"
        )
    orphan = (
        ExchangeLog.objects.filter(event="explicit_request")
        .exclude(pk__in=ExplicitRequest.objects.filter(log_entry__isnull=False).values("log_entry"))
        .order_by("sequence")
        .first()
    )
    if orphan is not None:
        return Verification(checked, f"the explicit request of {_describe(orphan)} was removed")
    for record in ExplicitRequest.objects.select_related("log_entry").iterator(chunk_size=2000):
        if record.log_entry is None or record.log_entry.facts != record.facts():
            given = f"{record.given_at:%Y-%m-%d %H:%M:%S}"
            return Verification(
                checked,
                f"the explicit request of exchange {record.exchange_public_id} ({given}) differs from its "
                "chained entry",
            )
    return Verification(checked)


# --- The explicit request -----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExplicitRequestShown:
    """What the portal's page showed beside the exchange's own columns (the caller knows them)."""

    requirement_identifier: str
    requirement_name: str
    language: str


def explicit_request_record(
    *, evidence_request: EvidenceRequest, given_at: dt.datetime, shown: ExplicitRequestShown | None
) -> ExplicitRequest:
    """Record the explicit request with what was shown, and chain it (inside the caller's transaction).

    Without ``shown`` (the ``oots_exchange`` runner) the requirement is the request's own and the language
    the active one."""
    content = from_json(EdmEvidenceRequest, evidence_request.request_content)
    if shown is None:
        asked = content.requirements[0] if content.requirements else None
        shown = ExplicitRequestShown(
            requirement_identifier=asked.identifier if asked else "",
            requirement_name=asked.names[0].value if asked and asked.names else "",
            language=get_language() or settings.LANGUAGE_CODE,
        )
    _subject, representative = content_references(content)
    record = ExplicitRequest(
        evidence_request=evidence_request,
        exchange_public_id=evidence_request.public_id,
        conversation_id=evidence_request.conversation_id,
        subject_reference=evidence_request.subject_reference,
        representative_reference=representative,
        given_at=given_at,
        language=shown.language[:10],
        procedure=(content.procedure or "")[:20],
        evidence_type_identifier=content.evidence.identifier[:300],
        evidence_type_classification=evidence_request.evidence_type_classification,
        evidence_type_title=evidence_request.evidence_type_title,
        provider_identifier=evidence_request.provider_identifier,
        provider_scheme=evidence_request.provider_scheme,
        provider_name=evidence_request.provider_name,
        provider_country=evidence_request.provider_country,
        requirement_identifier=shown.requirement_identifier[:300],
        requirement_name=shown.requirement_name[:500],
        preview_possible=content.possibility_for_preview,
    )
    record.log_entry = chain_append(
        evidence_request=evidence_request,
        direction=LogDirection.EVENT,
        event="explicit_request",
        outcome="given",
        facts=record.facts(),
    )
    record.save()
    return record


def explicit_request_follow(*, evidence_request: EvidenceRequest, previous: str, to_state: str) -> None:
    """Keep the record's preview columns in step with the exchange (each change is a chained state entry)."""
    now = timezone.now()
    records = ExplicitRequest.objects.filter(evidence_request=evidence_request)
    if to_state == ExchangeState.PREVIEW_REQUIRED:
        records.update(preview_required_at=now)
    elif previous == ExchangeState.PREVIEW_REQUIRED:
        decision = {
            ExchangeState.AWAITING_RESPONSE: PreviewDecision.CONTINUED,
            ExchangeState.DECLINED: PreviewDecision.DECLINED,
        }.get(ExchangeState(to_state), PreviewDecision.EXPIRED)
        records.update(preview_decision=decision, preview_decided_at=now)


# --- Retention and export -------------------------------------------------------------------------------


def chain_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the entries (and explicit requests) older than ``OOTS_EXCHANGE_LOG_RETENTION_DAYS``: the oldest
    part of the chain, up to the last entry past the retention. A checkpoint keeps that entry's number and
    hash, so the rest still verifies; the purge itself is chained (``audit_purged``). Returns entries purged.
    """
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.OOTS_EXCHANGE_LOG_RETENTION_DAYS)
    with transaction.atomic():
        _locked_head()  # no append between choosing the cut and recording it
        last = ExchangeLog.objects.filter(created_at__lt=cutoff).order_by("-sequence").first()
        if last is None:
            return 0
        ExplicitRequest.objects.filter(log_entry__sequence__lte=last.sequence).delete()
        ExplicitRequest.objects.filter(log_entry__isnull=True, given_at__lt=cutoff).delete()
        deleted, _ = ExchangeLog.objects.filter(sequence__lte=last.sequence).delete()
        checkpoint = AuditCheckpoint.objects.create(
            sequence=last.sequence,
            last_hash=last.entry_hash,
            entries_purged=deleted,
            purged_at=timezone.now(),
        )
        chain_append(
            evidence_request=None,
            direction=LogDirection.EVENT,
            event="audit_purged",
            outcome=str(deleted),
            detail=f"entries up to #{last.sequence} older than {cutoff:%Y-%m-%d}",
            facts={
                "through_sequence": checkpoint.sequence,
                "through_hash": checkpoint.last_hash,
                "entries": deleted,
            },
        )
    return deleted


def chain_export(*, start: dt.datetime, end: dt.datetime, subject: str = "") -> Iterator[dict[str, Any]]:
    """The entries written in ``[start, end)`` (of one subject reference, when given), in chain order."""
    entries = ExchangeLog.objects.filter(created_at__gte=start, created_at__lt=end)
    if subject:
        entries = entries.filter(subject_reference=subject)
    for entry in entries.order_by("sequence").iterator(chunk_size=2000):
        yield entry_line(entry)

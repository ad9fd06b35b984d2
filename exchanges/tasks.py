"""Celery tasks of the exchange engine. Arguments are ids; each task claims its work atomically, so that a
task delivered twice (``acks_late`` after a worker died) does nothing the second time.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.app.task import Task

from exchanges import services
from exchanges.access_point import get_access_point, own_party
from oots_client.access_point import (
    AccessPointRejected,
    AccessPointUnavailable,
    AlreadySubmitted,
    MessageStatus,
)
from oots_client.edm import EdmError

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None)
def send_outgoing_message(self: Task, outgoing_id: int) -> str:
    outgoing = services.outgoing_claim(outgoing_id=outgoing_id)
    if outgoing is None:
        return "not claimed"
    try:
        payload, findings = services.outgoing_build(outgoing=outgoing)
    except EdmError as exc:
        services.outgoing_failed(
            outgoing=outgoing, error=f"the request could not be built: {exc}", code="BUILD_FAILED"
        )
        return "build failed"
    message = services.outgoing_as_message(outgoing=outgoing, payload=payload, own_party=own_party())
    try:
        domibus_id = get_access_point().submit(message)
    except AccessPointUnavailable as exc:
        delay = services.outgoing_retry_later(outgoing=outgoing, error=str(exc))
        if delay is None:
            return "gave up"
        raise self.retry(countdown=delay, exc=exc) from exc
    except AlreadySubmitted:
        # The id was chosen before the first attempt: the access point holds this very message, sent by an
        # attempt whose answer was lost (a worker killed mid-call, a timeout after Domibus had it).
        domibus_id = outgoing.ebms_message_id
    except AccessPointRejected as exc:
        services.outgoing_failed(outgoing=outgoing, error=str(exc), code="REJECTED_BY_ACCESS_POINT")
        return "rejected"
    services.outgoing_submitted(outgoing=outgoing, payload=payload, domibus_id=domibus_id, findings=findings)
    return "submitted"


@shared_task(bind=True, max_retries=10)
def fetch_incoming_message(self: Task, ebms_message_id: str) -> str:
    incoming = services.incoming_claim(ebms_message_id=ebms_message_id)
    access_point = get_access_point()
    if incoming is None:
        # Processed before (a repeated notification): make sure the access point knows it is downloaded.
        existing = services.IncomingMessage.objects.filter(ebms_message_id=ebms_message_id).first()
        if (
            existing is not None
            and existing.state != services.IncomingState.NOTIFIED
            and not existing.downloaded
        ):
            _mark_downloaded(access_point, existing)
        return "not claimed"
    try:
        message = access_point.retrieve(ebms_message_id, mark_as_downloaded=False)
    except AccessPointUnavailable as exc:
        services.IncomingMessage.objects.filter(pk=incoming.pk).update(claimed_at=None)
        raise self.retry(countdown=min(300, 5 * 2**self.request.retries), exc=exc) from exc
    except AccessPointRejected as exc:
        services.IncomingMessage.objects.filter(pk=incoming.pk).update(
            state=services.IncomingState.REJECTED, detail=str(exc)[:2000]
        )
        return "rejected by access point"
    outcome = services.incoming_process(incoming=incoming, message=message)
    # Only now, with the evidence stored and committed, may the access point forget the message.
    _mark_downloaded(access_point, incoming)
    return outcome


def _mark_downloaded(access_point: object, incoming: services.IncomingMessage) -> None:
    try:
        access_point.mark_downloaded(incoming.ebms_message_id)  # type: ignore[attr-defined]
    except (AccessPointUnavailable, AccessPointRejected) as exc:
        # Harmless: it stays pending, the next poll finds it, and the processing is not repeated.
        logger.warning("could not mark %s downloaded: %s", incoming.ebms_message_id, exc)
        return
    services.incoming_downloaded(incoming=incoming)


@shared_task
def poll_access_point() -> int:
    """Fetch every message the access point holds for us (the fallback when push notifications fail)."""
    try:
        pending = get_access_point().list_pending()
    except (AccessPointUnavailable, AccessPointRejected) as exc:
        logger.warning("polling the access point failed: %s", exc)
        return 0
    due = services.incoming_to_fetch(pending_ids=pending)
    for ebms_message_id in due:
        fetch_incoming_message.delay(ebms_message_id)
    return len(due)


@shared_task
def check_sent_messages() -> int:
    """Queue a status check for each request with no receipt whose check is due (beat)."""
    due = services.outgoing_status_due()
    for outgoing_id in due:
        check_outgoing_status.delay(outgoing_id)
    return len(due)


@shared_task
def check_outgoing_status(outgoing_id: int) -> str:
    """Ask the access point what became of a request (``getStatus``; ``getMessageErrors`` on a failure)."""
    outgoing = services.outgoing_status_claim(outgoing_id=outgoing_id)
    if outgoing is None:
        return "not claimed"
    access_point = get_access_point()
    try:
        status = access_point.status(outgoing.ebms_message_id)
        errors = access_point.errors(outgoing.ebms_message_id) if status == MessageStatus.SEND_FAILURE else []
    except (AccessPointUnavailable, AccessPointRejected) as exc:
        # The next check is already scheduled (claimed with its backoff): nothing is lost.
        logger.warning("status check of %s failed: %s", outgoing.ebms_message_id, exc)
        return "access point unavailable"
    return services.outgoing_status_record(outgoing=outgoing, status=status, errors=errors)


@shared_task
def sweep_exchanges() -> dict[str, int]:
    timed_out = services.exchanges_time_out()
    due = services.outgoing_due()
    for outgoing_id in due:
        send_outgoing_message.delay(outgoing_id)
    return {"timed_out": timed_out, "resent": len(due), "download_reconciled": _reconcile_downloads()}


def _reconcile_downloads() -> int:
    """Messages processed but not recorded as downloaded a while later: a worker killed after the access
    point took ``markMessageAsDownloaded`` and before it recorded that. The access point no longer lists
    them, so no poll comes back to them: ask it (``getStatus``) and record what it says, or mark again."""
    access_point = get_access_point()
    reconciled = 0
    for incoming in services.incoming_unmarked():
        try:
            status = access_point.status(incoming.ebms_message_id)
        except (AccessPointUnavailable, AccessPointRejected) as exc:
            logger.warning("could not ask the status of %s: %s", incoming.ebms_message_id, exc)
            continue
        if status is MessageStatus.DOWNLOADED:
            services.incoming_downloaded(incoming=incoming)
        else:
            _mark_downloaded(access_point, incoming)
        reconciled += 1
    return reconciled


@shared_task
def remove_orphaned_files() -> int:
    """Delete evidence files that no row references (beat, daily)."""
    return services.evidence_files_orphaned_remove()

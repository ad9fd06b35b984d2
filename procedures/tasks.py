"""Celery tasks of the portal's features. Arguments are ids (or none); each task is safe to run twice."""

from __future__ import annotations

import datetime as dt
import random
import smtplib
from typing import Any

from celery import shared_task
from django.db.models import F, Q
from django.utils import timezone

from exchanges.services import exchange_logs_purge
from procedures.models import Notification
from procedures.notify import notification_email, notifications_queue_ended_exchanges
from procedures.services import application_evidence_purge, application_files_purge, drafts_purge


@shared_task
def purge_expired_data() -> dict[str, int]:
    """The daily purge (beat ``purge-expired-data``): the exchange log past its retention (12 months, IR
    2022/1463 art. 17), the evidence and uploads of applications closed past theirs, abandoned drafts."""
    return {
        "exchange_logs": exchange_logs_purge(),
        "evidences": application_evidence_purge(),
        "application_files": application_files_purge(),
        "drafts": drafts_purge(),
    }


@shared_task(
    bind=True,
    acks_late=True,
    soft_time_limit=60,
    time_limit=90,
    max_retries=8,
)
def notification_send(self: Any, notification_id: int) -> str:
    """Send one applicant email. Claimed atomically, so that two runs send it once; an SMTP failure gives
    the claim back and retries with capped, jittered backoff; a sent one is never sent again."""
    claim_expired = timezone.now() - dt.timedelta(minutes=5)
    claimed = Notification.objects.filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=claim_expired), pk=notification_id, sent_at__isnull=True
    ).update(claimed_at=timezone.now(), attempts=F("attempts") + 1)
    if claimed != 1:
        return "not-claimed"
    notification = Notification.objects.select_related(
        "application__procedure", "case_status_change", "evidence_request"
    ).get(pk=notification_id)
    try:
        notification_email(notification).send()
    except (OSError, smtplib.SMTPException) as exc:
        Notification.objects.filter(pk=notification_id).update(claimed_at=None, last_error=str(exc)[:2000])
        countdown = min(3600, 30 * 2**self.request.retries) * (0.5 + random.random())  # noqa: S311 - jitter
        raise self.retry(exc=exc, countdown=countdown) from exc
    Notification.objects.filter(pk=notification_id).update(sent_at=timezone.now(), last_error="")
    return "sent"


@shared_task(acks_late=True, soft_time_limit=120, time_limit=180)
def notify_ended_exchanges() -> int:
    """Beat ``notify-ended-exchanges``: an email for each exchange that ended after its citizen left."""
    return notifications_queue_ended_exchanges()

"""Telling the applicant by email (issue 15 item 4): evidence that arrived after they left the status page,
an exchange that failed, each case status change with its message.

Only with their consent (asked once, a :class:`~procedures.models.NotificationConsent` row). Each email is
a :class:`~procedures.models.Notification` row whose ``key`` names the event, created in the transaction
of the event (or by the sweep for exchanges, which the engine ends without knowing of applications) and
sent by ``procedures.tasks.notification_send`` after commit; a second queueing of the same event finds the
row and sends nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from exchanges.models import UNSUCCESSFUL_STATES, EvidenceRequest, ExchangeState
from procedures.models import (
    Application,
    CaseStatusChange,
    Notification,
    NotificationConsent,
    NotificationKind,
    StatusPageSeen,
)

#: The status page polls at most every 30 s while open (static/js/journey.js): an exchange that ended
#: this long after its last poll ended after the citizen left.
STATUS_PAGE_GRACE = dt.timedelta(seconds=90)
#: Exchanges that ended longer ago are not announced any more (a first run on an old database).
SWEEP_HORIZON = dt.timedelta(days=7)


def notification_consent_current(*, user: Any) -> NotificationConsent | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return NotificationConsent.objects.filter(user=user).order_by("-answered_at", "-pk").first()


def notification_consent_record(
    *, user: Any, consented: bool, email: str = "", language: str = ""
) -> NotificationConsent:
    return NotificationConsent.objects.create(
        user=user,
        consented=consented,
        email=email if consented else "",
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
    )


def suggested_email(*, application: Application) -> str:
    """The address to offer: the one given in the form, else the one the eIDAS node asserted."""
    email_keys = {row.key for row in application.procedure.form_fields.all() if row.field_type == "email"}
    for key in email_keys:
        value = application.data.get(key)
        if isinstance(value, str) and value:
            return value
    identity = getattr(application.user, "eidas_identity", None)
    return getattr(identity, "email_address", "") or ""


def status_page_seen(*, application: Application) -> None:
    # One upsert (INSERT … ON CONFLICT DO UPDATE): the status page polls every few seconds, and
    # update_or_create spent a select, a savepoint and a write on each poll.
    StatusPageSeen.objects.bulk_create(
        [StatusPageSeen(application=application, seen_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["application"],
        update_fields=["seen_at"],
    )


def _queue(*, application: Application, kind: str, key: str, **links: Any) -> Notification | None:
    consent = notification_consent_current(user=application.user)
    if consent is None or not consent.consented or not consent.email:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                application=application,
                kind=kind,
                key=key,
                email=consent.email,
                language=consent.language,
                **links,
            )
    except IntegrityError:
        return None  # queued before: once per event
    from procedures.tasks import notification_send

    transaction.on_commit(lambda: notification_send.delay(notification.pk))
    return notification


def notification_queue_case_status(*, change: CaseStatusChange) -> Notification | None:
    return _queue(
        application=change.application,
        kind=NotificationKind.CASE_STATUS,
        key=f"case-status:{change.pk}",
        case_status_change=change,
    )


def notifications_queue_ended_exchanges(*, now: dt.datetime | None = None) -> int:
    """Queue an email for each exchange that ended after its citizen last had the status page open."""
    now = now or timezone.now()
    seen = StatusPageSeen.objects.filter(application=OuterRef("application")).values("seen_at")[:1]
    ended = (
        EvidenceRequest.objects.filter(
            completed_at__isnull=False,
            completed_at__gte=now - SWEEP_HORIZON,
            completed_at__lte=now - STATUS_PAGE_GRACE,
            state__in=[ExchangeState.RECEIVED, *UNSUCCESSFUL_STATES],
        )
        .exclude(state=ExchangeState.DECLINED)  # the citizen's own choice: nothing to tell
        .annotate(seen_at=Subquery(seen))
        .filter(Q(seen_at__isnull=True) | Q(seen_at__lt=F("completed_at")))
        .filter(application__user__notification_consents__consented=True)
        .exclude(
            pk__in=Notification.objects.filter(evidence_request__isnull=False).values("evidence_request")
        )
        .select_related("application__user", "application__procedure")
        .distinct()
    )
    queued = 0
    for exchange in ended:
        kind = (
            NotificationKind.EVIDENCE_ARRIVED
            if exchange.state == ExchangeState.RECEIVED
            else NotificationKind.EXCHANGE_FAILED
        )
        with transaction.atomic():
            if _queue(
                application=exchange.application,
                kind=kind,
                key=f"exchange:{exchange.pk}",
                evidence_request=exchange,
            ):
                queued += 1
    return queued


# --- The email -----------------------------------------------------------------------------------------


def notification_email(notification: Notification) -> EmailMessage:
    """The email in the language the citizen answered in."""
    application = notification.application
    with translation.override(notification.language):
        context = {
            "notification": notification,
            "application": application,
            "procedure": application.procedure,
            "change": notification.case_status_change,
            "exchange": notification.evidence_request,
            "url": settings.OOTS_PUBLIC_BASE_URL + reverse("procedures:applications"),
        }
        subjects = {
            NotificationKind.CASE_STATUS: _("Your application %(reference)s: %(status)s"),
            NotificationKind.EVIDENCE_ARRIVED: _("Your application %(reference)s: evidence received"),
            NotificationKind.EXCHANGE_FAILED: _(
                "Your application %(reference)s: evidence could not be obtained"
            ),
        }
        status = (
            notification.case_status_change.get_status_display() if notification.case_status_change else ""
        )
        subject = subjects[NotificationKind(notification.kind)] % {
            "reference": application.short_reference,
            "status": status,
        }
        body = render_to_string("procedures/email/notification.txt", context)
    return EmailMessage(subject=subject, body=body, to=[notification.email])

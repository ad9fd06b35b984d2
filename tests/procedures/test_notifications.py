"""The citizen is told by email (with their consent, asked once): each case status change with its
message, evidence that arrived after they left the status page, an exchange that failed. Sent by a Celery
task to a real SMTP server on loopback, once per event however often the task runs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from exchanges.models import EvidenceRequest, ExchangeState
from procedures.casework_services import case_status_set
from procedures.models import (
    Application,
    ApplicationStatus,
    CaseStatus,
    FieldType,
    Notification,
    NotificationConsent,
    Procedure,
)
from procedures.notify import (
    notification_consent_record,
    notifications_queue_ended_exchanges,
    status_page_seen,
)
from procedures.tasks import notification_send
from tests.exchanges.factories import make_exchange
from tests.factories import add_field, make_case_worker, make_citizen
from tests.smtp_server import smtp_server  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def application() -> Application:
    procedure = Procedure.objects.get(code="T2")
    add_field(procedure, "contact_email", FieldType.EMAIL)
    return Application.objects.create(
        user=make_citizen(),
        procedure=procedure,
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
        data={"contact_email": "ana@example.org"},
    )


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _send_all() -> None:
    for pk in Notification.objects.values_list("pk", flat=True):
        notification_send(pk)


def test_a_case_status_change_is_emailed_once_with_its_message(
    smtp_server,  # noqa: F811
    application,
    django_capture_on_commit_callbacks,
):
    notification_consent_record(user=application.user, consented=True, email="ana@example.org", language="fr")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        case_status_set(
            application=application,
            status=CaseStatus.MORE_INFORMATION,
            message="Envoyez la traduction de votre diplôme.",
            by=make_case_worker(),
        )
    assert len(queued) == 1  # the task is queued after the commit
    _send_all()
    _send_all()  # a second run (a redelivered task) sends nothing
    [message] = smtp_server.inbox.messages
    assert message["To"] == "ana@example.org"
    assert application.short_reference in message["Subject"]
    body = message.get_content()
    assert "Envoyez la traduction de votre diplôme." in body
    assert "propos de votre demande" in body  # in the language the citizen answered in
    assert Notification.objects.get().sent_at is not None


def test_without_consent_nothing_is_sent(smtp_server, application):  # noqa: F811
    notification_consent_record(user=application.user, consented=False)
    case_status_set(application=application, status=CaseStatus.GRANTED, message="", by=None)
    assert not Notification.objects.exists()
    assert smtp_server.inbox.messages == []


def test_an_smtp_server_down_keeps_the_email_for_the_next_attempt(smtp_server, application):  # noqa: F811
    notification_consent_record(user=application.user, consented=True, email="ana@example.org")
    case_status_set(application=application, status=CaseStatus.IN_PROGRESS, message="", by=None)
    notification = Notification.objects.get()
    smtp_server.stop()
    with pytest.raises(OSError):
        notification_send(notification.pk)
    notification.refresh_from_db()
    assert notification.sent_at is None and notification.claimed_at is None and notification.last_error
    assert (
        client_of(make_case_worker())
        .get(reverse("admin:procedures_notification_changelist"))
        .context["cl"]
        .result_list[0]
        == notification
    )  # the case worker sees it waiting, with its error
    smtp_server.start()
    notification_send(notification.pk)
    notification_send(notification.pk)
    assert len(smtp_server.inbox.messages) == 1


def _ended(application: Application, state: str, minutes_ago: int) -> EvidenceRequest:
    exchange = make_exchange(application=application)
    EvidenceRequest.objects.filter(pk=exchange.pk).update(
        state=state,
        completed_at=timezone.now() - dt.timedelta(minutes=minutes_ago),
        evidence_type_title="Birth certificate",
        provider_name="Civil registry of Leuven",
    )
    return exchange


def test_evidence_that_arrived_after_the_citizen_left_is_emailed_once(smtp_server, application):  # noqa: F811
    notification_consent_record(user=application.user, consented=True, email="ana@example.org", language="en")
    status_page_seen(application=application)
    from procedures.models import StatusPageSeen

    StatusPageSeen.objects.filter(application=application).update(
        seen_at=timezone.now() - dt.timedelta(minutes=30)
    )
    _ended(application, ExchangeState.RECEIVED, minutes_ago=10)
    _ended(application, ExchangeState.FAILED, minutes_ago=5)
    assert notifications_queue_ended_exchanges() == 2
    assert notifications_queue_ended_exchanges() == 0  # once per exchange
    _send_all()
    subjects = sorted(message["Subject"] for message in smtp_server.inbox.messages)
    assert len(subjects) == 2
    assert any("evidence received" in subject for subject in subjects)
    assert any("could not be obtained" in subject for subject in subjects)


def test_evidence_the_citizen_saw_arrive_on_the_status_page_is_not_emailed(smtp_server, application):  # noqa: F811
    notification_consent_record(user=application.user, consented=True, email="ana@example.org")
    _ended(application, ExchangeState.RECEIVED, minutes_ago=10)
    status_page_seen(application=application)  # the page polled after it arrived
    assert notifications_queue_ended_exchanges() == 0


def test_each_poll_of_the_status_page_moves_the_time_it_was_seen_on_one_row(application):
    from procedures.models import StatusPageSeen

    status_page_seen(application=application)
    StatusPageSeen.objects.filter(application=application).update(
        seen_at=timezone.now() - dt.timedelta(minutes=30)
    )
    status_page_seen(application=application)  # the next poll
    rows = list(StatusPageSeen.objects.filter(application=application))
    assert len(rows) == 1
    assert timezone.now() - rows[0].seen_at < dt.timedelta(minutes=1)


def test_a_declined_exchange_is_not_emailed(smtp_server, application):  # noqa: F811
    notification_consent_record(user=application.user, consented=True, email="ana@example.org")
    _ended(application, ExchangeState.DECLINED, minutes_ago=10)
    assert notifications_queue_ended_exchanges() == 0


# --- My applications -----------------------------------------------------------------------------------


def test_my_applications_asks_once_offering_the_address_given_in_the_form(client, application):
    client.force_login(application.user)
    page = client.get(reverse("procedures:applications")).content.decode()
    assert 'value="ana@example.org"' in page
    answer = client.post(
        reverse("procedures:notification_consent"),
        {"answer": "yes", "email": "ana@example.org", "consent": "on"},
    )
    assert answer.status_code == 302
    consent = NotificationConsent.objects.get(user=application.user)
    assert consent.consented and consent.email == "ana@example.org"
    page = client.get(reverse("procedures:applications")).content.decode()
    assert 'name="consent"' not in page  # not asked again
    assert "ana@example.org" in page


def test_consent_needs_the_box_ticked(client, application):
    client.force_login(application.user)
    answer = client.post(
        reverse("procedures:notification_consent"), {"answer": "yes", "email": "ana@example.org"}
    )
    assert answer.status_code == 400
    assert not NotificationConsent.objects.exists()


def test_my_applications_shows_the_case_status_and_the_messages(client, application):
    case_status_set(
        application=application, status=CaseStatus.MORE_INFORMATION, message="Send the translation.", by=None
    )
    client.force_login(application.user)
    page = client.get(reverse("procedures:applications")).content.decode()
    assert "More information needed" in page
    assert "Send the translation." in page


def test_another_citizen_does_not_see_the_messages(client, application):
    case_status_set(application=application, status=CaseStatus.REFUSED, message="Secret reason", by=None)
    client.force_login(make_citizen())
    assert "Secret reason" not in client.get(reverse("procedures:applications")).content.decode()

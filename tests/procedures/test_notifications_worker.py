"""A case status change reaches the applicant's mailbox through a real Celery worker and a real SMTP server
on loopback, once, even when the task is delivered twice."""

from __future__ import annotations

import time

import pytest
from django.utils import timezone

from portal.celery import app
from procedures.casework_services import case_status_set
from procedures.models import Application, ApplicationStatus, CaseStatus, Notification, Procedure
from procedures.notify import notification_consent_record
from procedures.tasks import notification_send
from tests.factories import make_citizen
from tests.smtp_server import smtp_server  # noqa: F401 - fixture
from tests.workers import WAIT, Worker, worker_env

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_worker_sends_the_case_status_email_once(tmp_path, live_server, settings, smtp_server):  # noqa: F811
    env = worker_env(live_server.url, settings)
    env.update({"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_server.port)})
    app.control.purge()  # tasks earlier tests left on the queue are not this test's
    worker = Worker("notify", tmp_path, env)
    try:
        application = Application.objects.create(
            user=make_citizen(),
            procedure=Procedure.objects.get(code="T2"),
            status=ApplicationStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )
        notification_consent_record(user=application.user, consented=True, email="ana@example.org")
        case_status_set(application=application, status=CaseStatus.GRANTED, message="Welcome!", by=None)
        notification = Notification.objects.get()
        notification_send.delay(notification.pk)  # a second delivery of the same task
        deadline = time.monotonic() + WAIT
        while worker.tasks_ended() < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert worker.tasks_ended() == 2, worker.log()
    finally:
        worker.stop()
    assert len(smtp_server.inbox.messages) == 1
    assert "Welcome!" in smtp_server.inbox.messages[0].get_content()
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.attempts == 1

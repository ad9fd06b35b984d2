"""The email to a functional mailbox, through a real SMTP server on loopback: the receipt, the documents and
application.json attached, sent once even when the server was down at first."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from registrations.models import BackendKind, Delivery, DeliveryState
from registrations.services import delivery_attempt
from tests.factories import MINIMAL_PDF
from tests.registrations.conftest import EVIDENCE_PDF, add_backend, submit_application

pytestmark = pytest.mark.django_db


def test_a_mail_server_down_then_up_gets_one_message_with_everything_attached(given, smtp):
    add_backend(given.procedure, BackendKind.EMAIL, email_to="admissions@university.example")
    application = submit_application(given.procedure)
    delivery = Delivery.objects.get(application=application)

    assert delivery_attempt(delivery_id=delivery.pk).result == "retry"
    smtp.up()
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert delivery_attempt(delivery_id=delivery.pk).result == "delivered"
    assert delivery_attempt(delivery_id=delivery.pk).result == "not claimed"

    (message,) = smtp.received
    assert message["To"] == "admissions@university.example"
    assert message["X-OOTS-Idempotency-Key"] == str(application.reference)
    assert message["Message-ID"].startswith(f"<{application.reference}.")
    assert application.short_reference in message["Subject"]
    when = timezone.localtime(application.submitted_at).strftime("%Y-%m-%d %H:%M")
    assert when in message.get_body(("plain",)).get_content()
    attached = {part.get_filename(): part.get_content() for part in message.iter_attachments()}
    assert set(attached) == {
        "application.json",
        f"receipt-{application.short_reference}.pdf",
        "My CV.pdf",
        "birth certificate.pdf",
        "Bachelor diploma.pdf",
    }
    assert attached[f"receipt-{application.short_reference}.pdf"].startswith(b"%PDF")
    assert attached["My CV.pdf"] == MINIMAL_PDF and attached["Bachelor diploma.pdf"] == EVIDENCE_PDF
    document = json.loads(attached["application.json"])
    assert document["reference"] == str(application.reference)
    assert all("url" not in f for f in document["files"])  # attached, not linked


def test_an_application_too_large_for_email_fails_without_being_sent(given, smtp, settings):
    settings.OOTS_BACKOFFICE_EMAIL_MAX_BYTES = 10
    smtp.up()
    add_backend(given.procedure, BackendKind.EMAIL, email_to="admissions@university.example")
    delivery = Delivery.objects.get(application=submit_application(given.procedure))
    assert delivery_attempt(delivery_id=delivery.pk).result == "failed"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and "OOTS_BACKOFFICE_EMAIL_MAX_BYTES" in delivery.last_error
    assert smtp.received == []


def test_a_file_gone_from_the_storage_is_recorded_and_retried_not_left_claimed(given, smtp):
    smtp.up()
    add_backend(given.procedure, BackendKind.EMAIL, email_to="admissions@university.example")
    application = submit_application(given.procedure)
    stored = application.files.get(field_key="cv")
    stored.file.storage.delete(stored.file.name)
    delivery = Delivery.objects.get(application=application)
    assert delivery_attempt(delivery_id=delivery.pk).result == "retry"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.PENDING and delivery.last_error.startswith("FileNotFoundError")
    assert smtp.received == []

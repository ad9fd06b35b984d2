"""The signed webhook: created with the submission, delivered exactly once to a receiver that was down, signed
so that the receiver can check it with nothing but its key, with links that serve each file for a while."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import re
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from registrations.models import BackendKind, Delivery, DeliveryState, RegistrationBackend
from registrations.services import delivery_attempt
from tests.conftest import REPO_ROOT
from tests.factories import MINIMAL_PDF
from tests.registrations.conftest import (
    BIRTH,
    DIPLOMA,
    EVIDENCE_PDF,
    add_backend,
    issue_key,
    submit_application,
)

pytestmark = pytest.mark.django_db


def _due_now(delivery: Delivery) -> None:
    # The backoff's wait, skipped: the test does not sleep through it.
    Delivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


def _verify(secret: str, header: str, body: bytes) -> dict[str, str]:
    """A receiver's check, written from docs/back-office.md: which key ids' signatures are right."""
    parts = dict(part.split("=", 1) for part in header.split(","))
    timestamp = parts.pop("t")
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert abs(int(timestamp) - timezone.now().timestamp()) < 60
    return {
        name: "valid" if hmac.compare_digest(value, expected) else "invalid" for name, value in parts.items()
    }


def test_a_submission_creates_one_delivery_per_enabled_backend_queued_when_it_commits(
    given, django_capture_on_commit_callbacks
):
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url="https://backoffice.example/hook")
    add_backend(given.procedure, BackendKind.API)
    disabled = add_backend(given.procedure, BackendKind.EMAIL, email_to="admissions@example.org")
    RegistrationBackend.objects.filter(pk=disabled.pk).update(enabled=False)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        application = submit_application(given.procedure)
    states = dict(Delivery.objects.filter(application=application).values_list("backend__kind", "state"))
    assert states == {BackendKind.WEBHOOK: DeliveryState.PENDING, BackendKind.API: DeliveryState.AVAILABLE}
    assert any(getattr(c, "__qualname__", "").startswith("deliveries_create") for c in callbacks)


def test_a_submission_rolled_back_leaves_no_delivery(given):
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url="https://backoffice.example/hook")
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_application(given.procedure)
        raise RuntimeError("the submission's transaction fails after the signal")
    assert not Delivery.objects.exists()


def test_a_receiver_down_then_up_gets_the_application_exactly_once(given, receiver):
    issue_key(given.authority)
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url=receiver.url)
    application = submit_application(given.procedure)
    delivery = Delivery.objects.get(application=application)

    first = delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert first.result == "retry" and first.retry_in is not None
    assert delivery.state == DeliveryState.PENDING and "ConnectionError" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()
    # Not due yet: a second task (the sweep's, a duplicate) claims nothing.
    assert delivery_attempt(delivery_id=delivery.pk).result == "not claimed"

    receiver.up()
    _due_now(delivery)
    assert delivery_attempt(delivery_id=delivery.pk).result == "delivered"
    assert delivery_attempt(delivery_id=delivery.pk).result == "not claimed"  # a task run twice
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.DELIVERED and delivery.attempts == 2 and delivery.last_error == ""
    assert len(receiver.received) == 1
    assert receiver.received[0].headers["Idempotency-Key"] == str(application.reference)


def test_the_signature_verifies_with_the_authoritys_key_alone(given, receiver):
    key = issue_key(given.authority)
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url=receiver.url)
    receiver.up()
    application = submit_application(given.procedure)
    delivery_attempt(delivery_id=Delivery.objects.get(application=application).pk)
    (request,) = receiver.received
    assert _verify(key.secret, request.headers["X-OOTS-Signature"], request.body) == {
        f"k-{key.key_id}": "valid"
    }
    # One byte changed in the body, and the signature no longer holds.
    tampered = request.body.replace(b"Ana Test", b"Eve Test")
    assert _verify(key.secret, request.headers["X-OOTS-Signature"], tampered) == {
        f"k-{key.key_id}": "invalid"
    }


def test_every_active_key_signs_so_a_key_is_rotated_without_downtime(given, receiver):
    old, new = issue_key(given.authority), issue_key(given.authority)
    retired = issue_key(given.authority)
    retired.retired_at = timezone.now()
    retired.save()
    issue_key(given.other_authority)  # another authority's key signs nothing of this one
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url=receiver.url)
    receiver.up()
    delivery_attempt(delivery_id=Delivery.objects.get(application=submit_application(given.procedure)).pk)
    (request,) = receiver.received
    header = request.headers["X-OOTS-Signature"]
    assert _verify(old.secret, header, request.body)[f"k-{old.key_id}"] == "valid"
    assert _verify(new.secret, header, request.body)[f"k-{new.key_id}"] == "valid"
    assert f"k-{retired.key_id}" not in header and header.count("=") == 3


def test_the_document_lists_answers_applicant_and_each_file_under_its_requirement(given, receiver):
    issue_key(given.authority)
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url=receiver.url)
    receiver.up()
    application = submit_application(given.procedure)
    delivery_attempt(delivery_id=Delivery.objects.get(application=application).pk)
    document = json.loads(receiver.received[0].body)
    assert document["type"] == "oots-portal.application.submitted" and document["version"] == 1
    assert document["reference"] == str(application.reference)
    assert document["procedure"]["code"] == given.procedure.code
    assert document["authority"]["identifier"] == given.authority.requester_identifier
    answers = {answer["key"]: answer for answer in document["answers"]}
    assert answers["full_name"]["value"] == "Ana Test"
    files = {(f["kind"], f["requirement"], f["field"]): f for f in document["files"]}
    assert set(files) == {
        ("receipt", None, None),
        ("upload", None, "cv"),
        ("upload", BIRTH, None),
        ("evidence", DIPLOMA, None),
    }
    assert answers["cv"]["file"] == files[("upload", None, "cv")]["ref"]
    assert files[("evidence", DIPLOMA, None)]["name"] == "Bachelor diploma.pdf"
    assert all(urlsplit(f["url"]).path.startswith("/backoffice/files/") for f in document["files"])


def test_the_links_serve_each_file_until_they_expire(given, receiver, settings):
    issue_key(given.authority)
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url=receiver.url)
    receiver.up()
    delivery_attempt(delivery_id=Delivery.objects.get(application=submit_application(given.procedure)).pk)
    files = {f["kind"] + (f["field"] or ""): f for f in json.loads(receiver.received[0].body)["files"]}
    client = Client()
    paths = {kind: urlsplit(f["url"]).path for kind, f in files.items()}
    assert b"".join(client.get(paths["evidence"]).streaming_content) == EVIDENCE_PDF
    assert b"".join(client.get(paths["uploadcv"]).streaming_content) == MINIMAL_PDF
    receipt = client.get(paths["receipt"])
    assert receipt["Content-Type"] == "application/pdf" and "receipt-" in receipt["Content-Disposition"]
    assert client.get(paths["evidence"][:-3] + "xx/").status_code == 404  # altered: the signature fails
    settings.OOTS_BACKOFFICE_LINK_SECONDS = -1  # every link is now older than its lifetime
    assert client.get(paths["evidence"]).status_code == 404


def test_a_refusal_by_the_receiver_fails_at_once_without_retrying(given, receiver):
    issue_key(given.authority)
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url=receiver.url)
    receiver.status = 400
    receiver.up()
    delivery = Delivery.objects.get(application=submit_application(given.procedure))
    assert delivery_attempt(delivery_id=delivery.pk).result == "failed"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and "HTTP 400" in delivery.last_error
    assert delivery_attempt(delivery_id=delivery.pk).result == "not claimed"


def test_a_receiver_that_keeps_failing_is_given_up_after_the_last_attempt(given, receiver, settings):
    settings.OOTS_BACKOFFICE_MAX_ATTEMPTS = 2
    issue_key(given.authority)
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url=receiver.url)
    receiver.status = 503
    receiver.up()
    delivery = Delivery.objects.get(application=submit_application(given.procedure))
    assert delivery_attempt(delivery_id=delivery.pk).result == "retry"
    _due_now(delivery)
    assert delivery_attempt(delivery_id=delivery.pk).result == "failed"
    delivery.refresh_from_db()
    assert delivery.last_error.startswith("gave up after 2 attempts: HTTP 503")


@pytest.mark.parametrize(
    ("url", "loopback_http", "refused"),
    [
        ("https://backoffice.example/hook", False, False),
        ("http://127.0.0.1:9/hook", True, False),  # development and tests on one machine
        ("http://127.0.0.1:9/hook", False, True),  # production
        ("http://backoffice.example/hook", True, True),
        ("https://user:secret@backoffice.example/hook", False, True),
        ("ftp://backoffice.example/hook", True, True),
    ],
)
def test_plain_http_webhooks_only_on_loopback_in_development(given, settings, url, loopback_http, refused):
    settings.OOTS_BACKOFFICE_ALLOW_LOOPBACK_HTTP = loopback_http
    backend = RegistrationBackend(
        procedure=given.procedure, kind=BackendKind.WEBHOOK, name="hook", webhook_url=url
    )
    if refused:
        with pytest.raises(ValidationError):
            backend.full_clean()
    else:
        backend.full_clean()


def test_a_webhook_no_longer_allowed_fails_without_being_posted(given, receiver, settings):
    issue_key(given.authority)
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url=receiver.url)
    receiver.up()
    settings.OOTS_BACKOFFICE_ALLOW_LOOPBACK_HTTP = False
    delivery = Delivery.objects.get(application=submit_application(given.procedure))
    assert delivery_attempt(delivery_id=delivery.pk).result == "failed"
    assert receiver.received == []


def test_a_stale_claim_of_a_dead_worker_is_taken_over(given, receiver, settings):
    issue_key(given.authority)
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url=receiver.url)
    receiver.up()
    delivery = Delivery.objects.get(application=submit_application(given.procedure))
    long_ago = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    Delivery.objects.filter(pk=delivery.pk).update(state=DeliveryState.SENDING, claimed_at=timezone.now())
    assert delivery_attempt(delivery_id=delivery.pk).result == "not claimed"  # a live worker's claim
    Delivery.objects.filter(pk=delivery.pk).update(claimed_at=long_ago)
    assert delivery_attempt(delivery_id=delivery.pk).result == "delivered"
    assert len(receiver.received) == 1


def test_the_check_in_the_integrators_guide_accepts_a_delivery_and_refuses_a_tampered_one(given, receiver):
    guide = (REPO_ROOT / "docs" / "back-office.md").read_text(encoding="utf-8")
    namespace: dict[str, object] = {}
    exec(re.search(r"```python\n(.*?)```", guide, re.S).group(1), namespace)  # noqa: S102 - our own doc
    verified = namespace["verified"]
    key = issue_key(given.authority)
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url=receiver.url)
    receiver.up()
    delivery_attempt(delivery_id=Delivery.objects.get(application=submit_application(given.procedure)).pk)
    (request,) = receiver.received
    header = request.headers["X-OOTS-Signature"]
    assert verified(request.body, header, key.key_id, key.secret)
    assert not verified(request.body + b" ", header, key.key_id, key.secret)
    assert not verified(request.body, header, key.key_id, "another secret")


def test_a_delivery_whose_worker_died_at_every_attempt_is_given_up(given, receiver, settings):
    settings.OOTS_BACKOFFICE_MAX_ATTEMPTS = 3
    issue_key(given.authority)
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url=receiver.url)
    receiver.up()
    delivery = Delivery.objects.get(application=submit_application(given.procedure))
    long_ago = timezone.now() - dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.SENDING, claimed_at=long_ago, attempts=3
    )
    assert delivery_attempt(delivery_id=delivery.pk).result == "failed"
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.FAILED and "worker that stopped" in delivery.last_error
    assert receiver.received == []

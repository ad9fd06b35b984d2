"""The admin of back-office delivery: each authority's staff see and act on their own rows only; "deliver
again" sends a failed delivery anew; a token's and a key's secret are shown once, on the creation's answer."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from authorities.models import Authority, Role
from registrations.models import ApiToken, BackendKind, Delivery, DeliveryState, SigningKey, token_digest
from tests.factories import make_staff
from tests.registrations.conftest import add_backend, submit_application

pytestmark = pytest.mark.django_db


def _staff(authority: Authority, role: str) -> Client:
    client = Client()
    client.force_login(make_staff(role, authority))
    return client


@pytest.fixture
def failed(given):
    add_backend(given.procedure, BackendKind.WEBHOOK, webhook_url="https://backoffice.example/hook")
    delivery = Delivery.objects.get(application=submit_application(given.procedure))
    Delivery.objects.filter(pk=delivery.pk).update(
        state=DeliveryState.FAILED, attempts=12, last_error="gave up after 12 attempts: HTTP 503"
    )
    return delivery


def test_the_deliveries_show_their_state_and_last_error(given, failed):
    page = _staff(given.authority, Role.CASE_WORKER).get(reverse("admin:registrations_delivery_changelist"))
    assert page.status_code == 200
    assert b"gave up after 12 attempts: HTTP 503" in page.content and b"Failed" in page.content


def test_deliver_again_puts_a_failed_delivery_back_and_queues_it(
    given, failed, django_capture_on_commit_callbacks
):
    client = _staff(given.authority, Role.CASE_WORKER)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse("admin:registrations_delivery_changelist"),
            {"action": "deliver_again", "_selected_action": [failed.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.state == DeliveryState.PENDING and failed.attempts == 0 and failed.next_attempt_at is None
    assert len(callbacks) == 1


def test_another_authoritys_staff_find_neither_its_deliveries_nor_its_backends(given, failed):
    for role in (Role.OWNER, Role.CASE_WORKER):
        client = _staff(given.other_authority, role)
        assert client.get(reverse("admin:registrations_delivery_change", args=[failed.pk])).status_code == 404
        listed = client.get(reverse("admin:registrations_delivery_changelist"))
        assert str(failed.application).encode() not in listed.content
        client.post(
            reverse("admin:registrations_delivery_changelist"),
            {"action": "deliver_again", "_selected_action": [failed.pk]},
        )
    failed.refresh_from_db()
    assert failed.state == DeliveryState.FAILED
    owner = _staff(given.other_authority, Role.OWNER)
    backend = failed.backend
    assert (
        owner.get(reverse("admin:registrations_registrationbackend_change", args=[backend.pk])).status_code
        == 404
    )


def test_an_owner_can_choose_only_their_own_procedures_for_a_backend(given):
    owner = _staff(given.authority, Role.OWNER)
    response = owner.post(
        reverse("admin:registrations_registrationbackend_add"),
        {"procedure": given.other_procedure.pk, "kind": BackendKind.API, "name": "theirs", "enabled": "on"},
    )
    assert response.status_code == 200 and b"errorlist" in response.content
    assert not given.other_procedure.registration_backends.exists()


def test_a_case_worker_cannot_configure_backends_keys_or_tokens(given):
    worker = _staff(given.authority, Role.CASE_WORKER)
    for model in ("registrationbackend", "signingkey", "apitoken"):
        assert worker.get(reverse(f"admin:registrations_{model}_add")).status_code == 403


def test_a_new_token_is_shown_once_and_kept_as_a_digest(given):
    owner = _staff(given.authority, Role.OWNER)
    response = owner.post(
        reverse("admin:registrations_apitoken_add"), {"authority": given.authority.pk, "name": "Case system"}
    )
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    row = ApiToken.objects.get(authority=given.authority)
    shown = (
        response.content.decode().split('id="issued-secret" type="text" readonly value="', 1)[1].split('"')[0]
    )
    assert shown.startswith("oots_bo_") and row.digest == token_digest(shown)
    change = owner.get(reverse("admin:registrations_apitoken_change", args=[row.pk]))
    assert shown not in change.content.decode()


def test_a_new_signing_key_is_shown_once(given):
    owner = _staff(given.authority, Role.OWNER)
    response = owner.post(reverse("admin:registrations_signingkey_add"), {"authority": given.authority.pk})
    key = SigningKey.objects.get(authority=given.authority)
    assert key.secret in response.content.decode()
    change = owner.get(reverse("admin:registrations_signingkey_change", args=[key.pk]))
    assert key.secret not in change.content.decode()


def test_an_owner_cannot_issue_a_token_for_another_authority(given):
    owner = _staff(given.authority, Role.OWNER)
    owner.post(
        reverse("admin:registrations_apitoken_add"), {"authority": given.other_authority.pk, "name": "x"}
    )
    assert not ApiToken.objects.filter(authority=given.other_authority).exists()

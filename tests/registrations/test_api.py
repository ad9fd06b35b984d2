"""The back-office API: a token per authority lists the applications not yet acknowledged, serves one with
links to its files, and takes the acknowledgement; another authority's token finds nothing (404)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registrations.models import ApiToken, BackendKind, Delivery, DeliveryState, token_digest
from tests.registrations.conftest import EVIDENCE_PDF, add_backend, issue_token, submit_application

pytestmark = pytest.mark.django_db


def _client(token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
def collected(given):
    add_backend(given.procedure, BackendKind.API)
    add_backend(given.other_procedure, BackendKind.API)
    return submit_application(given.procedure)


def test_the_api_lists_serves_and_acknowledges(given, collected):
    api = _client(issue_token(given.authority))
    listed = api.get(reverse("registrations:api_list")).json()["applications"]
    assert [a["reference"] for a in listed] == [str(collected.reference)]

    detail = api.get(urlsplit(listed[0]["url"]).path)
    assert detail.status_code == 200 and "no-store" in detail["Cache-Control"]
    document = detail.json()
    assert document["answers"][0]["value"] == "Ana Test"
    evidence = next(f for f in document["files"] if f["kind"] == "evidence")
    assert b"".join(Client().get(urlsplit(evidence["url"]).path).streaming_content) == EVIDENCE_PDF

    acknowledged = api.post(urlsplit(document["delivery"]["acknowledge_url"]).path)
    assert acknowledged.status_code == 200 and acknowledged.json()["state"] == DeliveryState.DELIVERED
    assert Delivery.objects.get(application=collected).state == DeliveryState.DELIVERED
    assert api.get(reverse("registrations:api_list")).json() == {"applications": []}
    again = api.post(urlsplit(document["delivery"]["acknowledge_url"]).path)  # repeated: nothing changes
    assert again.json()["acknowledged_at"] == acknowledged.json()["acknowledged_at"]


def test_another_authoritys_token_gets_404(given, collected):
    other = _client(issue_token(given.other_authority))
    assert other.get(reverse("registrations:api_list")).json() == {"applications": []}
    detail = reverse("registrations:api_detail", args=[collected.reference])
    acknowledge = reverse("registrations:api_acknowledge", args=[collected.reference])
    assert other.get(detail).status_code == 404
    assert other.post(acknowledge).status_code == 404
    assert Delivery.objects.get(application=collected).state == DeliveryState.AVAILABLE


@pytest.mark.parametrize("header", [None, "Bearer ", "Bearer oots_bo_guessed", "Basic b290czpvb3Rz"])
def test_no_valid_token_is_401(given, collected, header):
    client = Client(headers={"Authorization": header} if header else {})
    response = client.get(reverse("registrations:api_list"))
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401_and_only_its_digest_is_stored(given, collected):
    token = issue_token(given.authority)
    row = ApiToken.objects.get(authority=given.authority)
    assert row.digest == token_digest(token) and token not in {row.digest, row.prefix}
    row.revoked_at = timezone.now()
    row.save()
    assert _client(token).get(reverse("registrations:api_list")).status_code == 401

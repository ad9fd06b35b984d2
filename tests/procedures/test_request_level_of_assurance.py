"""The explicit request is given in the current login, which must reach the level every chosen provider
requires (issue 17 item 4): a login at a lower level since the provider was chosen gets the step-up page and
sends nothing; at the right level, the request carries that level."""

from __future__ import annotations

import pytest
from django.urls import reverse

from exchanges.models import EvidenceRequest, ExchangeState
from oots_client.edm import EvidenceRequest as EdmEvidenceRequest
from oots_client.edm.serialize import from_json
from tests.exchanges.factories import make_exchange
from tests.factories import make_evidence_item
from tests.procedures.test_journey import _application, _citizen_client

pytestmark = pytest.mark.django_db


def _drafted(loa: str, required: str):  # type: ignore[no-untyped-def]
    client, user = _citizen_client(loa)
    application = _application(user)
    requirement = application.procedure.requirements.get()
    exchange = make_exchange(application=application)
    EvidenceRequest.objects.filter(pk=exchange.pk).update(requirement=requirement, required_loa=required)
    make_evidence_item(application, requirement, exchange=exchange)
    return client, application, exchange


def test_a_login_below_a_chosen_providers_level_gets_the_step_up_page_and_sends_nothing(
    django_capture_on_commit_callbacks,
):
    client, application, exchange = _drafted("substantial", "high")
    url = reverse("procedures:journey_step", args=[application.reference, "request"])

    page = client.get(url)
    assert page.status_code == 403 and "A stronger login is needed" in page.content.decode()
    with django_capture_on_commit_callbacks():
        posted = client.post(url)
    assert posted.status_code == 403
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.DRAFT


def test_at_the_providers_level_the_request_is_sent_with_the_level_of_the_login(
    django_capture_on_commit_callbacks,
):
    client, application, exchange = _drafted("high", "high")
    url = reverse("procedures:journey_step", args=[application.reference, "request"])
    with django_capture_on_commit_callbacks():
        assert client.post(url).status_code == 302
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.REQUESTED
    assert from_json(EdmEvidenceRequest, exchange.request_content).subject.level_of_assurance == "High"

"""Operators see refused and parked answers in the admin: the incoming messages and the exchange log,
filterable by state, outcome and reason, and linked from the exchange they claim."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from exchanges import services
from exchanges.models import IncomingMessage
from tests.exchanges.factories import evidence_answer, make_exchange
from tests.exchanges.forgeries import OTHER_PERSON, answer

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):  # type: ignore[no-untyped-def]
    user = get_user_model().objects.create_superuser("operator", "operator@example.org", "operator-pw-1234")
    client.force_login(user)
    return client


def _receive(message):  # type: ignore[no-untyped-def]
    incoming, _ = services.incoming_announce(ebms_message_id=message.header.message_id, source="test")
    services.incoming_process(incoming=incoming, message=message)
    return IncomingMessage.objects.get(pk=incoming.pk)


@pytest.fixture
def refused_and_received(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    exchange = make_exchange()
    with django_capture_on_commit_callbacks():
        services.evidence_request_give_explicit_request(evidence_request=exchange)
    outgoing = services.outgoing_claim(outgoing_id=exchange.outgoing.get().pk)
    services.outgoing_submitted(
        outgoing=outgoing, payload=services.outgoing_payload(outgoing=outgoing), domibus_id="x"
    )
    refused = _receive(answer(outgoing, about=OTHER_PERSON))
    received = _receive(evidence_answer(outgoing))
    return exchange, refused, received


def test_the_incoming_messages_list_filters_refused_answers_by_reason(operator, refused_and_received):
    _, refused, received = refused_and_received
    page = operator.get(
        "/admin/exchanges/incomingmessage/", {"state__exact": "refused", "reason__exact": "wrong_subject"}
    )
    assert page.status_code == 200
    assert refused.ebms_message_id in page.text
    assert received.ebms_message_id not in page.text
    detail = operator.get(f"/admin/exchanges/incomingmessage/{refused.pk}/change/")
    assert "date of birth" in detail.text or "identifier" in detail.text  # what differs, not whose
    assert OTHER_PERSON.identifier.value not in detail.text


def test_the_exchange_log_lists_refusals_and_the_exchange_links_to_them(operator, refused_and_received):
    exchange, _, _ = refused_and_received
    reason = 'field-reason">The evidence is about someone else'  # the cell, not the filter's choice
    assert reason in operator.get("/admin/exchanges/exchangelog/", {"outcome": "refused"}).text
    assert reason not in operator.get("/admin/exchanges/exchangelog/", {"outcome": "response"}).text
    change = operator.get(f"/admin/exchanges/evidencerequest/{exchange.pk}/change/")
    assert f"evidence_request__id__exact={exchange.pk}" in change.text
    assert "1 message" in change.text

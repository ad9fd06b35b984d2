"""``/oots/backend/``: the BackendService endpoint Domibus pushes notifications to."""

import base64

import pytest
from lxml import etree

from exchanges.models import ExchangeLog, ExchangeState, IncomingMessage
from oots_client.access_point import soap
from tests.exchanges.factories import make_exchange

pytestmark = pytest.mark.django_db

URL = "/oots/backend/"


def _notification(operation: str, message_id: str = "m-1@provider", **extra: str) -> bytes:
    element = etree.Element(f"{{eu.domibus}}{operation}", nsmap={"ns": "eu.domibus"})
    etree.SubElement(element, "messageID").text = message_id
    for name, value in extra.items():
        etree.SubElement(element, name).text = value
    return soap.envelope(element)


def _post(client, body: bytes, user: str = "domibus", password: str = "backend-demo-password"):
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return client.post(
        URL, body, content_type=soap.SOAP_CONTENT_TYPE, headers={"authorization": f"Basic {token}"}
    )


def test_notifications_need_the_configured_credentials(client):
    assert (
        client.post(URL, _notification("receiveSuccess"), content_type=soap.SOAP_CONTENT_TYPE).status_code
        == 401
    )
    assert _post(client, _notification("receiveSuccess"), password="wrong").status_code == 401
    assert not IncomingMessage.objects.exists()


def test_an_unconfigured_endpoint_accepts_nobody(client, settings):
    settings.OOTS_BACKEND_PASSWORD = ""
    assert _post(client, _notification("receiveSuccess"), password="").status_code == 401


def test_receive_success_records_the_message_and_queues_one_fetch(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = _post(client, _notification("receiveSuccess"))
    assert response.status_code == 200
    answer = soap.body_element(soap.parse_envelope(response.content))
    assert answer.tag == "{eu.domibus}receiveSuccessResponse"
    assert IncomingMessage.objects.get().ebms_message_id == "m-1@provider"
    assert len(callbacks) == 1


def test_a_repeated_notification_of_a_processed_message_queues_nothing(
    client, django_capture_on_commit_callbacks
):
    IncomingMessage.objects.create(ebms_message_id="m-1@provider", state="processed", downloaded=True)
    with django_capture_on_commit_callbacks() as callbacks:
        assert _post(client, _notification("receiveSuccess")).status_code == 200
    assert callbacks == []


def test_send_failure_fails_the_exchange_that_sent_the_message(client, django_capture_on_commit_callbacks):
    exchange = make_exchange()
    from exchanges.services import evidence_request_give_explicit_request

    with django_capture_on_commit_callbacks():
        evidence_request_give_explicit_request(evidence_request=exchange)
    outgoing = exchange.outgoing.get()
    assert _post(client, _notification("sendFailure", outgoing.ebms_message_id)).status_code == 200
    exchange.refresh_from_db()
    assert (exchange.state, exchange.error_code) == (ExchangeState.FAILED, "AS4_DELIVERY_FAILED")


def test_status_changes_are_logged(client):
    assert (
        _post(client, _notification("messageStatusChange", messageStatus="ACKNOWLEDGED")).status_code == 200
    )
    assert ExchangeLog.objects.get(event="status_change").outcome == "ACKNOWLEDGED"


@pytest.mark.parametrize(
    "body",
    [b"not xml", b'<!DOCTYPE x [<!ENTITY a "b">]><x/>', soap.envelope(soap.ws("submitResponse"))],
    ids=["garbage", "doctype", "wrong-operation"],
)
def test_malformed_or_unknown_notifications_get_a_soap_fault(client, body):
    response = _post(client, body)
    assert response.status_code == 400
    assert soap.read_fault(soap.parse_envelope(response.content)) is not None


def test_only_post_is_allowed(client):
    assert client.get(URL).status_code == 405

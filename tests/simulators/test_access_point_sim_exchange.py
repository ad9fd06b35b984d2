"""End to end through a real Celery worker: the portal's adapter ↔ access-point simulator ↔ provider
simulator, and the simulator's pushes to a BackendService over loopback HTTP."""

from __future__ import annotations

import base64
import time

import pytest
from lxml import etree

from oots_client.access_point import (
    AlreadySubmitted,
    DomibusConfig,
    DomibusWsPlugin,
    MessageStatus,
    ebms,
    soap,
)
from oots_client.edm import EvidenceResponse, parse_message, validate
from oots_client.edm.examples import example_request
from simulators.access_point.models import ApMessage, ApNotification, ApSubmission, Direction
from simulators.access_point.testing import celery_worker, loopback_backend, request_message
from simulators.evidence_provider.models import ProviderRequest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _simulator_settings(settings):
    settings.OOTS_AP_USERNAME = "portal"
    settings.OOTS_AP_PASSWORD = "portal-demo-password"
    settings.OOTS_BACKEND_USERNAME = "domibus"
    settings.OOTS_BACKEND_PASSWORD = "backend-demo-password"
    settings.OOTS_AP_SIM_PUSH = False
    settings.OOTS_EP_SIM_DEFAULT_SCENARIO = "immediate"
    settings.OOTS_AP_SIM_PUSH_BACKOFF_SECONDS = 0.05


def _wait_for(condition, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting for the simulator")


def test_adapter_submits_then_lists_retrieves_and_marks_the_providers_answer(live_server):
    adapter = DomibusWsPlugin(
        DomibusConfig(
            url=f"{live_server.url}/sim/ap/services/wsplugin",
            username="portal",
            password="portal-demo-password",
        )
    )
    message = request_message(example_request(), "oots-edm:v1.2")
    conversation = message.header.conversation_id
    # Both sends before the worker starts: SQLite's in-memory test database takes one writer at a time.
    assert adapter.submit(message) == message.header.message_id
    with pytest.raises(AlreadySubmitted) as again:  # a retry of the same send: refused as Domibus does
        adapter.submit(message)
    assert again.value.message_id == message.header.message_id
    with celery_worker():
        [answer_id] = _wait_for(lambda: adapter.list_pending(conversation_id=conversation))
        answer = adapter.retrieve(answer_id)
        assert adapter.list_pending(conversation_id=conversation) == [answer_id]  # markAsDownloaded="false"
        adapter.mark_downloaded(answer_id)
        assert adapter.list_pending(conversation_id=conversation) == []
        assert adapter.status(message.header.message_id) is MessageStatus.ACKNOWLEDGED
        assert adapter.status(answer_id) is MessageStatus.DOWNLOADED
        assert adapter.errors(message.header.message_id) == []

    header = answer.header
    assert (header.action, header.conversation_id, header.ref_to_message_id) == (
        ebms.ACTION_RESPONSE,
        conversation,
        message.header.message_id,
    )
    assert (header.from_party, header.to_party) == (message.header.to_party, message.header.from_party)
    assert (header.original_sender, header.final_recipient) == (
        message.header.final_recipient,
        message.header.original_sender,
    )
    regrep = ebms.regrep_payload(answer)
    response = parse_message(regrep.data)
    assert isinstance(response, EvidenceResponse) and response.version == "oots-edm:v1.2"
    assert [f for f in validate(regrep.data) if f.severity == "error"] == []
    [evidence] = response.evidences
    pdf = answer.payload(evidence.attachment.href)
    assert pdf is not None and pdf.mime_type == "application/pdf" and pdf.data.startswith(b"%PDF-1.4")
    # the duplicate submission was logged and not delivered again
    assert ProviderRequest.objects.count() == 1
    assert ApMessage.objects.filter(direction=Direction.INBOUND).count() == 1
    assert list(ApSubmission.objects.values_list("duplicate", flat=True)) == [False, True]


def _submit_and_wait_for_both_pushes(client, settings, statuses):
    """Submit a request through the WS plugin with push on, the BackendService a loopback server answering
    ``statuses`` in turn; return the message and that server once both pushes are sent."""
    settings.OOTS_AP_SIM_PUSH = True
    message = request_message(example_request(), "oots-edm:v2.0")
    token = base64.b64encode(b"portal:portal-demo-password").decode()
    with loopback_backend(statuses=statuses) as backend, celery_worker():
        settings.OOTS_AP_SIM_BACKEND_URL = backend.url
        response = client.post(
            "/sim/ap/services/wsplugin",
            data=soap.submit_request(message),
            content_type=soap.SOAP_CONTENT_TYPE,
            HTTP_AUTHORIZATION=f"Basic {token}",
        )
        assert response.status_code == 200
        _wait_for(lambda: ApNotification.objects.filter(status="sent").count() == 2)
    return message, backend


def test_pushes_reach_the_backend_with_soap_body_and_basic_credentials_and_retry_when_it_is_down(
    client, settings
):
    message, backend = _submit_and_wait_for_both_pushes(client, settings, statuses=[503])

    answer = ApMessage.objects.get(direction=Direction.INBOUND)
    expected_auth = "Basic " + base64.b64encode(b"domibus:backend-demo-password").decode()
    seen = set()
    for received in backend.received:
        assert received.path == "/oots/backend/"
        assert received.headers["Authorization"] == expected_auth
        assert received.headers["Content-Type"].startswith("application/soap+xml")
        operation = soap.body_element(soap.parse_envelope(received.body))
        name = etree.QName(operation)
        assert name.namespace == "eu.domibus"
        seen.add((name.localname, operation.findtext("messageID")))
    assert seen == {("sendSuccess", message.header.message_id), ("receiveSuccess", answer.message_id)}
    assert len(backend.received) == 3  # one of the two was refused with 503 and pushed again
    assert sorted(ApNotification.objects.values_list("attempts", flat=True)) == [1, 2]


def test_delivery_pushes_the_answer_before_the_send_receipt(client, settings):
    # The answer's receiveSuccess is what the portal waits for: the delivery pushes it first, itself.
    _message, backend = _submit_and_wait_for_both_pushes(client, settings, statuses=[])

    pushed = [etree.QName(soap.body_element(soap.parse_envelope(r.body))).localname for r in backend.received]
    assert pushed == ["receiveSuccess", "sendSuccess"]
    assert sorted(ApNotification.objects.values_list("attempts", flat=True)) == [1, 1]

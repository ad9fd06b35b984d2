"""The Domibus WS-plugin adapter over real HTTP on loopback.

The peer here is a minimal HTTP server that answers what Domibus (or a proxy in front of it) answers in
each situation — success envelopes, SOAP faults, 503, an HTML error page, a refused login — and records
what the adapter sent, so that every request can be checked against the plugin's schemas.
"""

import base64
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from lxml import etree

from oots_client.access_point import (
    AccessPointRejected,
    AccessPointUnavailable,
    AlreadySubmitted,
    DomibusConfig,
    DomibusWsPlugin,
    MessageStatus,
    soap,
)
from tests.oots_client.test_access_point_soap import _message


class Peer:
    def __init__(self):
        self.answers: list[tuple[int, bytes]] = []
        self.received: list[tuple[str, bytes]] = []

    def answer(self, status: int, body: bytes) -> None:
        self.answers.append((status, body))


@pytest.fixture
def peer():
    state = Peer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((self.headers.get("Authorization", ""), body))
            status, answer = state.answers.pop(0)
            self.send_response(status)
            self.send_header("Content-Type", "application/soap+xml")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_port}/domibus/services/wsplugin"
    yield state
    server.shutdown()
    server.server_close()


def _adapter(url: str) -> DomibusWsPlugin:
    config = DomibusConfig(
        url=url, username="plugin_user", password="s3cret", read_timeout=5, connect_timeout=2
    )
    return DomibusWsPlugin(config)


def _ok(local: str, *children: tuple[str, str]) -> bytes:
    return soap.envelope(soap.ws(local, *children))


def test_submit_sends_a_schema_valid_envelope_with_basic_auth_and_returns_the_message_id(peer):
    peer.answer(200, _ok("submitResponse", ("messageID", "domibus-id-1")))
    assert _adapter(peer.url).submit(_message()) == "domibus-id-1"
    auth, body = peer.received[0]
    assert auth == "Basic " + base64.b64encode(b"plugin_user:s3cret").decode()
    assert soap.schema_errors(body) == []


def test_submit_reads_a_domibus_5_2_answer_with_a_message_entity_id(peer):
    body = soap.ws("submitResponse", ("messageID", "domibus-id-2"), ("messageEntityID", "77"))
    peer.answer(200, soap.envelope(body))
    assert _adapter(peer.url).submit(_message()) == "domibus-id-2"


def test_list_pending_filters_by_conversation(peer):
    peer.answer(200, _ok("listPendingMessagesResponse", ("messageID", "a"), ("messageID", "b")))
    assert _adapter(peer.url).list_pending(conversation_id="conv-1") == ["a", "b"]
    request = soap.body_element(soap.parse_envelope(peer.received[0][1]))
    assert request.findtext("conversationId") == "conv-1"
    assert soap.schema_errors(peer.received[0][1]) == []


def test_retrieve_leaves_the_message_pending_and_returns_header_and_payloads(peer):
    message = _message()
    peer.answer(200, soap.retrieve_message_response(message))
    assert _adapter(peer.url).retrieve("m-1") == message
    request = soap.body_element(soap.parse_envelope(peer.received[0][1]))
    assert request.get("markAsDownloaded") == "false"
    assert soap.schema_errors(peer.received[0][1]) == []


def test_mark_downloaded_status_and_errors(peer):
    peer.answer(200, _ok("markMessageAsDownloadedResponse", ("messageID", "m-1")))
    peer.answer(200, soap.envelope(_status_response("ACKNOWLEDGED")))
    errors = soap.ws("getMessageErrorsResponse")
    item = etree.SubElement(errors, "item")
    etree.SubElement(item, "domibusErrorCode").text = "EBMS_0004"
    etree.SubElement(item, "errorDetail").text = "Party not found"
    peer.answer(200, soap.envelope(errors))

    adapter = _adapter(peer.url)
    adapter.mark_downloaded("m-1")
    assert adapter.status("m-1") is MessageStatus.ACKNOWLEDGED
    [error] = adapter.errors("m-1")
    assert (error.code, error.detail) == ("EBMS_0004", "Party not found")
    assert all(soap.schema_errors(body) == [] for _, body in peer.received)


def _status_response(value: str):
    element = soap.ws("getStatusResponse")
    element.text = value
    return element


def test_a_soap_fault_is_permanent_and_keeps_domibus_code_and_message(peer):
    peer.answer(500, soap.fault("Submission failed", code="WS_PLUGIN:0005", message="Party [XX] not found"))
    with pytest.raises(AccessPointRejected) as caught:
        _adapter(peer.url).submit(_message())
    assert caught.value.code == "WS_PLUGIN:0005"
    assert "Party [XX] not found" in str(caught.value)


@pytest.mark.parametrize(
    "text",
    [
        # Domibus 5 (BackendMessageValidator.validateMessageIsUnique)
        "Message with id [{id} and role SENDING] already exists. Message identifiers must be unique",
        # Domibus 4 (DatabaseMessageHandler.submit)
        "Message with id [{id}] already exists. Message identifiers must be unique",
    ],
)
def test_domibus_refusing_a_message_id_it_holds_is_a_typed_duplicate(peer, text):
    message = _message()
    message_id = message.header.message_id
    peer.answer(
        500, soap.fault("Message submission failed", code="EBMS:0004", message=text.format(id=message_id))
    )
    with pytest.raises(AlreadySubmitted) as caught:
        _adapter(peer.url).submit(message)
    assert caught.value.message_id == message_id
    assert isinstance(caught.value, AccessPointRejected)  # callers that only know refusals still see one


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (
            "EBMS:0004",
            "Message with id [another-id@x and role SENDING] already exists. "
            "Message identifiers must be unique",
        ),
        ("EBMS:0004", "Payload profile validation failed: the duplicate part cid:x"),
        ("EBMS:0010", "Message with id [{id}] already exists"),
    ],
)
def test_other_refusals_are_not_mistaken_for_a_duplicate(peer, code, text):
    message = _message()
    peer.answer(
        500,
        soap.fault("Message submission failed", code=code, message=text.format(id=message.header.message_id)),
    )
    with pytest.raises(AccessPointRejected) as caught:
        _adapter(peer.url).submit(message)
    assert not isinstance(caught.value, AlreadySubmitted)


@pytest.mark.parametrize("status", [502, 503, 504, 429])
def test_an_overloaded_or_down_access_point_is_transient(peer, status):
    peer.answer(status, b"<html><body>Service Unavailable</body></html>")
    with pytest.raises(AccessPointUnavailable):
        _adapter(peer.url).submit(_message())


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_are_permanent_with_a_hint(peer, status):
    peer.answer(status, b"")
    with pytest.raises(AccessPointRejected, match="credentials"):
        _adapter(peer.url).submit(_message())


def test_an_unreachable_access_point_is_transient():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(AccessPointUnavailable, match="unreachable"):
        _adapter(f"http://127.0.0.1:{port}/wsplugin").submit(_message())


def test_an_answer_to_another_operation_is_refused(peer):
    peer.answer(200, _ok("listPendingMessagesResponse"))
    with pytest.raises(AccessPointRejected, match="expected submitResponse"):
        _adapter(peer.url).submit(_message())


@pytest.mark.parametrize(
    "body", [b"", b"<html>not soap</html>", b"<soap:Envelope"], ids=["empty", "html", "cut"]
)
def test_an_unusable_answer_with_status_200_is_a_permanent_refusal(peer, body):
    peer.answer(200, body)
    with pytest.raises(AccessPointRejected, match="not a usable SOAP message"):
        _adapter(peer.url).submit(_message())


def test_a_large_retrieved_message_is_streamed_into_the_parser(peer):
    big = soap.Payload("cid:big@provider", "application/pdf", b"%PDF" + bytes(range(256)) * 40_000)
    message = _message(attachments=[big])
    peer.answer(200, soap.retrieve_message_response(message))
    assert _adapter(peer.url).retrieve("m-1").payload("cid:big@provider") == big

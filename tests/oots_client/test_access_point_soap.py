"""WS-plugin SOAP envelopes: what the adapter writes is schema-valid; what real peers send is read."""

import base64
import datetime as dt

import pytest

from oots_client.access_point import Corners, PartyId, Payload, Property, oots_message, soap
from oots_client.access_point.errors import MalformedSoapError
from oots_client.access_point.streaming import Base64Sink

CORNERS = Corners(
    sender_access_point=PartyId("AP_BE_01", "urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots"),
    receiver_access_point=PartyId("AP_DE_01", "urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots"),
    original_sender=PartyId("0000000000", "urn:cef.eu:names:identifier:EAS:9925"),
    final_recipient=PartyId("DE73524311", "urn:cef.eu:names:identifier:EAS:9930"),
)


def _message(version: str = "oots-edm:v1.2", attachments=()):
    return oots_message(
        corners=CORNERS,
        action="ExecuteQueryRequest",
        conversation_id="conv-1",
        regrep=b"<query:QueryRequest/>",
        regrep_cid="cid:regrep@oots.example",
        attachments=attachments,
        specification_id=version,
        message_id="msg-1@oots.example",
        timestamp=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    )


@pytest.mark.parametrize("version", ["oots-edm:v1.0", "oots-edm:v1.2", "oots-edm:v2.0"])
def test_submit_request_is_valid_against_the_plugin_schemas(version):
    pdf = Payload("cid:evidence@oots.example", "application/pdf", b"%PDF-1.7 test")
    assert soap.schema_errors(soap.submit_request(_message(version, [pdf]))) == []


def test_submit_request_round_trips_header_and_payloads():
    pdf = Payload("cid:evidence@oots.example", "application/pdf", bytes(range(256)))
    message = _message(attachments=[pdf])
    read = soap.read_message(soap.parse_envelope(soap.submit_request(message)))
    assert read == message


def test_edm_2_messages_carry_exchange_and_specification_ids():
    header = _message("oots-edm:v2.0").header
    assert header.get_property("SpecificationId") == Property("SpecificationId", "oots-edm:v2.0")
    assert header.get_property("ExchangeId") is not None


def test_edm_1_messages_carry_only_the_four_corner_properties():
    names = [prop.name for prop in _message("oots-edm:v1.2").header.properties]
    assert names == ["originalSender", "finalRecipient"]


@pytest.mark.parametrize(
    "request_body",
    [
        soap.ws("listPendingMessagesRequest"),
        soap.ws("listPendingMessagesRequest", ("conversationId", "conv-1")),
        soap.ws("retrieveMessageRequest", ("messageID", "m1")),
        soap.ws("markMessageAsDownloadedRequest", ("messageID", "m1")),
        soap.ws("statusRequest", ("messageID", "m1")),
        soap.ws("getErrorsRequest", ("messageID", "m1")),
    ],
    ids=lambda element: element.tag.split("}")[1],
)
def test_other_requests_are_valid_against_the_plugin_schemas(request_body):
    assert soap.schema_errors(soap.envelope(request_body)) == []


def test_a_fault_carries_the_domibus_code_and_message():
    envelope = soap.parse_envelope(
        soap.fault("Submission failed", code="WS_PLUGIN:0005", message="bad party")
    )
    assert soap.read_fault(envelope) == ("Submission failed", "WS_PLUGIN:0005", "bad party")


def test_strict_validation_rejects_a_misspelt_operation():
    body = soap.envelope(soap.ws("submitRequest", ("bodyload", "x"), ("unexpected", "y")))
    assert soap.schema_errors(body) != []


@pytest.mark.parametrize(
    ("prop", "party"),
    [
        (
            Property("originalSender", "DE73524311", "urn:cef.eu:names:identifier:EAS:9930"),
            PartyId("DE73524311", "urn:cef.eu:names:identifier:EAS:9930"),
        ),
        (
            Property("originalSender", "urn:oasis:names:tc:ebcore:partyid-type:unregistered:C1"),
            PartyId("C1", "urn:oasis:names:tc:ebcore:partyid-type:unregistered"),
        ),
        (
            Property("finalRecipient", "urn:cef.eu:names:identifier:EAS:0009:12345"),
            PartyId("12345", "urn:cef.eu:names:identifier:EAS:0009"),
        ),
        (Property("finalRecipient", "BR_SK_01"), PartyId("BR_SK_01", None)),
    ],
)
def test_four_corner_properties_are_read_in_every_encoding_seen_in_real_traffic(prop, party):
    assert prop.as_party() == party


def test_payload_values_with_stray_characters_are_decoded():
    # The French reference fixtures wrap base64 in literal parentheses; MIME decoders skip them.
    assert soap.decode_base64("(" + base64.b64encode(b"%PDF-1.3 x").decode() + ")") == b"%PDF-1.3 x"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"<not-closed",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>',
        b'<Envelope xmlns="urn:not-soap"/>',
        b'<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"/>',  # SOAP 1.1
    ],
    ids=["empty", "truncated", "doctype", "foreign-root", "soap-1.1"],
)
def test_malformed_or_hostile_envelopes_give_a_typed_error(data):
    with pytest.raises(MalformedSoapError):
        soap.parse_envelope(data)


def test_an_envelope_over_the_size_limit_is_refused_before_parsing():
    with pytest.raises(MalformedSoapError, match="limit"):
        soap.parse_envelope(b"<x>" + b"a" * 2000 + b"</x>", max_bytes=1000)


def test_a_large_evidence_is_read_intact():
    big = Payload("cid:big@oots.example", "application/pdf", b"%PDF" + b"\x00\xff" * 8_000_000)
    read = soap.read_message(soap.parse_envelope(soap.submit_request(_message(attachments=[big]))))
    assert read.payload("cid:big@oots.example") == big


def test_a_retrieved_message_is_decoded_while_it_arrives():
    big = Payload("cid:big@oots.example", "application/pdf", b"%PDF" + bytes(range(256)) * 400)
    message = _message(attachments=[big])
    data = soap.retrieve_message_response(message)
    chunks = [data[i : i + 997] for i in range(0, len(data), 997)]  # boundaries inside base64 quads
    assert soap.read_retrieved(chunks) == message


def test_a_retrieved_message_with_a_doctype_is_refused_while_streaming():
    with pytest.raises(MalformedSoapError, match="DOCTYPE"):
        soap.read_retrieved([b'<?xml version="1.0"?><!DOC', b'TYPE x [<!ENTITY a "b">]><x/>'])


@pytest.mark.parametrize(
    "noise",
    [lambda b: b, lambda b: "\n".join(b[i : i + 76] for i in range(0, len(b), 76)), lambda b: f" ({b})\t"],
    ids=["plain", "mime-wrapped", "parentheses-and-blanks"],
)
def test_a_streamed_payload_is_decoded_whatever_its_line_breaks_and_stray_characters(noise):
    data = b"%PDF" + bytes(range(256)) * 50
    sink = Base64Sink()
    text = noise(base64.b64encode(data).decode())
    for start in range(0, len(text), 333):  # pieces ending inside quads and inside line breaks
        sink.feed(text[start : start + 333])
    assert sink.close() == data


def test_a_streamed_payload_that_is_not_base64_gives_a_typed_error():
    sink = Base64Sink()
    sink.feed("QUJD\u00e9R")  # "ABC" then one character too many once the stray "é" is dropped
    with pytest.raises(MalformedSoapError, match="not base64"):
        sink.close()


def test_several_payloads_keep_their_order_and_content():
    payloads = [
        Payload(f"cid:p{n}@oots.example", "application/pdf", bytes([n]) * (n * 1000 + 1)) for n in range(3)
    ]
    message = _message(attachments=payloads)
    assert soap.read_message(soap.parse_envelope(soap.retrieve_message_response(message))) == message

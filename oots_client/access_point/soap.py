"""SOAP 1.2 envelopes of the Domibus 5 default WS plugin: build strictly, read liberally.

Reading is liberal on purpose: real counterparts send ``cid:bodyload`` in the base64 ``bodyload`` field,
Domibus 5.2 adds ``messageEntityID`` to ``submitResponse`` (unknown to the 5.0-era schema), and payload
``value``s carry stray characters. Nothing here resolves entities, loads DTDs or touches the network.
"""

from __future__ import annotations

import binascii
import datetime as dt
import re
import uuid
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from typing import Final

import pybase64  # SIMD base64: ~20x the standard library's speed on megabytes of evidence
from lxml import etree

from oots_client.access_point.errors import MalformedSoapError
from oots_client.access_point.model import (
    AsMessage,
    MessageError,
    PartInfo,
    PartyId,
    Payload,
    Property,
    UserMessage,
)

Element = etree._Element

SOAP_NS: Final = "http://www.w3.org/2003/05/soap-envelope"
EBMS_NS: Final = "http://docs.oasis-open.org/ebxml-msg/ebms/v3.0/ns/core/200704/"
WSPLUGIN_NS: Final = "http://eu.domibus.wsplugin/"
# The pre-5 plugin's namespace, still found in the 2023 Projectathon captures: read, never written.
LEGACY_WSPLUGIN_NS: Final = "http://org.ecodex.backend/1_1/"
XMIME_NS: Final = "http://www.w3.org/2005/05/xmlmime"
SOAP_CONTENT_TYPE: Final = "application/soap+xml; charset=utf-8"
DEFAULT_MAX_ENVELOPE_BYTES: Final = 64 * 1024 * 1024  # a 40 MB evidence is ~54 MB once in base64

_NSMAP: Final = {"soap": SOAP_NS, "eb": EBMS_NS, "ws": WSPLUGIN_NS}
_DOCTYPE: Final = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_HEAD_BYTES: Final = 4096
# Evidence files travel base64-encoded inside one text node: parsers lift libxml2's 10 MB text-node
# cap (huge_tree) but keep every other protection; the envelope size is bounded while reading.


def q(namespace: str, local: str) -> str:
    return f"{{{namespace}}}{local}"


# --- Reading ---------------------------------------------------------------------------------------------


def parse_envelope(data: bytes, *, max_bytes: int = DEFAULT_MAX_ENVELOPE_BYTES) -> Element:
    """Parse a SOAP 1.2 envelope from untrusted bytes; return the root ``Envelope`` element."""
    if len(data) > max_bytes:
        raise MalformedSoapError(f"SOAP message is {len(data)} bytes, more than the limit of {max_bytes}")
    return parse_envelope_chunks((data,), max_bytes=max_bytes)


def parse_envelope_chunks(chunks: Iterable[bytes], *, max_bytes: int = DEFAULT_MAX_ENVELOPE_BYTES) -> Element:
    """Parse a SOAP 1.2 envelope fed piece by piece, e.g. an HTTP body as it arrives.

    A retrieved message carries its evidence base64-encoded inside the envelope: reading the body whole
    first would hold it twice more (the body, and the join of its chunks) next to the parsed tree.
    """
    root = _feed(chunks, max_bytes=max_bytes)
    _check_root(root)
    return root


def _feed(chunks: Iterable[bytes], *, max_bytes: int, target: object | None = None) -> Element:
    """Feed untrusted chunks to a hardened parser (optionally with a parser target); the parser's result."""
    parser = etree.XMLParser(
        target=target,  # type: ignore[arg-type]  # a duck-typed parser target, as lxml documents them
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=True,
    )
    total = 0
    head = b""
    try:
        for chunk in chunks:
            total += len(chunk)
            if total > max_bytes:
                raise MalformedSoapError(f"SOAP message is more than the limit of {max_bytes} bytes")
            if len(head) < _HEAD_BYTES:
                head += chunk[: _HEAD_BYTES - len(head)]
                _refuse_doctype(head)
            if chunk:
                parser.feed(chunk)
        if not head.strip():
            raise MalformedSoapError("empty SOAP message")
        root: Element = parser.close()
    except etree.XMLSyntaxError as exc:
        raise MalformedSoapError(f"not well-formed XML: {exc.msg}", f"line {exc.lineno}") from None
    except (ValueError, etree.LxmlError) as exc:
        raise MalformedSoapError(f"unreadable XML: {exc}") from None
    return root


def _refuse_doctype(head: bytes) -> None:
    # A DOCTYPE must come before the root element, so the first bytes are enough to look at.
    if _DOCTYPE.search(head):
        raise MalformedSoapError("a DOCTYPE or entity declaration is not allowed")


def _check_root(root: Element) -> None:
    if root.getroottree().docinfo.internalDTD is not None:
        raise MalformedSoapError("a DOCTYPE or entity declaration is not allowed")
    if root.tag != q(SOAP_NS, "Envelope"):
        raise MalformedSoapError(f"root element is {root.tag}, not a SOAP 1.2 Envelope")


def body_element(envelope: Element) -> Element:
    """The first element inside ``soap:Body``."""
    body = envelope.find(q(SOAP_NS, "Body"))
    if body is None:
        raise MalformedSoapError("no soap:Body", "/soap:Envelope")
    for child in body:
        if isinstance(child.tag, str):
            return child
    raise MalformedSoapError("empty soap:Body", "/soap:Envelope/soap:Body")


def operation_name(element: Element) -> str:
    """Local name of a WS-plugin element, whichever plugin namespace (5.x or the older one) it uses."""
    qname = etree.QName(element)
    if qname.namespace not in (WSPLUGIN_NS, LEGACY_WSPLUGIN_NS, SOAP_NS):
        raise MalformedSoapError(f"unexpected element {element.tag}", "/soap:Envelope/soap:Body")
    return qname.localname


def _text(element: Element | None) -> str | None:
    if element is None or element.text is None:
        return None
    value = element.text.strip()
    return value or None


def _local_children(parent: Element, local: str) -> list[Element]:
    return [child for child in parent if isinstance(child.tag, str) and etree.QName(child).localname == local]


def _local_child(parent: Element | None, local: str) -> Element | None:
    if parent is None:
        return None
    found = _local_children(parent, local)
    return found[0] if found else None


def _parse_datetime(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _party(container: Element | None, where: str) -> tuple[PartyId, str]:
    party = _local_child(container, "PartyId")
    role = _text(_local_child(container, "Role"))
    value = _text(party)
    if party is None or value is None or role is None:
        raise MalformedSoapError("PartyId and Role are required", where)
    return PartyId(value, party.get("type")), role


def _properties(container: Element | None) -> tuple[Property, ...]:
    if container is None:
        return ()
    return tuple(
        Property(prop.get("name", ""), (prop.text or "").strip(), prop.get("type"))
        for prop in _local_children(container, "Property")
    )


def read_user_message(envelope: Element) -> UserMessage:
    """The ebMS ``UserMessage`` from the SOAP header, any prefix, either plugin generation."""
    header = envelope.find(q(SOAP_NS, "Header"))
    messaging = _local_child(header, "Messaging") if header is not None else None
    user = _local_child(messaging, "UserMessage")
    if user is None:
        raise MalformedSoapError(
            "no eb:Messaging/eb:UserMessage in the SOAP header", "/soap:Envelope/soap:Header"
        )
    info = _local_child(user, "MessageInfo")
    party_info = _local_child(user, "PartyInfo")
    from_party, from_role = _party(_local_child(party_info, "From"), "eb:PartyInfo/eb:From")
    to_element = _local_child(party_info, "To")
    to_party, to_role = _party(to_element, "eb:PartyInfo/eb:To") if to_element is not None else (None, None)
    collaboration = _local_child(user, "CollaborationInfo")
    service = _local_child(collaboration, "Service")
    action = _text(_local_child(collaboration, "Action"))
    if service is None or _text(service) is None or action is None:
        raise MalformedSoapError("Service and Action are required", "eb:CollaborationInfo")
    payload_info = _local_child(user, "PayloadInfo")
    parts = tuple(
        PartInfo(part.get("href", ""), _properties(_local_child(part, "PartProperties")))
        for part in (_local_children(payload_info, "PartInfo") if payload_info is not None else [])
    )
    return UserMessage(
        message_id=_text(_local_child(info, "MessageId")),
        ref_to_message_id=_text(_local_child(info, "RefToMessageId")),
        timestamp=_parse_datetime(_text(_local_child(info, "Timestamp"))),
        from_party=from_party,
        from_role=from_role,
        to_party=to_party,
        to_role=to_role,
        service=_text(service) or "",
        service_type=service.get("type"),
        action=action,
        conversation_id=_text(_local_child(collaboration, "ConversationId")),
        agreement_ref=_text(_local_child(collaboration, "AgreementRef")),
        properties=_properties(_local_child(user, "MessageProperties")),
        parts=parts,
    )


def decode_base64(text: str | None) -> bytes:
    """Decode a payload value liberally: whitespace and stray characters are dropped, padding is fixed."""
    if not text:
        return b""
    try:
        # The usual case (standard base64, line breaks): decoded straight from the text, with no cleaned
        # copy of a payload that may be tens of megabytes.
        return pybase64.b64decode(text)
    except (binascii.Error, ValueError):
        pass
    cleaned = re.sub(r"[^A-Za-z0-9+/=]", "", text).rstrip("=")
    cleaned += "=" * (-len(cleaned) % 4)
    try:
        return pybase64.b64decode(cleaned)
    except (binascii.Error, ValueError) as exc:
        raise MalformedSoapError(f"payload value is not base64: {exc}") from None


def read_payloads(operation: Element, parts: Iterable[PartInfo] = ()) -> tuple[Payload, ...]:
    """The ``payload`` children of a ``submitRequest`` / ``retrieveMessageResponse``.

    The MIME type comes from the payload's ``contentType``, else from the header's ``PartInfo``.
    A ``bodyload`` that only holds a ``cid:`` reference (seen in real traffic) is not a payload.
    (The adapter reads large retrieved messages with :func:`read_retrieved` instead, decoding on the fly.)
    """
    mime_by_cid = {part.href: part.mime_type for part in parts}
    payloads = []
    for element in _local_children(operation, "payload"):
        cid = element.get("payloadId", "")
        holder = _local_child(element, "value")
        raw = (element if holder is None else holder).text
        mime = element.get("contentType") or mime_by_cid.get(cid) or "application/octet-stream"
        payloads.append(Payload(cid=cid, mime_type=mime, data=decode_base64(raw)))
    return tuple(payloads)


def read_retrieved(chunks: Iterable[bytes], *, max_bytes: int = DEFAULT_MAX_ENVELOPE_BYTES) -> AsMessage:
    """A ``retrieveMessageResponse`` read as it arrives, its payloads decoded on the fly (see streaming)."""
    from oots_client.access_point.streaming import PayloadDivertingBuilder

    target = PayloadDivertingBuilder()
    root = _feed(chunks, max_bytes=max_bytes, target=target)
    decoded = target.payloads
    _check_root(root)
    fault = read_fault(root)
    if fault is not None:
        raise SoapFault(*fault)
    header = read_user_message(root)
    operation = body_element(root)
    if operation_name(operation) != "retrieveMessageResponse":
        raise MalformedSoapError(f"answer is {operation_name(operation)}, expected retrieveMessageResponse")
    elements = _local_children(operation, "payload")
    if len(elements) != len(decoded):
        raise MalformedSoapError("a payload element has no value", "retrieveMessageResponse")
    mime_by_cid = {part.href: part.mime_type for part in header.parts}
    payloads = []
    for element, data in zip(elements, decoded, strict=True):
        cid = element.get("payloadId", "")
        mime = element.get("contentType") or mime_by_cid.get(cid) or "application/octet-stream"
        payloads.append(Payload(cid=cid, mime_type=mime, data=data))
    return AsMessage(header=header, payloads=tuple(payloads))


def read_message(envelope: Element) -> AsMessage:
    """A ``submitRequest`` or ``retrieveMessageResponse`` envelope as header + payloads."""
    header = read_user_message(envelope)
    return AsMessage(header=header, payloads=read_payloads(body_element(envelope), header.parts))


def read_message_ids(operation: Element) -> tuple[str, ...]:
    """``messageID`` children (``submitResponse``, ``listPendingMessagesResponse``); others are ignored."""
    ids = [_text(child) for child in _local_children(operation, "messageID")]
    return tuple(value for value in ids if value)


def read_errors(operation: Element) -> tuple[MessageError, ...]:
    return tuple(
        MessageError(
            code=_text(_local_child(item, "domibusErrorCode")),
            detail=_text(_local_child(item, "errorDetail")),
            message_id=_text(_local_child(item, "messageInErrorId")),
            msh_role=_text(_local_child(item, "mshRole")),
            timestamp=_parse_datetime(_text(_local_child(item, "timestamp"))),
            notified=_parse_datetime(_text(_local_child(item, "notified"))),
        )
        for item in _local_children(operation, "item")
    )


class SoapFault(Exception):
    """A SOAP fault met while streaming an answer: ``(reason, code, message)`` as read_fault gives them."""

    def __init__(self, reason: str, code: str | None, message: str | None) -> None:
        super().__init__(reason)
        self.reason, self.code, self.message = reason, code, message


def read_fault(envelope: Element) -> tuple[str, str | None, str | None] | None:
    """``(reason, domibus code, domibus message)`` of a SOAP 1.2 fault, or None when it is not a fault."""
    body = envelope.find(q(SOAP_NS, "Body"))
    fault = body.find(q(SOAP_NS, "Fault")) if body is not None else None
    if fault is None:
        return None
    reason = fault.findtext(f"{q(SOAP_NS, 'Reason')}/{q(SOAP_NS, 'Text')}") or "SOAP fault"
    detail = fault.find(q(SOAP_NS, "Detail"))
    fault_detail = _local_child(detail, "FaultDetail") if detail is not None else None
    return (
        reason.strip(),
        _text(_local_child(fault_detail, "code")),
        _text(_local_child(fault_detail, "message")),
    )


# --- Writing ---------------------------------------------------------------------------------------------


def envelope(body: Element, header: Element | None = None) -> bytes:
    root = etree.Element(q(SOAP_NS, "Envelope"), nsmap={"soap": SOAP_NS})
    header_element = etree.SubElement(root, q(SOAP_NS, "Header"))
    if header is not None:
        header_element.append(header)
    etree.SubElement(root, q(SOAP_NS, "Body")).append(body)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def ws(local: str, *children: tuple[str, str], nsmap_prefix: str = "ws") -> Element:
    """A WS-plugin element with text children, unqualified as the plugin schema wants them."""
    element = etree.Element(q(WSPLUGIN_NS, local), nsmap={nsmap_prefix: WSPLUGIN_NS})
    for name, text in children:
        etree.SubElement(element, name).text = text
    return element


def _add(parent: Element, local: str, text: str | None = None, **attributes: str | None) -> Element:
    element = etree.SubElement(parent, q(EBMS_NS, local))
    for name, value in attributes.items():
        if value is not None:
            element.set(name, value)
    if text is not None:
        element.text = text
    return element


def messaging_header(message: UserMessage) -> Element:
    """The ``eb:Messaging`` header in the element order the WS-plugin schema's ``xsd:all`` groups accept."""
    messaging = etree.Element(q(EBMS_NS, "Messaging"), nsmap={"eb": EBMS_NS})
    user = _add(messaging, "UserMessage")
    if message.message_id or message.timestamp or message.ref_to_message_id:
        info = _add(user, "MessageInfo")
        if message.timestamp:
            _add(info, "Timestamp", message.timestamp.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"))
        if message.message_id:
            _add(info, "MessageId", message.message_id)
        if message.ref_to_message_id:
            _add(info, "RefToMessageId", message.ref_to_message_id)
    party_info = _add(user, "PartyInfo")
    sender = _add(party_info, "From")
    _add(sender, "PartyId", message.from_party.value, type=message.from_party.type)
    _add(sender, "Role", message.from_role)
    if message.to_party is not None:
        receiver = _add(party_info, "To")
        _add(receiver, "PartyId", message.to_party.value, type=message.to_party.type)
        _add(receiver, "Role", message.to_role)
    collaboration = _add(user, "CollaborationInfo")
    if message.agreement_ref:
        _add(collaboration, "AgreementRef", message.agreement_ref)
    _add(collaboration, "Service", message.service, type=message.service_type)
    _add(collaboration, "Action", message.action)
    if message.conversation_id:
        _add(collaboration, "ConversationId", message.conversation_id)
    if message.properties:
        properties = _add(user, "MessageProperties")
        for prop in message.properties:
            _add(properties, "Property", prop.value, name=prop.name, type=prop.type)
    if message.parts:
        payload_info = _add(user, "PayloadInfo")
        for part in message.parts:
            part_info = _add(payload_info, "PartInfo", href=part.href)
            if part.properties:
                part_properties = _add(part_info, "PartProperties")
                for prop in part.properties:
                    _add(part_properties, "Property", prop.value, name=prop.name, type=prop.type)
    return messaging


def _with_payloads(body: Element, header: Element, payloads: Iterable[Payload]) -> bytes:
    """The envelope with a ``payload`` element per payload, its ``value`` the base64 of the data.

    The base64 text (megabytes for a scanned evidence) is spliced into the serialised envelope instead of
    going through lxml as a text node, which would check and escape every character of it: base64 needs no
    escaping. Each value is first written as a unique marker, then replaced by the base64 bytes.
    """
    spliced: list[tuple[bytes, bytes]] = []
    for payload in payloads:
        element = etree.SubElement(body, "payload", payloadId=payload.cid, contentType=payload.mime_type)
        placeholder = f"oots-payload-{uuid.uuid4().hex}"
        etree.SubElement(element, "value").text = placeholder
        spliced.append((placeholder.encode("ascii"), payload.data))
    serialised = envelope(body, header)
    parts: list[bytes] = []
    position = 0
    for marker, data in spliced:
        at = serialised.index(marker, position)
        parts += (serialised[position:at], pybase64.b64encode(data))
        position = at + len(marker)
    parts.append(serialised[position:])
    return b"".join(parts)


def submit_request(message: AsMessage) -> bytes:
    return _with_payloads(ws("submitRequest"), messaging_header(message.header), message.payloads)


def retrieve_message_response(message: AsMessage) -> bytes:
    return _with_payloads(ws("retrieveMessageResponse"), messaging_header(message.header), message.payloads)


def fault(reason: str, *, code: str, message: str, sender: bool = True) -> bytes:
    """A SOAP 1.2 fault carrying the plugin's ``FaultDetail`` (as Domibus answers a refused call)."""
    root = etree.Element(q(SOAP_NS, "Fault"), nsmap={"soap": SOAP_NS})
    code_element = etree.SubElement(root, q(SOAP_NS, "Code"))
    etree.SubElement(code_element, q(SOAP_NS, "Value")).text = "soap:Sender" if sender else "soap:Receiver"
    reason_element = etree.SubElement(root, q(SOAP_NS, "Reason"))
    text = etree.SubElement(reason_element, q(SOAP_NS, "Text"))
    text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    text.text = reason
    detail = etree.SubElement(root, q(SOAP_NS, "Detail"))
    detail.append(ws("FaultDetail", ("code", code), ("message", message)))
    return envelope(root)


# --- Validation against the plugin's schemas ----------------------------------------------------------


@cache
def _schema() -> etree.XMLSchema:
    """One schema set: the envelope, the ebMS header subset and the plugin body (imports resolved locally)."""
    xsd_dir = files("oots_client.access_point") / "xsd"
    imports = [
        ("http://www.w3.org/XML/1998/namespace", "xml.xsd"),
        (XMIME_NS, "xmlmime.xsd"),
        (SOAP_NS, "envelope.xsd"),
        (EBMS_NS, "webservicePlugin-header.xsd"),
        (WSPLUGIN_NS, "webservicePlugin-body.xsd"),
    ]
    driver = (
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
        + "".join(
            f'<xs:import namespace="{namespace}" schemaLocation="{(xsd_dir / name)!s}"/>'
            for namespace, name in imports
        )
        + "</xs:schema>"
    )
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    return etree.XMLSchema(etree.fromstring(driver.encode(), parser=parser))


def _tolerate_known_deviations(root: Element) -> None:
    """Remove what real Domibus installations and clients send but the 5.0-era schemas do not describe."""
    header = root.find(q(SOAP_NS, "Header"))
    for block in header if header is not None else []:
        # SOAP 1.2 allows mustUnderstand on any header block; Domibus sets it on eb:Messaging.
        if q(SOAP_NS, "mustUnderstand") in block.attrib:
            del block.attrib[q(SOAP_NS, "mustUnderstand")]
    operation = body_element(root)
    for bodyload in _local_children(operation, "bodyload"):
        # One client sends the literal reference "cid:bodyload" in this base64 field.
        if (_text(_local_child(bodyload, "value")) or "").startswith("cid:"):
            operation.remove(bodyload)
    for extra in _local_children(operation, "messageEntityID"):
        operation.remove(extra)  # added to submitResponse by Domibus 5.2


def schema_errors(data: bytes, *, lenient: bool = False) -> list[str]:
    """Errors of a WS-plugin SOAP message against the plugin's schemas (empty when valid).

    ``lenient`` tolerates what Domibus itself tolerates or emits (see ``_tolerate_known_deviations``):
    the access-point simulator is as lenient as Domibus; the adapter's own output is checked strictly.
    """
    root = parse_envelope(data)
    if lenient:
        _tolerate_known_deviations(root)
    schema = _schema()
    if schema.validate(root):
        return []
    # lxml-stubs do not declare _ErrorLog as iterable; it is.
    entries = list(schema.error_log)  # type: ignore[call-overload]
    return [f"line {entry.line}: {entry.message}" for entry in entries]

"""A JSON summary of any WS-plugin SOAP message, for operators debugging an access point."""

from __future__ import annotations

import hashlib
from typing import Any

from oots_client.access_point import soap
from oots_client.access_point.errors import MalformedSoapError
from oots_client.access_point.model import PartyId, Payload, UserMessage
from oots_client.edm import EdmError, parse_message
from oots_client.edm.xmlsafe import parse_xml


def _party(party: PartyId | None) -> dict[str, str | None] | None:
    return None if party is None else {"id": party.value, "type": party.type}


def _payload(payload: Payload) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "cid": payload.cid,
        "mime_type": payload.mime_type,
        "size": len(payload.data),
        "sha256": hashlib.sha256(payload.data).hexdigest(),
    }
    if payload.mime_type == "application/x-ebrs+xml" or payload.data.lstrip()[:5] == b"<?xml":
        try:
            message = parse_message(payload.data)
        except EdmError as exc:
            if payload.mime_type == "application/x-ebrs+xml":
                summary["edm_error"] = str(exc)
                summary.update(_sniff(payload.data))
        else:
            summary["kind"] = str(message.kind)
            summary["version"] = message.version
    return summary


def _sniff(data: bytes) -> dict[str, str | None]:
    """Kind and version read off the root of a RegRep part that is not a valid EDM message.

    An operator looking at a broken message still wants to know what it was meant to be.
    """
    try:
        root = parse_xml(data)
    except EdmError:
        return {}
    local = root.tag.rsplit("}", 1)[-1] if isinstance(root.tag, str) else ""
    if local == "QueryRequest":
        kind = "request"
    elif local == "QueryResponse":
        kind = "error" if str(root.get("status", "")).endswith(":Failure") else "response"
    else:
        return {}
    version = None
    for slot in root.iter("{urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0}Slot"):
        if slot.get("name") == "SpecificationIdentifier":
            version = "".join(str(text) for text in slot.itertext()).strip() or None
            break
    return {"kind": kind, "version": version}


def _header(header: UserMessage) -> dict[str, Any]:
    return {
        "message_id": header.message_id,
        "conversation_id": header.conversation_id,
        "ref_to_message_id": header.ref_to_message_id,
        "service": header.service,
        "service_type": header.service_type,
        "action": header.action,
        "from_party": _party(header.from_party),
        "to_party": _party(header.to_party),
        "original_sender": _party(header.original_sender),
        "final_recipient": _party(header.final_recipient),
        "properties": [{"name": p.name, "value": p.value, "type": p.type} for p in header.properties],
    }


def inspect_message(data: bytes) -> dict[str, Any]:
    """Summarise a ``submitRequest``, ``retrieveMessageResponse``, ``listPendingMessagesResponse``, …"""
    envelope = soap.parse_envelope(data)
    operation = soap.body_element(envelope)
    name = soap.operation_name(operation)
    result: dict[str, Any] = {"operation": name}
    try:
        header = soap.read_user_message(envelope)
    except MalformedSoapError:
        header = None
    if header is not None:
        result.update(_header(header))
    fault = soap.read_fault(envelope)
    if fault is not None:
        result["fault"] = {"reason": fault[0], "code": fault[1], "message": fault[2]}
    if name in {"listPendingMessagesResponse", "submitResponse", "listPushFailedMessagesResponse"}:
        key = "pending" if name.startswith("list") else "message_ids"
        result[key] = list(soap.read_message_ids(operation))
    if name in {"submitRequest", "retrieveMessageResponse"}:
        parts = header.parts if header is not None else ()
        result["payloads"] = [_payload(p) for p in soap.read_payloads(operation, parts)]
    return result

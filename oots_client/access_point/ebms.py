"""The OOTS profile of the ebMS 3 header (DIGEST §1 item 12, §6): the values every OOTS message carries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from oots_client.access_point.model import AsMessage, PartInfo, PartyId, Payload, Property, UserMessage

SERVICE: Final = "QueryManager"
SERVICE_TYPE: Final = "urn:oasis:names:tc:ebcore:ebrs:ebms:binding:1.0"
ROLE: Final = "http://sdg.europa.eu/edelivery/gateway"  # both initiator and responder
ACTION_REQUEST: Final = "ExecuteQueryRequest"
ACTION_RESPONSE: Final = "ExecuteQueryResponse"
ACTION_EXCEPTION: Final = "ExceptionResponse"
REGREP_MIME_TYPE: Final = "application/x-ebrs+xml"
# The party-id type of access points in the OOTS PModes (pmode-template/configuration_PMode_Domibus.xml).
PARTY_ID_TYPE: Final = "urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots"
EDM_V2_PREFIX: Final = "oots-edm:v2"


@dataclass(frozen=True, slots=True, kw_only=True)
class Corners:
    """The four corners of one exchange: C1/C4 are the authorities, C2/C3 their access points."""

    sender_access_point: PartyId  # C2 (this portal's access point)
    receiver_access_point: PartyId  # C3 (from the DSD's AccessService identifier)
    original_sender: PartyId  # C1 (the Evidence Requester)
    final_recipient: PartyId  # C4 (the Evidence Provider, the DSD's Publisher)


def oots_message(
    *,
    corners: Corners,
    action: str,
    conversation_id: str,
    regrep: bytes,
    regrep_cid: str,
    attachments: Sequence[Payload] = (),
    specification_id: str,
    exchange_id: str | None = None,
    message_id: str | None = None,
    ref_to_message_id: str | None = None,
    timestamp: dt.datetime | None = None,
) -> AsMessage:
    """An OOTS user message: the RegRep part first, then the attachments (DIGEST §1 item 13).

    EDM 2.0 adds the ``ExchangeId`` and ``SpecificationId`` properties; 1.x messages carry only the four
    corner properties (the 1.x PModes declare no others, and Domibus refuses undeclared properties).
    """
    properties = [
        Property("originalSender", corners.original_sender.value, corners.original_sender.type),
        Property("finalRecipient", corners.final_recipient.value, corners.final_recipient.type),
    ]
    if specification_id.startswith(EDM_V2_PREFIX):
        properties.append(Property("ExchangeId", exchange_id or conversation_id))
        properties.append(Property("SpecificationId", specification_id))
    payloads = (Payload(cid=regrep_cid, mime_type=REGREP_MIME_TYPE, data=regrep), *attachments)
    header = UserMessage(
        message_id=message_id,
        ref_to_message_id=ref_to_message_id,
        timestamp=timestamp,
        from_party=corners.sender_access_point,
        from_role=ROLE,
        to_party=corners.receiver_access_point,
        to_role=ROLE,
        service=SERVICE,
        service_type=SERVICE_TYPE,
        action=action,
        conversation_id=conversation_id,
        properties=tuple(properties),
        parts=tuple(PartInfo(p.cid, (Property("MimeType", p.mime_type),)) for p in payloads),
    )
    return AsMessage(header=header, payloads=payloads)


def regrep_payload(message: AsMessage) -> Payload | None:
    """The RegRep part of a message: by MIME type, else the first payload (some senders omit the type)."""
    for payload in message.payloads:
        if payload.mime_type == REGREP_MIME_TYPE:
            return payload
    return message.payloads[0] if message.payloads else None

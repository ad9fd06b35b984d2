"""The ebMS 3 user message and its payloads, as the Domibus WS plugin carries them (DIGEST §6)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

# Party-id types whose value some implementations glue onto the type instead of using the type attribute
# (seen at the 2023 Projectathon: DIGEST §1 item 20).
_GLUED_PREFIXES = (
    "urn:oasis:names:tc:ebcore:partyid-type:unregistered:",
    "urn:cef.eu:names:identifier:EAS:",
)


@dataclass(frozen=True, slots=True)
class PartyId:
    value: str
    type: str | None = None


@dataclass(frozen=True, slots=True)
class Property:
    name: str
    value: str
    type: str | None = None

    def as_party(self) -> PartyId:
        """Read a four-corner property (``originalSender``/``finalRecipient``) in any of its encodings."""
        if self.type:
            return PartyId(self.value, self.type)
        for prefix in _GLUED_PREFIXES:
            if self.value.startswith(prefix):
                rest = self.value[len(prefix) :]
                if prefix.endswith("EAS:") and ":" in rest:
                    # urn:cef.eu:names:identifier:EAS:0009:12345 → scheme …EAS:0009, value 12345
                    code, value = rest.split(":", 1)
                    return PartyId(value, prefix + code)
                return PartyId(rest, prefix.rstrip(":"))
        return PartyId(self.value, None)


@dataclass(frozen=True, slots=True)
class PartInfo:
    href: str
    properties: tuple[Property, ...] = ()

    @property
    def mime_type(self) -> str | None:
        for prop in self.properties:
            if prop.name == "MimeType":
                return prop.value
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class UserMessage:
    """The ebMS ``UserMessage`` header (the subset the Domibus WS plugin accepts)."""

    from_party: PartyId
    from_role: str
    to_party: PartyId | None
    to_role: str | None
    service: str
    service_type: str | None
    action: str
    conversation_id: str | None = None
    message_id: str | None = None
    ref_to_message_id: str | None = None
    timestamp: dt.datetime | None = None
    agreement_ref: str | None = None
    properties: tuple[Property, ...] = ()
    parts: tuple[PartInfo, ...] = ()

    def get_property(self, name: str) -> Property | None:
        for prop in self.properties:
            if prop.name == name:
                return prop
        return None

    @property
    def original_sender(self) -> PartyId | None:
        prop = self.get_property("originalSender")
        return prop.as_party() if prop else None

    @property
    def final_recipient(self) -> PartyId | None:
        prop = self.get_property("finalRecipient")
        return prop.as_party() if prop else None


@dataclass(frozen=True, slots=True)
class Payload:
    cid: str
    mime_type: str
    data: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class AsMessage:
    """A user message with its payloads: what is submitted, or what is retrieved."""

    header: UserMessage
    payloads: tuple[Payload, ...] = ()

    def payload(self, cid: str) -> Payload | None:
        for payload in self.payloads:
            if payload.cid == cid:
                return payload
        return None


class MessageStatus(StrEnum):
    """Domibus message statuses (``messageStatus`` in the WS-plugin schema)."""

    READY_TO_SEND = "READY_TO_SEND"
    READY_TO_PULL = "READY_TO_PULL"
    BEING_PULLED = "BEING_PULLED"
    SEND_ENQUEUED = "SEND_ENQUEUED"
    SEND_IN_PROGRESS = "SEND_IN_PROGRESS"
    WAITING_FOR_RECEIPT = "WAITING_FOR_RECEIPT"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    ACKNOWLEDGED_WITH_WARNING = "ACKNOWLEDGED_WITH_WARNING"
    SEND_ATTEMPT_FAILED = "SEND_ATTEMPT_FAILED"
    SEND_FAILURE = "SEND_FAILURE"
    NOT_FOUND = "NOT_FOUND"
    WAITING_FOR_RETRY = "WAITING_FOR_RETRY"
    RECEIVED = "RECEIVED"
    RECEIVED_WITH_WARNINGS = "RECEIVED_WITH_WARNINGS"
    DELETED = "DELETED"
    DOWNLOADED = "DOWNLOADED"


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageError:
    """One entry of ``getMessageErrors``."""

    code: str | None
    detail: str | None
    message_id: str | None
    msh_role: str | None
    timestamp: dt.datetime | None = None
    notified: dt.datetime | None = None

"""What an incoming answer must prove before the portal uses it (issue 13; docs/exchanges.md).

Pure checks, no database writes: each takes the exchange the message claims (and what was asked in it) and
returns a :class:`Refusal` with its own reason, or None. ``services.incoming_process`` runs them in order,
after the correlation by ``ConversationId`` and ``requestId``, and refuses the message at the first failure.

The details written into a refusal name *what* differs, never the values (they are personal data, and the
exchange log keeps none).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

from exchanges.models import EvidenceRequest, IncomingReason
from oots_client.access_point import AsMessage, PartyId, UserMessage
from oots_client.edm import (
    Agent,
    EdmError,
    ErrorResponse,
    EvidenceResponse,
    Identifier,
    LegalPerson,
    NaturalPerson,
)
from oots_client.edm import EvidenceRequest as EdmEvidenceRequest
from oots_client.edm.xmlsafe import parse_xml

SVG_ROOT: Final = "{http://www.w3.org/2000/svg}svg"
_PDF: Final = b"%PDF-"
_PNG: Final = b"\x89PNG\r\n\x1a\n"
_JPEG: Final = b"\xff\xd8\xff"
_UTF8_BOM: Final = b"\xef\xbb\xbf"
# Whitespace, hyphen-minus, hyphen, non-breaking hyphen, apostrophe, right single quote, full stop, comma.
_NAME_SEPARATORS: Final = re.compile("[\\s\\-\u2010\u2011'\u2019.,]+")


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: IncomingReason
    detail: str


def party_label(party: PartyId | None) -> str:
    """``type:value`` of a party, for the record of who sent a message."""
    if party is None:
        return ""
    return f"{party.type}:{party.value}" if party.type else party.value


# --- who sent it ----------------------------------------------------------------------------------------


def _same_party(actual: PartyId | None, value: str, type_: str) -> bool:
    """The same party id and type, whichever way the sender encoded them (DIGEST §1 item 20: some glue
    the type onto the value, ``<type>:<value>``); types compare case-insensitively (URNs), values exactly."""
    if actual is None:
        return False
    value, type_ = value.strip(), type_.strip().lower()
    actual_value, actual_type = actual.value.strip(), (actual.type or "").strip().lower()
    if actual_value == value and actual_type == type_:
        return True
    prefix = f"{type_}:"
    glued = bool(type_) and not actual_type and actual_value[: len(prefix)].lower() == prefix
    return glued and actual_value[len(prefix) :] == value


def header_refusal(header: UserMessage, exchange: EvidenceRequest) -> Refusal | None:
    """The ebMS sender must be the access point the Data Service Directory named for this exchange (its
    ``AccessService`` identifier, DIGEST §6), and ``originalSender`` the provider the request addressed."""
    if not _same_party(header.from_party, exchange.access_point_id, exchange.access_point_type):
        return Refusal(
            IncomingReason.WRONG_SENDER,
            "the ebMS From/PartyId (and its type) is not the access point the Data Service Directory named "
            "for this exchange",
        )
    if not _same_party(header.original_sender, exchange.provider_identifier, exchange.provider_scheme):
        detail = (
            "the message has no originalSender"
            if header.original_sender is None
            else "the message's originalSender (and its type) is not the provider the request addressed"
        )
        return Refusal(IncomingReason.WRONG_ORIGINAL_SENDER, detail)
    return None


# --- what it says ---------------------------------------------------------------------------------------


def _same_identifier(actual: Identifier | None, value: str, scheme: str) -> bool:
    if actual is None:
        return False
    return actual.value.strip() == value.strip() and (actual.scheme_id or "").strip().lower() == (
        scheme.strip().lower()
    )


def _provider_refusal(provider: Agent | None, exchange: EvidenceRequest) -> Refusal | None:
    if provider is None:
        return Refusal(IncomingReason.WRONG_PROVIDER, "the response names no EvidenceProvider")
    if not _same_identifier(provider.identifier, exchange.provider_identifier, exchange.provider_scheme):
        return Refusal(
            IncomingReason.WRONG_PROVIDER,
            "the response's EvidenceProvider identifier (scheme and value) is not the provider asked",
        )
    return None


def _name_key(text: str | None) -> str:
    """A name as compared: case, accents, hyphens, apostrophes and spacing do not count."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(part for part in _NAME_SEPARATORS.split(letters) if part)


def _id_key(identifier: Identifier | None) -> str | None:
    if identifier is None or not identifier.value.strip():
        return None
    return identifier.value.strip().casefold()


def subject_mismatch(asked: NaturalPerson | LegalPerson, about: NaturalPerson | LegalPerson) -> str | None:
    """What shows that ``about`` (the evidence's ``IsAbout``) is not ``asked`` (the request's subject).

    A natural person is the one asked when the eIDAS identifiers are equal where both carry one, the dates
    of birth are equal, and — only when there is no pair of identifiers to compare — the family and given
    names are equal up to case, accents and separators. An identifier pair decides over names because the
    same person's names are written differently from one register to another (transliteration, diacritics,
    birth names); a date of birth never differs. A legal person: the eIDAS ``LegalPersonIdentifier`` where
    both carry one, else one shared business identifier (same scheme and value), else the legal name.
    """
    if isinstance(asked, NaturalPerson) != isinstance(about, NaturalPerson):
        return "the evidence is about a {} and the request about a {}".format(
            "natural person" if isinstance(about, NaturalPerson) else "legal person",
            "natural person" if isinstance(asked, NaturalPerson) else "legal person",
        )
    if isinstance(asked, NaturalPerson) and isinstance(about, NaturalPerson):
        asked_id, about_id = _id_key(asked.identifier), _id_key(about.identifier)
        if asked_id is not None and about_id is not None and asked_id != about_id:
            return "the person's identifier differs from the one asked about"
        if asked.date_of_birth != about.date_of_birth:
            return "the person's date of birth differs from the one asked about"
        if asked_id is None or about_id is None:
            same_names = _name_key(asked.family_name) == _name_key(about.family_name) and _name_key(
                asked.given_name
            ) == _name_key(about.given_name)
            if not same_names:
                return "the person's names differ from the ones asked about (no identifier to compare)"
        return None
    assert isinstance(asked, LegalPerson) and isinstance(about, LegalPerson)
    asked_eidas, about_eidas = _id_key(asked.legal_person_identifier), _id_key(about.legal_person_identifier)
    if asked_eidas is not None and about_eidas is not None:
        return None if asked_eidas == about_eidas else "the legal person's identifier differs"

    def keys(identifiers: Iterable[Identifier]) -> set[tuple[str, str]]:
        return {((i.scheme_id or "").strip().lower(), i.value.strip().casefold()) for i in identifiers}

    if asked.identifiers and about.identifiers:
        shared = keys(asked.identifiers) & keys(about.identifiers)
        return None if shared else "the legal person shares no identifier with the one asked about"
    if _name_key(asked.legal_name) != _name_key(about.legal_name):
        return "the legal name differs from the one asked about (no identifier to compare)"
    return None


def content_refusal(
    parsed: EvidenceResponse | ErrorResponse, exchange: EvidenceRequest, asked: EdmEvidenceRequest | None
) -> Refusal | None:
    """The provider, the subject and the evidence type of a response are the ones asked.

    Error responses are not held to their ``ErrorProvider``: the TDD lets the provider's gateway or an
    intermediary platform report an error; the ebMS header checks already tie the message to the provider.
    """
    if isinstance(parsed, ErrorResponse):
        return None
    refusal = _provider_refusal(parsed.evidence_provider, exchange)
    if refusal is not None:
        return refusal
    for position, item in enumerate(parsed.evidences, start=1):
        if item.metadata.classification != exchange.evidence_type_classification:
            return Refusal(
                IncomingReason.WRONG_EVIDENCE_TYPE,
                f"evidence {position}'s classification (IsConformantTo) is not the evidence type requested",
            )
        if asked is None:
            return Refusal(IncomingReason.WRONG_SUBJECT, "the request's content is no longer kept to compare")
        problem = subject_mismatch(asked.subject, item.metadata.is_about)
        if problem is not None:
            return Refusal(IncomingReason.WRONG_SUBJECT, f"evidence {position}: {problem}")
    return None


# --- the files ------------------------------------------------------------------------------------------


def media_type_base(value: str | None) -> str:
    """``application/xml; charset=UTF-8`` → ``application/xml``."""
    return (value or "").split(";", 1)[0].strip().lower()


def sniffed_media_type(data: bytes, *, max_bytes: int) -> str | None:
    """The media type the bytes show, among the OOTS ones (``OOTSMediaTypes``), or None.

    PDF, PNG and JPEG by their signatures; XML (SVG when its root is ``svg:svg``) by parsing it with the
    hardened parser (no DTD, no entities, no network); JSON by parsing it.
    """
    if data.startswith(_PDF):
        return "application/pdf"
    if data.startswith(_PNG):
        return "image/png"
    if data.startswith(_JPEG):
        return "image/jpeg"
    text = data.removeprefix(_UTF8_BOM).lstrip(b" \t\r\n")
    if text.startswith(b"<"):
        try:
            root = parse_xml(data.removeprefix(_UTF8_BOM), max_bytes=max_bytes)
        except EdmError:
            return None
        return "image/svg+xml" if root.tag == SVG_ROOT else "application/xml"
    if text[:1] in (b"{", b"["):
        try:
            json.loads(text.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return None
        return "application/json"
    return None


def attachments_refusal(
    parsed: EvidenceResponse, message: AsMessage, *, max_bytes: int, allowed: frozenset[str]
) -> Refusal | None:
    """Each evidence has its file in the AS4 message, within ``max_bytes``, whose media type is the declared
    one (``Distribution/Format``, one of ``allowed``), the AS4 part's ``MimeType`` and what its bytes show."""
    for position, item in enumerate(parsed.evidences, start=1):
        if item.attachment is None:
            return Refusal(IncomingReason.MISSING_ATTACHMENT, f"evidence {position} has no RepositoryItemRef")
        payload = message.payload(item.attachment.href)
        if payload is None:
            return Refusal(
                IncomingReason.MISSING_ATTACHMENT,
                f"evidence {position}'s file {item.attachment.href} is not in the AS4 message",
            )
        if len(payload.data) > max_bytes:
            return Refusal(
                IncomingReason.TOO_LARGE,
                f"evidence {position}'s file is {len(payload.data)} bytes, more than the {max_bytes} allowed",
            )
        declared = media_type_base(item.metadata.distribution.format)
        if declared not in allowed:
            return Refusal(
                IncomingReason.WRONG_MEDIA_TYPE,
                f"evidence {position} declares {declared!r}, not an OOTS media type",
            )
        part = media_type_base(payload.mime_type)
        if part != declared:
            return Refusal(
                IncomingReason.WRONG_MEDIA_TYPE,
                f"evidence {position} declares {declared!r} but its AS4 part is {part!r}",
            )
        shown = sniffed_media_type(payload.data, max_bytes=max_bytes)
        if shown != declared:
            return Refusal(
                IncomingReason.WRONG_MEDIA_TYPE,
                f"evidence {position} declares {declared!r} but its bytes are "
                + (f"{shown!r}" if shown else "none of the OOTS media types"),
            )
    return None

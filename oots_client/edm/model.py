"""The typed model of every EDM message an Evidence Requester sends or receives (DIGEST §3).

Frozen dataclasses, version-neutral: the model is the union of what EDM v1.0, v1.2 and v2.0 can carry; each
version's builder writes the part its schema allows (see ``oots_client.edm.versions``). Semantic Repository
URIs are held in the new domain (``sr.oots.tech.ec.europa.eu``), whatever the message said.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


def new_request_id() -> str:
    """A fresh ``urn:uuid:`` identifier (DIGEST §1 item 4)."""
    return f"urn:uuid:{uuid.uuid4()}"


def utc_now() -> dt.datetime:
    """The current time, UTC, whole seconds (xsd:dateTime with seconds)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


class MessageKind(StrEnum):
    REQUEST = "request"
    RESPONSE = "response"
    ERROR = "error"


class ResponseStatus(StrEnum):
    SUCCESS = "Success"
    UNAVAILABLE = "Unavailable"
    FAILURE = "Failure"


@dataclass(frozen=True, slots=True)
class LocalizedText:
    """A string in one language (``lang`` is the upper-case ISO 639-1 code, e.g. ``EN``)."""

    value: str
    lang: str = "EN"


@dataclass(frozen=True, slots=True)
class Identifier:
    value: str
    scheme_id: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    admin_unit_level1: str | None = None  # ISO 3166-1 alpha-2 country
    admin_unit_level2: str | None = None  # NUTS
    full_address: str | None = None
    locator_designator: str | None = None
    post_code: str | None = None
    post_city_name: str | None = None
    thoroughfare: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Agent:
    """``sdg:Agent``: an Evidence Requester, Provider, intermediary platform or error provider."""

    identifier: Identifier
    names: tuple[LocalizedText, ...]
    address: Address | None = None
    classification: str | None = None  # ER, IP, EP, ERRP

    @property
    def name(self) -> str:
        return self.names[0].value if self.names else ""


@dataclass(frozen=True, slots=True)
class SectorSpecificAttribute:
    name: str
    uri: str
    value: str


@dataclass(frozen=True, slots=True, kw_only=True)
class NaturalPerson:
    """``sdg:Person``: the eIDAS minimum data set; the v1.2 additions are written only by v1.2 and later."""

    family_name: str
    given_name: str
    date_of_birth: dt.date
    level_of_assurance: str | None = None  # Low | Substantial | High; mandatory in a request
    identifier: Identifier | None = None  # schemeID "eidas", CC/CC/unique
    birth_name: str | None = None
    place_of_birth: str | None = None
    current_address: Address | None = None
    gender: str | None = None
    # EDM v1.2 additions (official v1.2 example)
    nationality: str | None = None
    country_of_birth: str | None = None
    town_of_birth: str | None = None
    country_of_residence: str | None = None
    phone_number: str | None = None
    email_address: str | None = None
    sector_specific_attributes: tuple[SectorSpecificAttribute, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LegalPerson:
    """``sdg:LegalPerson``."""

    legal_name: str
    level_of_assurance: str | None = None
    identifiers: tuple[Identifier, ...] = ()  # VAT, TAX, LEI, EORI, ...
    legal_person_identifier: Identifier | None = None  # schemeID "eidas"
    registered_address: Address | None = None
    sector_specific_attributes: tuple[SectorSpecificAttribute, ...] = ()


Subject = NaturalPerson | LegalPerson


@dataclass(frozen=True, slots=True, kw_only=True)
class Requirement:
    identifier: str  # SR requirement URI
    names: tuple[LocalizedText, ...]
    descriptions: tuple[LocalizedText, ...] = ()  # v1.2+; v1.0 rule R-EDM-REQ-S038 forbids them


@dataclass(frozen=True, slots=True, kw_only=True)
class Distribution:
    """``DistributedAs`` in a request, ``Distribution`` in evidence metadata."""

    format: str  # media type
    conforms_to: str | None = None  # data model URI, for structured formats
    transformation: str | None = None
    languages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestedEvidenceType:
    """``sdg:DataServiceEvidenceType`` as copied from the DSD, with exactly one chosen distribution."""

    identifier: str  # DSD UUID
    classification: str  # SR evidence type classification URI
    titles: tuple[LocalizedText, ...]
    distribution: Distribution
    descriptions: tuple[LocalizedText, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceProviderClassification:
    """A DSD classification concept echoed with the user's answer (DIGEST §5.3 step 4)."""

    identifier: Identifier  # UUID (+ schemeID of the MS-specific scheme)
    supported_values: tuple[str, ...]
    type: str | None = None
    value_expression: str | None = None
    descriptions: tuple[LocalizedText, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceRequest:
    """The content of one Evidence Request (``query:QueryRequest``), independent of the EDM version.

    ``request_id`` and ``issue_datetime`` default to fresh values; pass them to get deterministic output.
    """

    evidence_requester: Agent
    evidence_provider: Agent
    evidence: RequestedEvidenceType
    subject: Subject
    possibility_for_preview: bool
    explicit_request_given: bool = True
    procedure: str | None = None
    requirements: tuple[Requirement, ...] = ()
    intermediary_platform: Agent | None = None
    authorized_representative: NaturalPerson | None = None
    evidence_provider_classifications: tuple[EvidenceProviderClassification, ...] = ()
    preview_location: str | None = None  # only in the second request of the preview flow
    return_location: str | None = None  # EDM v2.0 only (ReturnLocation slot)
    request_id: str = field(default_factory=new_request_id)
    issue_datetime: dt.datetime = field(default_factory=utc_now)

    @property
    def natural_person(self) -> NaturalPerson | None:
        return self.subject if isinstance(self.subject, NaturalPerson) else None

    @property
    def legal_person(self) -> LegalPerson | None:
        return self.subject if isinstance(self.subject, LegalPerson) else None


@dataclass(frozen=True, slots=True, kw_only=True)
class QueryRequest:
    """A parsed Evidence Request: the EDM version it was written in and its content."""

    version: str
    request: EvidenceRequest
    kind: Literal[MessageKind.REQUEST] = MessageKind.REQUEST

    @property
    def request_id(self) -> str:
        return self.request.request_id


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceMetadata:
    """``sdg:Evidence``."""

    identifier: str
    is_about: Subject
    issuing_authority: Agent
    classification: str
    titles: tuple[LocalizedText, ...]
    issuing_date: dt.date
    distribution: Distribution
    descriptions: tuple[LocalizedText, ...] = ()
    validity_start: dt.date | None = None
    validity_end: dt.date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachmentRef:
    """``rim:RepositoryItemRef``: the ``cid:`` of the AS4 MIME part carrying the evidence."""

    href: str
    title: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceItem:
    """One ``rim:RegistryObject`` (ExtrinsicObject) of a successful response."""

    registry_object_id: str
    metadata: EvidenceMetadata
    attachment: AttachmentRef | None = None
    classification_node: str | None = None  # v2.0: MainEvidence, Annex, HumanReadableVersion, Translation


@dataclass(frozen=True, slots=True, kw_only=True)
class EvidenceResponse:
    """A Success or Unavailable ``query:QueryResponse``."""

    version: str
    request_id: str
    status: ResponseStatus
    response_id: str
    issue_datetime: dt.datetime | None
    evidence_provider: Agent | None
    evidence_requester: Agent | None
    evidences: tuple[EvidenceItem, ...] = ()
    response_available_datetime: dt.datetime | None = None
    kind: Literal[MessageKind.RESPONSE] = MessageKind.RESPONSE


@dataclass(frozen=True, slots=True, kw_only=True)
class EdmException:
    """One ``rs:Exception`` of an error response (DIGEST §3.3, §8)."""

    type: str  # local part of xsi:type, e.g. AuthorizationExceptionType
    code: str | None
    severity: str
    message: str
    detail: str | None = None
    timestamp: dt.datetime | None = None
    preview_location: str | None = None
    preview_description: tuple[LocalizedText, ...] = ()
    preview_method: str | None = None

    @property
    def is_preview_required(self) -> bool:
        return self.preview_location is not None or self.severity.endswith(":PreviewRequired")


@dataclass(frozen=True, slots=True, kw_only=True)
class ErrorResponse:
    """A Failure ``query:QueryResponse``; ``request_id`` may be missing for InvalidRequest errors."""

    version: str
    request_id: str | None
    response_id: str | None
    exceptions: tuple[EdmException, ...]
    error_provider: Agent | None = None
    evidence_requester: Agent | None = None
    kind: Literal[MessageKind.ERROR] = MessageKind.ERROR

    @property
    def status(self) -> ResponseStatus:
        return ResponseStatus.FAILURE


Message = QueryRequest | EvidenceResponse | ErrorResponse

"""The OOTS Evidence Data Model (EDM): typed messages, strict builders, liberal parsers, validation.

Public API (everything else is internal):

Model (``oots_client.edm.model``, frozen dataclasses)
    :class:`EvidenceRequest` (what the portal sends) with :class:`Agent`, :class:`NaturalPerson`,
    :class:`LegalPerson`, :class:`Requirement`, :class:`RequestedEvidenceType`, :class:`Distribution`,
    :class:`EvidenceProviderClassification`; parsed messages :class:`QueryRequest` (version + request),
    :class:`EvidenceResponse` (with :class:`EvidenceItem`, :class:`EvidenceMetadata`,
    :class:`AttachmentRef`) and :class:`ErrorResponse` (with :class:`EdmException`); :data:`Message` is
    their union; :class:`MessageKind`, :class:`ResponseStatus`.

Building (one builder per message, ``oots_client.edm.build``; the version comes from the provider's DSD
``ConformsTo``)
    ``build_request(request, version) -> bytes`` for ``oots-edm:v1.0``, ``v1.1``, ``v1.2``, ``v2.0``;
    ``build_response(response)`` and ``build_error(error)`` for simulators and tests.

Parsing
    ``parse_message(data) -> QueryRequest | EvidenceResponse | ErrorResponse``, any version, any prefixes,
    both SR domains; raises an :class:`EdmError` subclass (``UnsafeXmlError``, ``XmlSyntaxError``,
    ``NotEdmMessageError``, ``InvalidMessageError``) with ``what`` and ``where``.

Validation
    ``validate(data) -> list[Finding]`` and ``validate_message(data) -> ValidationReport`` (XSD, official
    Schematron shipped in ``oots_client/schematron``, the business rules of ``oots_client.edm.rules``,
    exact code lists, slot structure).

Versions
    ``get_version(name) -> EdmVersion``; ``VERSIONS``; ``choose_version(conforms_to, preference)``, the
    version to ask a provider in (``DEFAULT_PREFERENCE`` unless the caller orders them); the per-version
    differences live in ``oots_client.edm.versions.v1_0``, ``v1_1``, ``v1_2`` and ``v2_0``.

RegRep primitives for the Common Services clients: ``oots_client.edm.regrep`` (slots by name, values of
each value type, ``rs:Exception`` s, ``@status``). Hardened XML parsing:
``oots_client.edm.xmlsafe.parse_xml``.
Command line: ``python -m oots_client.edm validate|parse|example``.
"""

from oots_client.edm.build import build_error, build_request, build_response
from oots_client.edm.errors import (
    BuildError,
    EdmError,
    InvalidMessageError,
    NotEdmMessageError,
    UnsafeXmlError,
    UnsupportedVersionError,
    XmlSyntaxError,
)
from oots_client.edm.model import (
    Address,
    Agent,
    AttachmentRef,
    Distribution,
    EdmException,
    ErrorResponse,
    EvidenceItem,
    EvidenceMetadata,
    EvidenceProviderClassification,
    EvidenceRequest,
    EvidenceResponse,
    Identifier,
    LegalPerson,
    LocalizedText,
    Message,
    MessageKind,
    NaturalPerson,
    QueryRequest,
    RequestedEvidenceType,
    Requirement,
    ResponseStatus,
    SectorSpecificAttribute,
)
from oots_client.edm.parse import parse_message
from oots_client.edm.validate import Finding, ValidationReport, validate, validate_message
from oots_client.edm.versions import DEFAULT_PREFERENCE, VERSIONS, EdmVersion, choose_version, get_version

__all__ = [
    "DEFAULT_PREFERENCE",
    "VERSIONS",
    "Address",
    "Agent",
    "AttachmentRef",
    "BuildError",
    "Distribution",
    "EdmError",
    "EdmException",
    "EdmVersion",
    "ErrorResponse",
    "EvidenceItem",
    "EvidenceMetadata",
    "EvidenceProviderClassification",
    "EvidenceRequest",
    "EvidenceResponse",
    "Finding",
    "Identifier",
    "InvalidMessageError",
    "LegalPerson",
    "LocalizedText",
    "Message",
    "MessageKind",
    "NaturalPerson",
    "NotEdmMessageError",
    "QueryRequest",
    "RequestedEvidenceType",
    "Requirement",
    "ResponseStatus",
    "SectorSpecificAttribute",
    "UnsafeXmlError",
    "UnsupportedVersionError",
    "ValidationReport",
    "XmlSyntaxError",
    "build_error",
    "build_request",
    "build_response",
    "choose_version",
    "get_version",
    "parse_message",
    "validate",
    "validate_message",
]

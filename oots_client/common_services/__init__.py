"""Client of the OOTS Common Services: Evidence Broker (EB) and Data Service Directory (DSD). No Django.

Public API:

Configuration (frozen dataclasses): :class:`CommonServicesConfig`, :class:`RetryPolicy`, :class:`CsApiVersion`
(``1.0``…``2.0``), :class:`SignatureMode` (``off``/``warn``/``required``), :class:`DiscoveryConfig` (DNS NAPTR
discovery of each country's instance, :mod:`.discovery`, when no fixed URL is given).

Client: :class:`CommonServicesClient` with ``requirements(procedure=, country=)``,
``evidence_types(requirement=, country=)``, ``data_services(evidence_type=, country=, specification=,
answers=)``
and ``value_list(url)``; every query takes ``refresh=True`` to bypass the cache. The cache is anything with
``get``/``set`` (:class:`AnswerCache`; the portal passes Django's).

Results (frozen dataclasses, :mod:`.model`): :class:`Requirement`, :class:`EvidenceTypesResult` (alternatives
of :class:`EvidenceTypeList`), :class:`DataServicesResult` (``offers`` — one :class:`DataServiceOffer` per
access
service), and for ``DSD:ERR:0005`` :class:`AdditionalInputRequired` (jurisdiction question, classification
questions with allowed values) whose ``answer(jurisdiction=, classifications=)`` gives the
:class:`AdditionalInputAnswers` for the follow-up query.

Errors (:mod:`.errors`): :class:`CommonServicesError` subclasses per ``EB:ERR``/``DSD:ERR`` code (``.code``),
:class:`CsUnavailableError` (transient), :class:`CsProtocolError`, :class:`SignatureError`,
:class:`DiscoveryError`, :class:`QueryParameterError`, :class:`InvalidAnswerError`.

Signatures (:mod:`.signature`): ``verify_answer`` / ``sign_answer`` for the detached JWS of API 2.0.
Command line: ``python -m oots_client.common_services --help``.
"""

from oots_client.common_services.cache import AnswerCache, MemoryCache, NoCache
from oots_client.common_services.client import CommonServicesClient
from oots_client.common_services.config import (
    CommonServicesConfig,
    CsApiVersion,
    DiscoveryConfig,
    RetryPolicy,
    SignatureMode,
)
from oots_client.common_services.errors import (
    AdditionalInputError,
    CommonServicesError,
    CsProtocolError,
    CsUnavailableError,
    DiscoveryError,
    EmptyResultError,
    InvalidAnswerError,
    InvalidJurisdictionLevelError,
    InvalidParametersError,
    InvalidParameterValueError,
    NoDataServiceError,
    QueryParameterError,
    SignatureError,
    UnknownCountryError,
    UnknownCsError,
    UnknownEvidenceTypeError,
    UnknownProcedureError,
    UnknownQueryError,
    UnknownRequirementError,
)
from oots_client.common_services.model import (
    AccessService,
    AdditionalInputAnswers,
    AdditionalInputRequired,
    ClassificationConcept,
    ClassificationQuestion,
    DataServiceEvidenceType,
    DataServiceOffer,
    DataServicesResult,
    Distribution,
    EvidenceType,
    EvidenceTypeList,
    EvidenceTypesResult,
    Jurisdiction,
    JurisdictionDetermination,
    Publisher,
    ReferenceFramework,
    Requirement,
)
from oots_client.edm.genericode import CodeValue

__all__ = [
    "AccessService",
    "AdditionalInputAnswers",
    "AdditionalInputError",
    "AdditionalInputRequired",
    "AnswerCache",
    "ClassificationConcept",
    "ClassificationQuestion",
    "CodeValue",
    "CommonServicesClient",
    "CommonServicesConfig",
    "CommonServicesError",
    "CsApiVersion",
    "CsProtocolError",
    "CsUnavailableError",
    "DataServiceEvidenceType",
    "DataServiceOffer",
    "DataServicesResult",
    "DiscoveryConfig",
    "DiscoveryError",
    "Distribution",
    "EmptyResultError",
    "EvidenceType",
    "EvidenceTypeList",
    "EvidenceTypesResult",
    "InvalidAnswerError",
    "InvalidJurisdictionLevelError",
    "InvalidParameterValueError",
    "InvalidParametersError",
    "Jurisdiction",
    "JurisdictionDetermination",
    "MemoryCache",
    "NoCache",
    "NoDataServiceError",
    "Publisher",
    "QueryParameterError",
    "ReferenceFramework",
    "Requirement",
    "RetryPolicy",
    "SignatureError",
    "SignatureMode",
    "UnknownCountryError",
    "UnknownCsError",
    "UnknownEvidenceTypeError",
    "UnknownProcedureError",
    "UnknownQueryError",
    "UnknownRequirementError",
]

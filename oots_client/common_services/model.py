"""Typed results of the Evidence Broker and Data Service Directory queries (frozen dataclasses).

Texts are tuples of :class:`~oots_client.edm.model.LocalizedText` (value + upper-case language code);
``text_in``
picks one for display. Semantic Repository URIs are kept as received (both SR domains exist in the wild,
DIGEST §9).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from oots_client.common_services.errors import InvalidAnswerError
from oots_client.common_services.genericode import NUTS_LEVEL_LENGTH, nuts_codes
from oots_client.edm.genericode import CodeValue
from oots_client.edm.model import LocalizedText


def text_in(texts: tuple[LocalizedText, ...], lang: str = "EN") -> str:
    """The text in ``lang`` (case-insensitive), else English, else the first one, else ``""``."""
    wanted = lang.upper()
    for candidate in (wanted, "EN"):
        for text in texts:
            if text.lang.upper() == candidate:
                return text.value
    return texts[0].value if texts else ""


def texts_by_lang(texts: tuple[LocalizedText, ...]) -> dict[str, str]:
    """``{"EN": "...", "DE": "..."}`` (the first text of a language wins)."""
    result: dict[str, str] = {}
    for text in texts:
        result.setdefault(text.lang.upper(), text.value)
    return result


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """``AdminUnitLevel1`` (country), ``AdminUnitLevel2`` (NUTS) and ``AdminUnitLevel3`` (LAU)."""

    country: str
    nuts: str | None = None
    lau: str | None = None


@dataclass(frozen=True, slots=True)
class ReferenceFramework:
    """A procedure as implemented in a Member State, linking a requirement to it."""

    identifier: str
    titles: tuple[LocalizedText, ...] = ()
    descriptions: tuple[LocalizedText, ...] = ()
    procedure_codes: tuple[str, ...] = ()  # RelatedTo/Identifier
    jurisdictions: tuple[Jurisdiction, ...] = ()


@dataclass(frozen=True, slots=True)
class Requirement:
    """A Semantic Repository requirement (``sdg:Requirement``)."""

    identifier: str
    names: tuple[LocalizedText, ...] = ()
    descriptions: tuple[LocalizedText, ...] = ()
    reference_frameworks: tuple[ReferenceFramework, ...] = ()

    def name(self, lang: str = "EN") -> str:
        return text_in(self.names, lang) or self.identifier


@dataclass(frozen=True, slots=True)
class EvidenceType:
    """One evidence type of an evidence type list (``EvidenceTypeClassification`` is what the DSD is asked
    for)."""

    classification: str
    titles: tuple[LocalizedText, ...] = ()
    descriptions: tuple[LocalizedText, ...] = ()
    jurisdiction: Jurisdiction | None = None

    def title(self, lang: str = "EN") -> str:
        return text_in(self.titles, lang) or self.classification


@dataclass(frozen=True, slots=True)
class EvidenceTypeList:
    """One alternative way to satisfy a requirement: all its evidence types are needed together (CCCEV)."""

    identifier: str
    names: tuple[LocalizedText, ...] = ()
    evidence_types: tuple[EvidenceType, ...] = ()
    jurisdiction: Jurisdiction | None = None


@dataclass(frozen=True, slots=True)
class EvidenceTypesResult:
    """The EB's answer for a requirement and a country: the requirement and its alternatives."""

    requirement: Requirement
    alternatives: tuple[EvidenceTypeList, ...]


@dataclass(frozen=True, slots=True)
class Distribution:
    """``sdg:DistributedAs``: a media type, and for structured data the data model it conforms to."""

    format: str
    conforms_to: str | None = None
    transformation: str | None = None
    languages: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ClassificationConcept:
    """``sdg:ClassificationConcept`` / ``sdg:EvidenceProviderClassification``: a question that splits
    providers."""

    identifier: str
    type: str = ""
    value_expression: str = ""
    descriptions: tuple[LocalizedText, ...] = ()
    supported_values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Publisher:
    """The Evidence Provider behind an access service (goes into the request's ``EvidenceProvider`` slot)."""

    identifier: str
    scheme_id: str | None = None
    names: tuple[LocalizedText, ...] = ()
    country: str | None = None  # Address/AdminUnitLevel1
    jurisdiction: Jurisdiction | None = None
    classification_concepts: tuple[ClassificationConcept, ...] = ()

    def name(self, lang: str = "EN") -> str:
        return text_in(self.names, lang) or self.identifier


@dataclass(frozen=True, slots=True)
class AccessService:
    """Where to send the evidence request: AS4 party id (``identifier`` + ``scheme_id``) and EDM versions."""

    identifier: str
    scheme_id: str | None = None
    conforms_to: tuple[str, ...] = ()  # oots-edm:v1.0 / v1.2 / v2.0
    publisher: Publisher | None = None
    names: tuple[LocalizedText, ...] = ()


@dataclass(frozen=True, slots=True)
class JurisdictionDetermination:
    """The question "where?" the DSD asks (``sdg:EvidenceProviderJurisdictionDetermination``)."""

    context_id: str
    contexts: tuple[LocalizedText, ...] = ()  # the question's label, e.g. "Place of birth"
    level: str = ""  # Country | NUTS1 | NUTS2 | NUTS3 | LAU

    def label(self, lang: str = "EN") -> str:
        return text_in(self.contexts, lang)


@dataclass(frozen=True, slots=True)
class DataServiceEvidenceType:
    """``sdg:DataServiceEvidenceType``: an evidence type as offered by one or more access services."""

    identifier: str
    classification: str
    titles: tuple[LocalizedText, ...] = ()
    descriptions: tuple[LocalizedText, ...] = ()
    distributions: tuple[Distribution, ...] = ()
    access_services: tuple[AccessService, ...] = ()
    level_of_assurance: str | None = None  # Low | Substantial | High
    jurisdiction_determination: JurisdictionDetermination | None = None
    provider_classifications: tuple[ClassificationConcept, ...] = ()

    def title(self, lang: str = "EN") -> str:
        return text_in(self.titles, lang) or self.classification


@dataclass(frozen=True, slots=True)
class DataServiceOffer:
    """One choice for the user: an evidence type at one access service (with its publisher)."""

    evidence_type: DataServiceEvidenceType
    access_service: AccessService

    @property
    def publisher(self) -> Publisher | None:
        return self.access_service.publisher


@dataclass(frozen=True, slots=True)
class DataServicesResult:
    """The DSD's success answer. Several access services (providers) ⇒ the user picks one offer."""

    evidence_types: tuple[DataServiceEvidenceType, ...]

    @property
    def offers(self) -> tuple[DataServiceOffer, ...]:
        return tuple(
            DataServiceOffer(evidence_type, service)
            for evidence_type in self.evidence_types
            for service in evidence_type.access_services
        )


@dataclass(frozen=True, slots=True)
class ClassificationQuestion:
    """A classification question of ``DSD:ERR:0005``, with the allowed values of its ``ValueExpression`` list.

    ``allowed_values`` is empty when the list could not be read; ``value_list_problem`` then says why, and the
    portal may fall back to free text (the DSD still checks the answer: ``DSD:ERR:0006``).
    """

    concept: ClassificationConcept
    allowed_values: tuple[CodeValue, ...] = ()
    value_list_problem: str | None = None

    @property
    def identifier(self) -> str:
        return self.concept.identifier

    def question(self, lang: str = "EN") -> str:
        return text_in(self.concept.descriptions, lang)


@dataclass(frozen=True, slots=True)
class AdditionalInputAnswers:
    """The user's answers to a ``DSD:ERR:0005``, sent with the follow-up query.

    ``classifications`` maps a classification concept identifier to the chosen value.
    """

    evidence_type_id: str | None = None
    jurisdiction_context_id: str | None = None
    jurisdiction_admin_l2: str | None = None  # NUTS1/2/3
    jurisdiction_admin_l3: str | None = None  # LAU
    classifications: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class AdditionalInputRequired:
    """``DSD:ERR:0005``: the DSD needs the user's jurisdiction and/or classification answers (DIGEST §5.3)."""

    evidence_type: DataServiceEvidenceType
    jurisdiction: JurisdictionDetermination | None = None
    classification_questions: tuple[ClassificationQuestion, ...] = ()
    message: str = ""

    def answer(
        self, *, jurisdiction: str | None = None, classifications: Mapping[str, str] | None = None
    ) -> AdditionalInputAnswers:
        """Build the follow-up answers, checking them against the questions first, so that the portal can say
        what is wrong in the user's own words rather than send a query bound to fail (the DSD checks them too,
        ``DSD:ERR:0006``). Raises ``InvalidAnswerError``."""
        classifications = classifications or {}
        l2: str | None = None
        l3: str | None = None
        context_id: str | None = None
        if self.jurisdiction is not None:
            if not jurisdiction:
                raise InvalidAnswerError(f"the question {self.jurisdiction.label()!r} needs an answer")
            code = check_jurisdiction(self.jurisdiction.level, jurisdiction)
            context_id = self.jurisdiction.context_id
            if self.jurisdiction.level == "LAU":
                l3 = code
            else:
                l2 = code
        elif jurisdiction:
            raise InvalidAnswerError("the Data Service Directory did not ask for a jurisdiction")
        pairs: list[tuple[str, str]] = []
        known = {q.identifier: q for q in self.classification_questions}
        for identifier in classifications:
            if identifier not in known:
                raise InvalidAnswerError(f"the Data Service Directory did not ask question {identifier!r}")
        for classification in self.classification_questions:
            value = classifications.get(classification.identifier, "").strip()
            if not value:
                raise InvalidAnswerError(f"the question {classification.question()!r} needs an answer")
            allowed = {v.code for v in classification.allowed_values}
            if allowed and value not in allowed:
                raise InvalidAnswerError(
                    f"{value!r} is not one of the allowed answers to {classification.question()!r}"
                )
            pairs.append((classification.identifier, value))
        return AdditionalInputAnswers(
            evidence_type_id=self.evidence_type.identifier or None,
            jurisdiction_context_id=context_id,
            jurisdiction_admin_l2=l2,
            jurisdiction_admin_l3=l3,
            classifications=tuple(pairs),
        )


# LAU codes are national; the LAU list is not available (DIGEST §9), so only their shape is checked.
_LAU: Final = re.compile(r"^[A-Z]{0,2}[0-9A-Z]{1,12}$")


def check_jurisdiction(level: str, value: str) -> str:
    """The normalised answer for a jurisdiction question of ``level`` (``InvalidAnswerError`` if wrong)."""
    code = value.strip().upper()
    if level in NUTS_LEVEL_LENGTH:
        if len(code) != NUTS_LEVEL_LENGTH[level] or code not in nuts_codes():
            raise InvalidAnswerError(f"{value!r} is not a {level} region code")
    elif level == "LAU":
        if not _LAU.fullmatch(code):
            raise InvalidAnswerError(f"{value!r} is not a local administrative unit (LAU) code")
    elif level == "Country":
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise InvalidAnswerError(f"{value!r} is not a country code")
    else:
        raise InvalidAnswerError(f"unknown jurisdiction level {level!r}")
    return code

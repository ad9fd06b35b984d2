"""Liberal readers of Evidence Broker and Data Service Directory answers (any prefix, both SR domains, API
1.x/2.0).

Built on the RegRep primitives of :mod:`oots_client.edm.regrep` and the hardened parser of
:mod:`oots_client.edm.xmlsafe`. A ``Failure`` answer becomes the typed error of its code (:mod:`.errors`),
except
``DSD:ERR:0005`` which is a result (:class:`AdditionalInputRequired`) the portal turns into questions.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Final

from lxml import etree

from oots_client.common_services.errors import CsProtocolError, error_for
from oots_client.common_services.model import (
    AccessService,
    AdditionalInputRequired,
    ClassificationConcept,
    ClassificationQuestion,
    DataServiceEvidenceType,
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
from oots_client.edm import namespaces as ns
from oots_client.edm import regrep as rr
from oots_client.edm.errors import EdmError
from oots_client.edm.model import LocalizedText
from oots_client.edm.xmlsafe import DEFAULT_MAX_BYTES, parse_xml

type Element = etree._Element

QUERY_RESPONSE: Final = ns.q(ns.QUERY, "QueryResponse")
REGISTRY_OBJECT_LIST: Final = ns.q(ns.RIM, "RegistryObjectList")
REGISTRY_OBJECT: Final = ns.q(ns.RIM, "RegistryObject")
ADDITIONAL_INPUT_CODE: Final = "DSD:ERR:0005"


@dataclass(frozen=True, slots=True)
class Answer:
    """A Common Services ``query:QueryResponse`` read at the RegRep level."""

    status: str  # Success | Failure | …
    specification: str | None  # the SpecificationIdentifier slot (``oots-cs:v2.0``), absent in API 1.x
    objects: tuple[Element, ...]  # the RegistryObjects
    exceptions: tuple[rr.RegRepException, ...]


def read_answer(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Answer:
    """Parse bytes into an :class:`Answer`; ``CsProtocolError`` when it is not a QueryResponse."""
    try:
        root = parse_xml(data, max_bytes=max_bytes)
    except EdmError as exc:
        raise CsProtocolError(f"the Common Services answer is not readable XML: {exc}") from None
    if root.tag != QUERY_RESPONSE:
        raise CsProtocolError(
            f"the Common Services answer is {etree.QName(root).localname}, not a QueryResponse"
        )
    specification = None
    spec_slot = rr.slots(root).get("SpecificationIdentifier")
    try:
        if spec_slot is not None:
            specification = rr.read_string(spec_slot) or None
        object_list = root.find(REGISTRY_OBJECT_LIST)
        objects = tuple(object_list.iterchildren(REGISTRY_OBJECT)) if object_list is not None else ()
        exceptions = tuple(rr.read_exceptions(root))
    except EdmError as exc:
        raise CsProtocolError(f"the Common Services answer is malformed: {exc}") from None
    return Answer(rr.response_status(root), specification, objects, exceptions)


def raise_for_failure(answer: Answer) -> None:
    """Raise the typed error of a ``Failure`` answer (the first exception decides)."""
    if answer.status == "Success":
        return
    if not answer.exceptions:
        raise CsProtocolError(
            f"the Common Services answered status {answer.status or '(none)'} without an exception"
        )
    first = answer.exceptions[0]
    raise error_for(first.code or "", first.message, first.detail, first.type)


# --- sdg readers ---------------------------------------------------------------------------------------


def _sdg(local: str) -> str:
    return ns.q(ns.SDG, local)


def _text(el: Element | None) -> str:
    if el is None:
        return ""
    return " ".join("".join(str(t) for t in el.itertext()).split())


def _first(parent: Element, local: str) -> str | None:
    text = _text(parent.find(_sdg(local)))
    return text or None


def _all(parent: Element, local: str) -> tuple[str, ...]:
    return tuple(t for t in (_text(c) for c in parent.iterchildren(_sdg(local))) if t)


def _texts(parent: Element, local: str) -> tuple[LocalizedText, ...]:
    return tuple(
        LocalizedText(_text(c), rr.lang_of(c).upper()) for c in parent.iterchildren(_sdg(local)) if _text(c)
    )


def _jurisdiction(el: Element | None) -> Jurisdiction | None:
    if el is None:
        return None
    country = _first(el, "AdminUnitLevel1")
    if country is None:
        return None
    return Jurisdiction(country, _first(el, "AdminUnitLevel2"), _first(el, "AdminUnitLevel3"))


def _identifier(parent: Element) -> tuple[str, str | None]:
    el = parent.find(_sdg("Identifier"))
    if el is None:
        return "", None
    return _text(el), el.get("schemeID")


def read_requirement(el: Element) -> Requirement:
    frameworks = tuple(
        ReferenceFramework(
            identifier=_first(rf, "Identifier") or "",
            titles=_texts(rf, "Title"),
            descriptions=_texts(rf, "Description"),
            procedure_codes=tuple(
                code
                for related in rf.iterchildren(_sdg("RelatedTo"))
                if (code := _first(related, "Identifier"))
            ),
            jurisdictions=tuple(j for j in map(_jurisdiction, rf.iterchildren(_sdg("Jurisdiction"))) if j),
        )
        for rf in el.iterchildren(_sdg("ReferenceFramework"))
    )
    return Requirement(
        identifier=_first(el, "Identifier") or "",
        names=_texts(el, "Name"),
        descriptions=_texts(el, "Description"),
        reference_frameworks=frameworks,
    )


def read_evidence_type_list(el: Element) -> EvidenceTypeList:
    return EvidenceTypeList(
        identifier=_first(el, "Identifier") or "",
        names=_texts(el, "Name"),
        evidence_types=tuple(
            EvidenceType(
                classification=_first(et, "EvidenceTypeClassification") or "",
                titles=_texts(et, "Title"),
                descriptions=_texts(et, "Description"),
                jurisdiction=_jurisdiction(et.find(_sdg("Jurisdiction"))),
            )
            for et in el.iterchildren(_sdg("EvidenceType"))
        ),
        jurisdiction=_jurisdiction(el.find(_sdg("Jurisdiction"))),
    )


def read_classification_concept(el: Element) -> ClassificationConcept:
    supported: list[str] = []
    for holder in el.iterchildren(_sdg("SupportedValue")):
        supported.extend(t for t in (_text(c) for c in holder if isinstance(c.tag, str)) if t)
    return ClassificationConcept(
        identifier=_first(el, "Identifier") or "",
        type=_first(el, "Type") or "",
        value_expression=_first(el, "ValueExpression") or "",
        descriptions=_texts(el, "Description"),
        supported_values=tuple(supported),
    )


def read_jurisdiction_determination(el: Element) -> JurisdictionDetermination:
    return JurisdictionDetermination(
        context_id=_first(el, "JurisdictionContextId") or "",
        contexts=_texts(el, "JurisdictionContext"),
        level=_first(el, "JurisdictionLevel") or "",
    )


def _publisher(el: Element | None) -> Publisher | None:
    if el is None:
        return None
    identifier, scheme = _identifier(el)
    address = el.find(_sdg("Address"))
    return Publisher(
        identifier=identifier,
        scheme_id=scheme,
        names=_texts(el, "Name"),
        country=_first(address, "AdminUnitLevel1") if address is not None else None,
        jurisdiction=_jurisdiction(el.find(_sdg("Jurisdiction"))),
        classification_concepts=tuple(
            map(read_classification_concept, el.iterchildren(_sdg("ClassificationConcept")))
        ),
    )


def read_data_service_evidence_type(el: Element) -> DataServiceEvidenceType:
    services = []
    for service in el.iterchildren(_sdg("AccessService")):
        identifier, scheme = _identifier(service)
        services.append(
            AccessService(
                identifier=identifier,
                scheme_id=scheme,
                conforms_to=_all(service, "ConformsTo"),
                publisher=_publisher(service.find(_sdg("Publisher"))),
                names=_texts(service, "Name"),
            )
        )
    # One access service may be listed once per EDM version it speaks (the v1.0 XSD allows one ConformsTo):
    # merge entries with the same party id and publisher.
    merged: dict[tuple[str, str | None, Publisher | None], AccessService] = {}
    for access in services:
        key = (access.identifier, access.scheme_id, access.publisher)
        if key in merged:
            known = merged[key]
            versions = known.conforms_to + tuple(v for v in access.conforms_to if v not in known.conforms_to)
            merged[key] = replace(known, conforms_to=versions)
        else:
            merged[key] = access
    determination = el.find(_sdg("EvidenceProviderJurisdictionDetermination"))
    return DataServiceEvidenceType(
        identifier=_first(el, "Identifier") or "",
        classification=_first(el, "EvidenceTypeClassification") or "",
        titles=_texts(el, "Title"),
        descriptions=_texts(el, "Description"),
        distributions=tuple(
            Distribution(
                format=_first(d, "Format") or "",
                conforms_to=_first(d, "ConformsTo"),
                transformation=_first(d, "Transformation"),
                languages=_all(d, "Language"),
            )
            for d in el.iterchildren(_sdg("DistributedAs"))
        ),
        access_services=tuple(merged.values()),
        level_of_assurance=_first(el, "AuthenticationLevelOfAssurance"),
        jurisdiction_determination=(
            read_jurisdiction_determination(determination) if determination is not None else None
        ),
        provider_classifications=tuple(
            map(read_classification_concept, el.iterchildren(_sdg("EvidenceProviderClassification")))
        ),
    )


def _slot_payloads(obj: Element, name: str) -> list[Element]:
    slot = rr.slots(obj).get(name)
    if slot is None:
        return []
    try:
        return rr.read_collection(slot)
    except EdmError as exc:
        raise CsProtocolError(f"slot {name} is malformed: {exc}") from None


# --- the three answers ------------------------------------------------------------------------------------


def requirements_from(answer: Answer) -> tuple[Requirement, ...]:
    """EB query 1: one ``Requirement`` slot per RegistryObject."""
    raise_for_failure(answer)
    return tuple(read_requirement(el) for obj in answer.objects for el in _slot_payloads(obj, "Requirement"))


def evidence_types_from(answer: Answer) -> EvidenceTypesResult:
    """EB query 2: the requirement and its evidence type lists (inside ``sdg:Requirement``, or, liberally,
    in a
    separate ``EvidenceTypeList`` slot as drafts of the TDD had it)."""
    raise_for_failure(answer)
    requirement: Requirement | None = None
    lists: list[EvidenceTypeList] = []
    for obj in answer.objects:
        for el in _slot_payloads(obj, "Requirement"):
            requirement = requirement or read_requirement(el)
            lists.extend(read_evidence_type_list(e) for e in el.iterchildren(_sdg("EvidenceTypeList")))
        lists.extend(read_evidence_type_list(e) for e in _slot_payloads(obj, "EvidenceTypeList"))
    if requirement is None:
        raise CsProtocolError("the Evidence Broker answer carries no Requirement")
    return EvidenceTypesResult(requirement, tuple(lists))


def data_services_from(answer: Answer) -> DataServicesResult | AdditionalInputRequired:
    """DSD query: the data services, or the ``DSD:ERR:0005`` questions (allowed values not loaded yet)."""
    if (
        answer.status != "Success"
        and answer.exceptions
        and answer.exceptions[0].code == ADDITIONAL_INPUT_CODE
    ):
        return additional_input_from(answer.exceptions[0])
    raise_for_failure(answer)
    return DataServicesResult(
        tuple(
            read_data_service_evidence_type(el)
            for obj in answer.objects
            for el in _slot_payloads(obj, "DataServiceEvidenceType")
        )
    )


def additional_input_from(exc: rr.RegRepException) -> AdditionalInputRequired:
    def payloads(name: str) -> list[Element]:
        slot = exc.slots.get(name)
        if slot is None:
            return []
        try:
            return rr.read_collection(slot)
        except EdmError as err:
            raise CsProtocolError(f"DSD:ERR:0005 slot {name} is malformed: {err}") from None

    evidence = payloads("DataServiceEvidenceType")
    jurisdiction = payloads("JurisdictionDetermination")
    concepts = payloads("UserRequestedClassificationConcepts")
    if not jurisdiction and not concepts:
        raise CsProtocolError(
            "DSD:ERR:0005 asks for nothing (no JurisdictionDetermination, no classification)"
        )
    return AdditionalInputRequired(
        evidence_type=(
            read_data_service_evidence_type(evidence[0]) if evidence else DataServiceEvidenceType("", "")
        ),
        jurisdiction=read_jurisdiction_determination(jurisdiction[0]) if jurisdiction else None,
        classification_questions=tuple(
            ClassificationQuestion(read_classification_concept(c)) for c in concepts
        ),
        message=exc.message,
    )

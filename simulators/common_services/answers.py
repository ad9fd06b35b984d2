"""RegRep answers of the simulated Evidence Broker and Data Service Directory (XML built with lxml).

Shapes follow the TDD samples and the real answers (DIGEST §5): one ``Requirement`` slot per RegistryObject;
one
RegistryObject with the requirement and its ``EvidenceTypeList`` s; one RegistryObject with one
``DataServiceEvidenceType`` (several providers are several ``AccessService`` s, rule R-DSD-RESP-S0015). API
2.0
answers start with the ``SpecificationIdentifier`` slot ``oots-cs:v2.0``; 1.x answers carry no slot.
"""

from __future__ import annotations

import uuid
from functools import cache
from typing import Any, Final

from lxml import etree

from oots_client.common_services import genericode
from oots_client.edm import namespaces as ns
from oots_client.edm import regrep as rr

SEVERITY_ADDITIONAL_INPUT: Final = (
    f"urn:{ns.SR_DOMAIN_NEW}:codes:ErrorSeverity:DSDErrorResponse:AdditionalInput"
)
_NSMAP: Final = {"query": ns.QUERY, "rim": ns.RIM, "rs": ns.RS, "sdg": ns.SDG, "xsi": ns.XSI}

ERROR_TYPES: Final = {
    "EB:ERR:0001": ("ObjectNotFoundExceptionType", "The result set is empty"),
    "EB:ERR:0002": (
        "ObjectNotFoundExceptionType",
        "The requirement requested, represented by the requirement id, does not exist",
    ),
    "EB:ERR:0003": (
        "InvalidRequestExceptionType",
        "The query parameters do not follow the query specification",
    ),
    "EB:ERR:0004": (
        "InvalidRequestExceptionType",
        "The jurisdiction level code query parameter is invalid or unknown",
    ),
    "EB:ERR:0005": (
        "InvalidRequestExceptionType",
        "The value of the procedure-id query parameter is invalid or unknown",
    ),
    "EB:ERR:0006": (
        "InvalidRequestExceptionType",
        "The value of the procedure implementation country query parameter is invalid or unknown",
    ),
    "EB:ERR:0007": ("InvalidRequestExceptionType", "The requested Query does not exist"),
    "DSD:ERR:0001": (
        "ObjectNotFoundExceptionType",
        "No Data Services were found based on the given parameters",
    ),
    "DSD:ERR:0002": ("ObjectNotFoundExceptionType", "The Evidence Type requested cannot be found"),
    "DSD:ERR:0003": (
        "InvalidRequestExceptionType",
        "The query parameters do not follow the query specification",
    ),
    "DSD:ERR:0004": ("InvalidRequestExceptionType", "The requested Query does not exist"),
    "DSD:ERR:0005": (
        "ObjectNotFoundExceptionType",
        "The query requires the included extra attributes to be provided by the user",
    ),
    "DSD:ERR:0006": ("InvalidRequestExceptionType", "Incorrect provided value for requested parameters"),
}

type Element = etree._Element


def _sdg(parent: Element, local: str, text: str | None = None, **attrs: str) -> Element:
    el = etree.SubElement(parent, ns.q(ns.SDG, local), attrs)
    if text is not None:
        el.text = text
    return el


def _texts(parent: Element, local: str, texts: dict[str, str]) -> None:
    for lang, value in texts.items():
        _sdg(parent, local, value, lang=lang)


def _jurisdiction(parent: Element, local: str, j: dict[str, str]) -> None:
    el = _sdg(parent, local)
    _sdg(el, "AdminUnitLevel1", j["country"])
    if j.get("nuts"):
        _sdg(el, "AdminUnitLevel2", j["nuts"])
    if j.get("lau"):
        _sdg(el, "AdminUnitLevel3", j["lau"])


def _response(status: str, v2: bool) -> Element:
    root = etree.Element(ns.q(ns.QUERY, "QueryResponse"), nsmap=_NSMAP)
    root.set("status", ns.STATUS_PREFIX + status)
    if v2:
        rr.add_string_slot(root, "SpecificationIdentifier", "oots-cs:v2.0")
    return root


def _object(root: Element, slot_name: str) -> Element:
    object_list = root.find(ns.q(ns.RIM, "RegistryObjectList"))
    if object_list is None:
        object_list = etree.SubElement(root, ns.q(ns.RIM, "RegistryObjectList"))
    obj = etree.SubElement(object_list, ns.q(ns.RIM, "RegistryObject"), id=f"urn:uuid:{uuid.uuid4()}")
    return rr.add_any_slot(obj, slot_name)


def serialise(root: Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def error(code: str, detail: str | None, *, v2: bool) -> bytes:
    root = _response("Failure", v2)
    xsi_type, message = ERROR_TYPES[code]
    exc = etree.SubElement(root, ns.q(ns.RS, "Exception"))
    exc.set(ns.XSI_TYPE, "rs:" + xsi_type)
    exc.set("severity", ns.SEVERITY_ERROR)
    exc.set("message", message)
    if detail:
        exc.set("detail", detail)
    exc.set("code", code)
    return serialise(root)


def _requirement(
    parent: Element, req: dict[str, Any], procedure_codes: list[str], countries: list[str]
) -> Element:
    el = _sdg(parent, "Requirement")
    _sdg(el, "Identifier", req["id"])
    _texts(el, "Name", req["names"])
    names = _procedure_names()
    for code in procedure_codes:
        for country in countries:
            rf = _sdg(el, "ReferenceFramework")
            _sdg(rf, "Identifier", str(uuid.uuid5(uuid.NAMESPACE_URL, f"oots-sim:{code}:{country}")))
            _sdg(rf, "Title", f"{names.get(code, code)} ({country})", lang="EN")
            related = _sdg(rf, "RelatedTo")
            _sdg(related, "Identifier", code)
            _jurisdiction(rf, "Jurisdiction", {"country": country})
    return el


@cache
def _procedure_names() -> dict[str, str]:
    """Procedure code → English name, from the shipped Procedures code list."""
    listed = genericode.bundled("Procedures-CodeList.gc")
    return {value.code: value.label("EN") for value in listed.values}


def requirements(reqs: list[tuple[dict[str, Any], list[str], list[str]]], *, v2: bool) -> bytes:
    root = _response("Success", v2)
    for req, codes, countries in reqs:
        _requirement(_object(root, "Requirement"), req, codes, countries)
    return serialise(root)


def evidence_types(req: dict[str, Any], lists: list[dict[str, Any]], country: str, *, v2: bool) -> bytes:
    root = _response("Success", v2)
    el = _requirement(_object(root, "Requirement"), req, req["procedures"], [country])
    for lst in lists:
        list_el = _sdg(el, "EvidenceTypeList")
        _sdg(list_el, "Identifier", lst["id"])
        _texts(list_el, "Name", lst["names"])
        for et in lst["types"]:
            et_el = _sdg(list_el, "EvidenceType")
            _sdg(et_el, "EvidenceTypeClassification", et["classification"])
            _texts(et_el, "Title", et["titles"])
            _texts(et_el, "Description", et["descriptions"])
            _jurisdiction(et_el, "Jurisdiction", {"country": country})
    return serialise(root)


def _concept(parent: Element, local: str, concept: dict[str, Any], value_list_url: str, values: bool) -> None:
    el = _sdg(parent, local)
    _sdg(el, "Identifier", concept["id"])
    _sdg(el, "Type", concept["type"])
    _sdg(el, "ValueExpression", value_list_url)
    _texts(el, "Description", concept["descriptions"])
    if values and concept.get("supported_values"):
        holder = _sdg(el, "SupportedValue")
        for value in concept["supported_values"]:
            _sdg(holder, "StringValue", value)


def _determination(parent: Element, det: dict[str, Any]) -> None:
    el = _sdg(parent, "EvidenceProviderJurisdictionDetermination")
    _sdg(el, "JurisdictionContextId", det["context_id"])
    _texts(el, "JurisdictionContext", det["contexts"])
    _sdg(el, "JurisdictionLevel", det["level"])


def _data_service_evidence_type(
    parent: Element,
    service: dict[str, Any],
    access_services: list[dict[str, Any]],
    value_list_url: Any,
    *,
    full: bool,
) -> None:
    el = _sdg(parent, "DataServiceEvidenceType")
    _sdg(el, "Identifier", service["id"])
    _sdg(el, "EvidenceTypeClassification", service["classification"])
    _texts(el, "Title", service["titles"])
    _texts(el, "Description", service["descriptions"])
    for dist in service["distributions"]:
        d = _sdg(el, "DistributedAs")
        _sdg(d, "Format", dist["format"])
        if dist.get("conforms_to"):
            _sdg(d, "ConformsTo", dist["conforms_to"])
    # The v1.0 XSD allows one ConformsTo per AccessService: a service speaking several EDM versions is listed
    # once per version (same identifier and publisher); the client merges them back.
    for access, version in ((a, v) for a in access_services for v in a["conforms_to"]):
        a = _sdg(el, "AccessService")
        _sdg(a, "Identifier", access["id"], schemeID=access["scheme"])
        _sdg(a, "ConformsTo", version)
        pub = access["publisher"]
        p = _sdg(a, "Publisher")
        _sdg(p, "Identifier", pub["id"], schemeID=pub["scheme"])
        _texts(p, "Name", pub["names"])
        address = _sdg(p, "Address")
        _sdg(address, "AdminUnitLevel1", pub["country"])
        _jurisdiction(p, "Jurisdiction", pub["jurisdiction"])
        for concept in pub.get("classification_concepts", []):
            _concept(p, "ClassificationConcept", concept, value_list_url(concept), values=True)
    _sdg(el, "AuthenticationLevelOfAssurance", service["level_of_assurance"])
    if full and service.get("jurisdiction_determination"):
        _determination(el, service["jurisdiction_determination"])
    if full:
        for concept in service.get("classification_concepts", []):
            _concept(el, "EvidenceProviderClassification", concept, value_list_url(concept), values=False)


def data_services(
    service: dict[str, Any], access_services: list[dict[str, Any]], value_list_url: Any, *, v2: bool
) -> bytes:
    root = _response("Success", v2)
    _data_service_evidence_type(
        _object(root, "DataServiceEvidenceType"), service, access_services, value_list_url, full=True
    )
    return serialise(root)


def additional_input(service: dict[str, Any], value_list_url: Any, *, v2: bool) -> bytes:
    """``DSD:ERR:0005`` with the DataServiceEvidenceType (no access service) and the question(s)."""
    root = _response("Failure", v2)
    exc = etree.SubElement(root, ns.q(ns.RS, "Exception"))
    exc.set(ns.XSI_TYPE, "rs:ObjectNotFoundExceptionType")
    exc.set("severity", SEVERITY_ADDITIONAL_INPUT)
    exc.set("message", ERROR_TYPES["DSD:ERR:0005"][1])
    asked = []
    if service.get("jurisdiction_determination"):
        asked.append("JurisdictionDetermination")
    if service.get("classification_concepts"):
        asked.append("UserRequestedClassificationConcepts")
    exc.set("detail", " and ".join(asked))
    exc.set("code", "DSD:ERR:0005")
    _data_service_evidence_type(
        rr.add_any_slot(exc, "DataServiceEvidenceType"), service, [], value_list_url, full=False
    )
    if service.get("jurisdiction_determination"):
        _determination(
            rr.add_any_slot(exc, "JurisdictionDetermination"), service["jurisdiction_determination"]
        )
    if service.get("classification_concepts"):
        collection = rr.add_collection_slot(exc, "UserRequestedClassificationConcepts")
        for concept in service["classification_concepts"]:
            _concept(
                rr.add_collection_element(collection),
                "EvidenceProviderClassification",
                concept,
                value_list_url(concept),
                values=False,
            )
    return serialise(root)

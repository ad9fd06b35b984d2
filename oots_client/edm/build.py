"""Builders: the typed model → canonical EDM XML of a chosen version.

Strict: every value that has a code list is checked exactly, identifiers must have their required form, and
anything the requested version cannot carry is left out only where the TDD says so (see each profile in
``oots_client.edm.versions``). Deterministic: the same model gives the same bytes (ids and times are part of
the model; pass them explicitly). Semantic Repository URIs are written in the new domain (DIGEST §9).
"""

from __future__ import annotations

import re
import uuid
from typing import Final

from lxml import etree

from oots_client.edm import codelists
from oots_client.edm import namespaces as ns
from oots_client.edm import regrep as rr
from oots_client.edm.errors import BuildError
from oots_client.edm.model import (
    Address,
    Agent,
    Distribution,
    EdmException,
    ErrorResponse,
    EvidenceItem,
    EvidenceRequest,
    EvidenceResponse,
    Identifier,
    LegalPerson,
    LocalizedText,
    NaturalPerson,
    ResponseStatus,
    SectorSpecificAttribute,
)
from oots_client.edm.versions import EdmVersion, ProcedureEncoding, get_version

type Element = etree._Element

_UUID: Final = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_URN_UUID: Final = re.compile(rf"urn:uuid:{_UUID}")
_BARE_UUID: Final = re.compile(_UUID)
_NSMAP: Final = {
    "query": ns.QUERY,
    "rim": ns.RIM,
    "rs": ns.RS,
    "sdg": ns.SDG,
    "xsi": ns.XSI,
    "xlink": ns.XLINK,
}


def _sdg(parent: Element, local: str, text: str | None = None, **attrs: str) -> Element:
    el = etree.SubElement(parent, f"{{{ns.SDG}}}{local}", attrs)
    if text is not None:
        el.text = text
    return el


def _opt(parent: Element, local: str, text: str | None) -> None:
    if text is not None:
        _sdg(parent, local, text)


def _sr(value: str) -> str:
    return ns.to_new_sr_domain(value.strip())


def _require(condition: bool, what: str, where: str) -> None:
    if not condition:
        raise BuildError(what, where)


def _check_code(value: str | None, allowed: frozenset[str], what: str, where: str) -> None:
    if value is not None:
        _require(value in allowed, f"{what} {value!r} is not in its code list", where)


def _texts(parent: Element, local: str, texts: tuple[LocalizedText, ...], where: str) -> None:
    for text in texts:
        _check_code(text.lang, codelists.languages(), "language", where)
        _sdg(parent, local, text.value, lang=text.lang)


def _identifier(parent: Element, local: str, identifier: Identifier) -> None:
    if identifier.scheme_id is None:
        _sdg(parent, local, identifier.value)
    else:
        _sdg(parent, local, identifier.value, schemeID=identifier.scheme_id)


def _address(parent: Element, local: str, address: Address, where: str) -> None:
    _require(address.admin_unit_level1 is not None, "an address needs AdminUnitLevel1 (country)", where)
    _check_code(address.admin_unit_level1, codelists.countries(), "country", where)
    el = _sdg(parent, local)
    _opt(el, "FullAddress", address.full_address)
    _opt(el, "LocatorDesignator", address.locator_designator)
    _opt(el, "PostCode", address.post_code)
    _opt(el, "PostCityName", address.post_city_name)
    _opt(el, "Thoroughfare", address.thoroughfare)
    _opt(el, "AdminUnitLevel1", address.admin_unit_level1)
    _opt(el, "AdminUnitLevel2", address.admin_unit_level2)


def _agent(parent: Element, agent: Agent, where: str, *, full: bool, local: str = "Agent") -> Element:
    """``sdg:Agent``; ``full=False`` writes only Identifier and Name (the slots typed 'Any → Agent')."""
    _require(bool(agent.names), "an agent needs a name", where)
    _require(
        codelists.is_organisation_scheme(agent.identifier.scheme_id),
        f"agent identifier scheme {agent.identifier.scheme_id!r} is neither EAS nor unregistered",
        where,
    )
    el = _sdg(parent, local)
    _identifier(el, "Identifier", agent.identifier)
    _texts(el, "Name", agent.names, where)
    if full:
        if agent.address is not None:
            _address(el, "Address", agent.address, where)
        _check_code(agent.classification, codelists.agent_classifications(), "agent classification", where)
        _opt(el, "Classification", agent.classification)
    return el


def _attributes(el: Element, attributes: tuple[SectorSpecificAttribute, ...]) -> None:
    for attribute in attributes:
        pair = _sdg(el, "SectorSpecificAttribute")
        _sdg(pair, "AttributeName", attribute.name)
        _sdg(pair, "AttributeURI", attribute.uri)
        _sdg(pair, "AttributeValue", attribute.value)


def _person(
    parent: Element, person: NaturalPerson, version: EdmVersion, where: str, *, local: str, need_loa: bool
) -> None:
    if need_loa:
        _require(person.level_of_assurance is not None, "LevelOfAssurance is mandatory", where)
    _check_code(person.level_of_assurance, codelists.levels_of_assurance(), "level of assurance", where)
    el = _sdg(parent, local)
    _opt(el, "LevelOfAssurance", person.level_of_assurance)
    if person.identifier is not None:
        _identifier(el, "Identifier", person.identifier)
    _sdg(el, "FamilyName", person.family_name)
    _sdg(el, "GivenName", person.given_name)
    _sdg(el, "DateOfBirth", person.date_of_birth.isoformat())
    _opt(el, "BirthName", person.birth_name)
    _opt(el, "PlaceOfBirth", person.place_of_birth)
    if person.current_address is not None:
        _address(el, "CurrentAddress", person.current_address, where)
    _require(person.gender in (None, "Male", "Female", "Unspecified"), f"gender {person.gender!r}", where)
    _opt(el, "Gender", person.gender)
    if version.person_extended_attributes:
        for country in (person.nationality, person.country_of_birth, person.country_of_residence):
            _check_code(country, codelists.countries(), "country", where)
        _opt(el, "Nationality", person.nationality)
        _opt(el, "CountryOfBirth", person.country_of_birth)
        _opt(el, "TownOfBirth", person.town_of_birth)
        _opt(el, "CountryOfResidence", person.country_of_residence)
        _opt(el, "PhoneNumber", person.phone_number)
        _opt(el, "EmailAddress", person.email_address)
    _attributes(el, person.sector_specific_attributes)


def _legal_person(parent: Element, person: LegalPerson, where: str, *, need_loa: bool) -> None:
    if need_loa:
        _require(person.level_of_assurance is not None, "LevelOfAssurance is mandatory", where)
    _check_code(person.level_of_assurance, codelists.levels_of_assurance(), "level of assurance", where)
    el = _sdg(parent, "LegalPerson")
    _opt(el, "LevelOfAssurance", person.level_of_assurance)
    for identifier in person.identifiers:
        _identifier(el, "Identifier", identifier)
    if person.legal_person_identifier is not None:
        _identifier(el, "LegalPersonIdentifier", person.legal_person_identifier)
    _sdg(el, "LegalName", person.legal_name)
    if person.registered_address is not None:
        _address(el, "RegisteredAddress", person.registered_address, where)
    _attributes(el, person.sector_specific_attributes)


def _distribution(parent: Element, local: str, dist: Distribution, where: str, *, languages: bool) -> None:
    _check_code(dist.format, codelists.media_types(), "media type", where)
    el = _sdg(parent, local)
    _sdg(el, "Format", dist.format)
    if languages:
        for language in dist.languages:
            _check_code(language, codelists.languages(), "language", where)
            _sdg(el, "Language", language)
    if dist.conforms_to is not None:
        _sdg(el, "ConformsTo", _sr(dist.conforms_to))
    if dist.transformation is not None:
        _sdg(el, "Transformation", _sr(dist.transformation))


def _new_root(local: str) -> Element:
    return etree.Element(f"{{{ns.QUERY}}}{local}", nsmap=_NSMAP)


def _serialise(root: Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- Evidence Request -----------------------------------------------------------------------------


def request_tree(request: EvidenceRequest, version: str | EdmVersion) -> Element:
    """The Evidence Request as an lxml tree (see :func:`build_request`)."""
    profile = get_version(version)
    _require(bool(_URN_UUID.fullmatch(request.request_id)), "request id must be urn:uuid:<UUID>", "/@id")
    _require(request.explicit_request_given, "ExplicitRequestGiven must be true before sending", "/")
    root = _new_root("QueryRequest")
    root.set("id", request.request_id)
    if profile.root_language:
        root.set(ns.XML_LANG, "EN")
    rr.add_string_slot(root, "SpecificationIdentifier", profile.identifier)
    rr.add_datetime_slot(root, "IssueDateTime", request.issue_datetime)
    if request.procedure is not None:
        _check_code(request.procedure, codelists.procedures(), "procedure", "Procedure")
        if profile.procedure_encoding is ProcedureEncoding.STRING:
            rr.add_string_slot(root, "Procedure", request.procedure)
        else:
            rr.add_international_string_slot(root, "Procedure", (LocalizedText(request.procedure, "EN"),))
    if request.preview_location is not None:
        _require(request.preview_location.startswith("https://"), "PreviewLocation must be https", "Preview")
        rr.add_string_slot(root, "PreviewLocation", request.preview_location)
    if request.return_location is not None and profile.return_location_slot:
        _require(request.return_location.startswith("https://"), "ReturnLocation must be https", "Return")
        rr.add_string_slot(root, "ReturnLocation", request.return_location)
    rr.add_boolean_slot(root, "PossibilityForPreview", request.possibility_for_preview)
    rr.add_boolean_slot(root, "ExplicitRequestGiven", request.explicit_request_given)
    if request.requirements:
        collection = rr.add_collection_slot(root, "Requirements")
        for requirement in request.requirements:
            _require(bool(requirement.names), "a requirement needs a name", "Requirements")
            el = _sdg(rr.add_collection_element(collection), "Requirement")
            _sdg(el, "Identifier", _sr(requirement.identifier))
            _texts(el, "Name", requirement.names, "Requirements")
            if profile.requirement_descriptions:
                _texts(el, "Description", requirement.descriptions, "Requirements")
    requesters = rr.add_collection_slot(root, "EvidenceRequester")
    _require(
        request.evidence_requester.classification == "ER", "EvidenceRequester must be classified ER", "ER"
    )
    _agent(rr.add_collection_element(requesters), request.evidence_requester, "EvidenceRequester", full=True)
    if request.intermediary_platform is not None:
        _require(
            request.intermediary_platform.classification == "IP", "intermediary must be classified IP", "IP"
        )
        _agent(
            rr.add_collection_element(requesters),
            request.intermediary_platform,
            "EvidenceRequester",
            full=True,
        )
    _agent(
        rr.add_any_slot(root, "EvidenceProvider"), request.evidence_provider, "EvidenceProvider", full=False
    )
    if request.evidence_provider_classifications:
        collection = rr.add_collection_slot(root, "EvidenceProviderClassification")
        for concept in request.evidence_provider_classifications:
            el = _sdg(rr.add_collection_element(collection), "EvidenceProviderClassification")
            _identifier(el, "Identifier", concept.identifier)
            _opt(el, "Type", concept.type)
            _opt(el, "ValueExpression", concept.value_expression)
            _texts(el, "Description", concept.descriptions, "EvidenceProviderClassification")
            _require(bool(concept.supported_values), "a classification needs the user's value", "EPC")
            supported = _sdg(el, "SupportedValue")
            for value in concept.supported_values:
                _sdg(supported, "StringValue", value)
    etree.SubElement(root, f"{{{ns.QUERY}}}ResponseOption", returnType=ns.RETURN_TYPE)
    query = etree.SubElement(root, f"{{{ns.QUERY}}}Query", queryDefinition=ns.QUERY_DEFINITION)
    subject = request.subject
    if isinstance(subject, NaturalPerson):
        _person(
            rr.add_any_slot(query, "NaturalPerson"),
            subject,
            profile,
            "NaturalPerson",
            local="Person",
            need_loa=True,
        )
    else:
        _legal_person(rr.add_any_slot(query, "LegalPerson"), subject, "LegalPerson", need_loa=True)
    if request.authorized_representative is not None:
        _person(
            rr.add_any_slot(query, "AuthorizedRepresentative"),
            request.authorized_representative,
            profile,
            "AuthorizedRepresentative",
            local="Person",
            need_loa=True,
        )
    evidence = request.evidence
    _require(bool(evidence.titles), "the evidence type needs a title", "EvidenceRequest")
    el = _sdg(rr.add_any_slot(query, "EvidenceRequest"), "DataServiceEvidenceType")
    _sdg(el, "Identifier", evidence.identifier)
    _sdg(el, "EvidenceTypeClassification", _sr(evidence.classification))
    _texts(el, "Title", evidence.titles, "EvidenceRequest")
    _texts(el, "Description", evidence.descriptions, "EvidenceRequest")
    _distribution(
        el,
        "DistributedAs",
        evidence.distribution,
        "EvidenceRequest",
        languages=profile.distribution_languages_in_request,
    )
    return root


def build_request(request: EvidenceRequest, version: str | EdmVersion) -> bytes:
    """The Evidence Request (``query:QueryRequest``) in EDM ``version`` (``oots-edm:v1.2``, ``v2.0``, …).

    Raises :class:`~oots_client.edm.errors.BuildError` when the model cannot make a valid message and
    :class:`~oots_client.edm.errors.UnsupportedVersionError` for an unknown version.
    """
    return _serialise(request_tree(request, version))


# --- Evidence Response and Error Response (what an Evidence Provider, e.g. a simulator, sends) ----


def _response_root(version: EdmVersion, status: ResponseStatus, request_id: str | None) -> Element:
    root = _new_root("QueryResponse")
    root.set("status", ns.STATUS_PREFIX + status.value)
    if request_id is not None:
        _require(bool(_URN_UUID.fullmatch(request_id)), "requestId must be urn:uuid:<UUID>", "/@requestId")
        root.set("requestId", request_id)
    rr.add_string_slot(root, "SpecificationIdentifier", version.identifier)
    return root


def _subject_in_evidence(parent: Element, subject: NaturalPerson | LegalPerson, version: EdmVersion) -> None:
    is_about = _sdg(parent, "IsAbout")
    if isinstance(subject, NaturalPerson):
        _person(is_about, subject, version, "IsAbout", local="NaturalPerson", need_loa=False)
    else:
        _legal_person(is_about, subject, "IsAbout", need_loa=False)


def _evidence_item(parent: Element, item: EvidenceItem, version: EdmVersion) -> None:
    _require(
        bool(_URN_UUID.fullmatch(item.registry_object_id)), "object id must be urn:uuid", "RegistryObject"
    )
    obj = etree.SubElement(
        parent,
        ns.q(ns.RIM, "RegistryObject"),
        {ns.XSI_TYPE: "rim:ExtrinsicObjectType"},
        id=item.registry_object_id,
    )
    meta = item.metadata
    evidence = _sdg(rr.add_any_slot(obj, "EvidenceMetadata"), "Evidence")
    _sdg(evidence, "Identifier", meta.identifier)
    _subject_in_evidence(evidence, meta.is_about, version)
    _agent(evidence, meta.issuing_authority, "IssuingAuthority", full=True, local="IssuingAuthority")
    conformant = _sdg(evidence, "IsConformantTo")
    _sdg(conformant, "EvidenceTypeClassification", _sr(meta.classification))
    _texts(conformant, "Title", meta.titles, "IsConformantTo")
    _texts(conformant, "Description", meta.descriptions, "IsConformantTo")
    _sdg(evidence, "IssuingDate", meta.issuing_date.isoformat())
    _distribution(evidence, "Distribution", meta.distribution, "Distribution", languages=True)
    if meta.validity_start is not None and meta.validity_end is not None:
        period = _sdg(evidence, "ValidityPeriod")
        _sdg(period, "StartDate", meta.validity_start.isoformat())
        _sdg(period, "EndDate", meta.validity_end.isoformat())
    if version.evidence_in_registry_package:
        # the Classification needs an id of its own; derived so that output stays deterministic
        etree.SubElement(
            obj,
            ns.q(ns.RIM, "Classification"),
            id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, item.registry_object_id)}",
            classificationScheme=ns.EDM_CLASSIFICATION_SCHEME,
            classificationNode=item.classification_node or "MainEvidence",
        )
    if item.attachment is not None:
        _require(
            item.attachment.href.startswith("cid:"), "attachment reference must be cid:", "RepositoryItemRef"
        )
        attrs = {ns.q(ns.XLINK, "href"): item.attachment.href}
        if item.attachment.title is not None:
            attrs[ns.q(ns.XLINK, "title")] = item.attachment.title
        etree.SubElement(obj, ns.q(ns.RIM, "RepositoryItemRef"), attrs)


def response_tree(response: EvidenceResponse, *, package_id: str | None = None) -> Element:
    """The Evidence Response as an lxml tree (see :func:`build_response`)."""
    version = get_version(response.version)
    _require(response.status is not ResponseStatus.FAILURE, "use build_error for Failure", "/@status")
    _require(
        bool(_BARE_UUID.fullmatch(response.response_id)), "EvidenceResponseIdentifier must be a UUID", "/"
    )
    root = _response_root(version, response.status, response.request_id)
    rr.add_string_slot(root, "EvidenceResponseIdentifier", response.response_id)
    if response.issue_datetime is not None:
        rr.add_datetime_slot(root, "IssueDateTime", response.issue_datetime)
    if response.evidence_provider is not None:
        providers = rr.add_collection_slot(root, "EvidenceProvider")
        _agent(
            rr.add_collection_element(providers), response.evidence_provider, "EvidenceProvider", full=True
        )
    if response.evidence_requester is not None:
        _agent(
            rr.add_any_slot(root, "EvidenceRequester"),
            response.evidence_requester,
            "EvidenceRequester",
            full=False,
        )
    if response.status is ResponseStatus.UNAVAILABLE:
        _require(response.response_available_datetime is not None, "Unavailable needs a date", "/")
    if response.response_available_datetime is not None:
        rr.add_datetime_slot(root, "ResponseAvailableDateTime", response.response_available_datetime)
    if response.status is ResponseStatus.SUCCESS:
        objects = etree.SubElement(root, ns.q(ns.RIM, "RegistryObjectList"))
        if version.evidence_in_registry_package and response.evidences:
            _require(package_id is not None, "v2.0 responses need a RegistryPackage id", "/")
            package = etree.SubElement(
                objects,
                ns.q(ns.RIM, "RegistryObject"),
                {ns.XSI_TYPE: "rim:RegistryPackageType"},
                id=str(package_id),
            )
            objects = etree.SubElement(package, ns.q(ns.RIM, "RegistryObjectList"))
        for item in response.evidences:
            _evidence_item(objects, item, version)
    return root


def build_response(response: EvidenceResponse, *, package_id: str | None = None) -> bytes:
    """A Success/Unavailable ``query:QueryResponse`` in ``response.version`` (for simulators and tests)."""
    return _serialise(response_tree(response, package_id=package_id))


def _exception(parent: Element, exc: EdmException) -> None:
    expected = codelists.edm_error_types().get(exc.code or "")
    _require(expected is not None, f"unknown EDM error code {exc.code!r}", "rs:Exception/@code")
    _require(expected == exc.type, f"{exc.code} must be sent as rs:{expected}", "rs:Exception/@xsi:type")
    _check_code(exc.severity, codelists.error_severities(), "severity", "rs:Exception/@severity")
    if exc.preview_location is not None:
        _require(exc.code == "EDM:ERR:0002", "a PreviewLocation needs EDM:ERR:0002", "rs:Exception")
        _require(exc.severity == ns.SEVERITY_PREVIEW_REQUIRED, "a PreviewLocation needs PreviewRequired", "")
        _require(exc.preview_location.startswith("https://"), "PreviewLocation must be https", "rs:Exception")
    elif exc.severity != ns.SEVERITY_ERROR:
        _require(exc.code == "EDM:ERR:0002", "only EDM:ERR:0002 may use another severity", "rs:Exception")
    _require(exc.preview_method in (None, "GET", "POST"), "PreviewMethod must be GET or POST", "rs:Exception")
    _require(exc.timestamp is not None, "an exception needs a Timestamp", "rs:Exception")
    attrs = {ns.XSI_TYPE: "rs:" + exc.type, "severity": exc.severity, "message": exc.message}
    if exc.detail is not None:
        attrs["detail"] = exc.detail
    attrs["code"] = exc.code or ""
    el = etree.SubElement(parent, rr.EXCEPTION, attrs)
    if exc.timestamp is not None:
        rr.add_datetime_slot(el, "Timestamp", exc.timestamp)
    if exc.preview_location is not None:
        rr.add_string_slot(el, "PreviewLocation", exc.preview_location)
    if exc.preview_description:
        rr.add_international_string_slot(el, "PreviewDescription", exc.preview_description)
    if exc.preview_method is not None:
        rr.add_string_slot(el, "PreviewMethod", exc.preview_method)


def error_tree(error: ErrorResponse) -> Element:
    version = get_version(error.version)
    _require(bool(error.exceptions), "an error response needs at least one exception", "/")
    root = _response_root(version, ResponseStatus.FAILURE, error.request_id)
    if error.request_id is None:
        # DIGEST §3.3: only an InvalidRequest error may lack the requestId
        _require(
            all(e.type == "InvalidRequestExceptionType" for e in error.exceptions),
            "requestId may only be missing for InvalidRequest errors",
            "/@requestId",
        )
    if error.response_id is not None:
        rr.add_string_slot(root, "EvidenceResponseIdentifier", error.response_id)
    if error.error_provider is not None:
        _agent(rr.add_any_slot(root, "ErrorProvider"), error.error_provider, "ErrorProvider", full=True)
    if error.evidence_requester is not None:
        _agent(
            rr.add_any_slot(root, "EvidenceRequester"),
            error.evidence_requester,
            "EvidenceRequester",
            full=False,
        )
    for exc in error.exceptions:
        _exception(root, exc)
    return root


def build_error(error: ErrorResponse) -> bytes:
    """A Failure ``query:QueryResponse`` in ``error.version`` (for simulators and tests)."""
    return _serialise(error_tree(error))

"""Builders: the typed model → canonical EDM XML of a chosen version.

Strict: every value that has a code list is checked exactly, identifiers must have their required form, and
anything the requested version cannot carry is left out only where the TDD says so (see each profile in
``oots_client.edm.versions``). Deterministic: the same model gives the same bytes (ids and times are part of
the model; pass them explicitly). Semantic Repository URIs are written in the new domain (DIGEST §9).

The XML is written as text, byte for byte what lxml's pretty-printing serialiser gave for the tree the
builders used to assemble (see :mod:`oots_client.edm.xmlwriter`), at a fraction of the cost. Each writer
appends to ``out`` and takes ``ind``, the line break and indentation of the element it writes (children go
two spaces deeper). ``xsd=True`` parses the text once with the hardened parser and validates that tree
against the version's XSD profile.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from typing import Final, cast
from urllib.parse import urlsplit

from lxml import etree

from oots_client.edm import codelists
from oots_client.edm import namespaces as ns
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
from oots_client.edm.regrep import format_datetime
from oots_client.edm.validate import xsd_schema
from oots_client.edm.versions import EdmVersion, ProcedureEncoding, get_version
from oots_client.edm.xmlsafe import parse_own, parse_xml
from oots_client.edm.xmlwriter import DECLARATION, attr, leaf, needs_text_escape

type Element = etree._Element

_UUID: Final = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_URN_UUID: Final = re.compile(rf"urn:uuid:{_UUID}")
_BARE_UUID: Final = re.compile(_UUID)
#: the namespace declarations of every root element, in this order (canonical output)
_NSMAP: Final = {
    "query": ns.QUERY,
    "rim": ns.RIM,
    "rs": ns.RS,
    "sdg": ns.SDG,
    "xsi": ns.XSI,
    "xlink": ns.XLINK,
}
_NS_DECLARATIONS: Final = "".join(f' xmlns:{prefix}="{uri}"' for prefix, uri in _NSMAP.items())


# --- RegRep slots (canonical prefixes) ------------------------------------------------------------

_COLLECTION_SET: Final = attr("collectionType", ns.COLLECTION_SET)


def _slot_open(out: list[str], ind: str, name: str, value_type: str, extra: str = "") -> str:
    """Open ``rim:Slot[@name]/rim:SlotValue[@xsi:type]``; returns the indentation of the value's content."""
    out.append(f'{ind}<rim:Slot name="{name}">{ind}  <rim:SlotValue xsi:type="rim:{value_type}"{extra}>')
    return ind + "    "


def _slot_close(out: list[str], ind: str) -> None:
    out.append(f"{ind}  </rim:SlotValue>{ind}</rim:Slot>")


def _value_slot(out: list[str], ind: str, name: str, value_type: str, value: str) -> None:
    out.append(
        f'{ind}<rim:Slot name="{name}">{ind}  <rim:SlotValue xsi:type="rim:{value_type}">'
        f"{ind}    {leaf('rim:Value', value)}{ind}  </rim:SlotValue>{ind}</rim:Slot>"
    )


def _string_slot(out: list[str], ind: str, name: str, value: str) -> None:
    _value_slot(out, ind, name, "StringValueType", value)


def _boolean_slot(out: list[str], ind: str, name: str, value: bool) -> None:
    _value_slot(out, ind, name, "BooleanValueType", "true" if value else "false")


def _datetime_slot(out: list[str], ind: str, name: str, value: dt.datetime) -> None:
    _value_slot(out, ind, name, "DateTimeValueType", format_datetime(value))


def _international_string_slot(out: list[str], ind: str, name: str, texts: tuple[LocalizedText, ...]) -> None:
    inner = _slot_open(out, ind, name, "InternationalStringValueType")
    strings = [
        f"{inner}  " + leaf("rim:LocalizedString", None, attr("xml:lang", t.lang) + attr("value", t.value))
        for t in texts
    ]
    out.append(
        f"{inner}<rim:Value>{''.join(strings)}{inner}</rim:Value>" if strings else f"{inner}<rim:Value/>"
    )
    _slot_close(out, ind)


def _collection_element_open(out: list[str], ind: str) -> str:
    """Open a collection's ``rim:Element xsi:type="rim:AnyValueType"``; returns its content's indentation."""
    out.append(f'{ind}<rim:Element xsi:type="rim:AnyValueType">')
    return ind + "  "


def _collection_element_close(out: list[str], ind: str) -> None:
    out.append(f"{ind}</rim:Element>")


# --- sdg content ----------------------------------------------------------------------------------


def _sdg(out: list[str], ind: str, local: str, text: str, attributes: str = "") -> None:
    """A text-only ``sdg:`` element."""
    if needs_text_escape(text) is None:  # the usual case, inlined: nothing to escape
        out.append(f"{ind}<sdg:{local}{attributes}>{text}</sdg:{local}>")
    else:
        out.append(ind + leaf("sdg:" + local, text, attributes))


def _opt(out: list[str], ind: str, local: str, text: str | None) -> None:
    if text is not None:
        _sdg(out, ind, local, text)


def _sr(value: str) -> str:
    return ns.to_new_sr_domain(value.strip())


_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def is_secure_location(url: str) -> bool:
    """Preview and return addresses must be https (DIGEST §10).

    The one exception is plain http to this machine's loopback interface: a demo or test set-up on one
    machine, where no address can leave the host and no real provider can be reached either.
    """
    parts = urlsplit(url)
    if parts.scheme == "https":
        return bool(parts.hostname)
    return parts.scheme == "http" and parts.hostname in _LOOPBACK_HOSTS


def _require(condition: bool, what: str, where: str) -> None:
    if not condition:
        raise BuildError(what, where)


def _check_code(value: str | None, allowed: frozenset[str], what: str, where: str) -> None:
    if value is not None:
        _require(value in allowed, f"{what} {value!r} is not in its code list", where)


def _texts(out: list[str], ind: str, local: str, texts: tuple[LocalizedText, ...], where: str) -> None:
    tag = "sdg:" + local
    languages = codelists.languages()
    for text in texts:
        _check_code(text.lang, languages, "language", where)
        out.append(ind + leaf(tag, text.value, attr("lang", text.lang)))


def _identifier(out: list[str], ind: str, local: str, identifier: Identifier) -> None:
    if identifier.scheme_id is None:
        _sdg(out, ind, local, identifier.value)
    else:
        _sdg(out, ind, local, identifier.value, attr("schemeID", identifier.scheme_id))


def _address(out: list[str], ind: str, local: str, address: Address, where: str) -> None:
    _require(address.admin_unit_level1 is not None, "an address needs AdminUnitLevel1 (country)", where)
    _check_code(address.admin_unit_level1, codelists.countries(), "country", where)
    inner = ind + "  "
    out.append(f"{ind}<sdg:{local}>")
    _opt(out, inner, "FullAddress", address.full_address)
    _opt(out, inner, "LocatorDesignator", address.locator_designator)
    _opt(out, inner, "PostCode", address.post_code)
    _opt(out, inner, "PostCityName", address.post_city_name)
    _opt(out, inner, "Thoroughfare", address.thoroughfare)
    _opt(out, inner, "AdminUnitLevel1", address.admin_unit_level1)
    _opt(out, inner, "AdminUnitLevel2", address.admin_unit_level2)
    out.append(f"{ind}</sdg:{local}>")


def _agent(out: list[str], ind: str, agent: Agent, where: str, *, full: bool, local: str = "Agent") -> None:
    """``sdg:Agent``; ``full=False`` writes only Identifier and Name (the slots typed 'Any → Agent')."""
    _require(bool(agent.names), "an agent needs a name", where)
    _require(
        codelists.is_organisation_scheme(agent.identifier.scheme_id),
        f"agent identifier scheme {agent.identifier.scheme_id!r} is neither EAS nor unregistered",
        where,
    )
    inner = ind + "  "
    out.append(f"{ind}<sdg:{local}>")
    _identifier(out, inner, "Identifier", agent.identifier)
    _texts(out, inner, "Name", agent.names, where)
    if full:
        if agent.address is not None:
            _address(out, inner, "Address", agent.address, where)
        _check_code(agent.classification, codelists.agent_classifications(), "agent classification", where)
        _opt(out, inner, "Classification", agent.classification)
    out.append(f"{ind}</sdg:{local}>")


def _attributes(out: list[str], ind: str, attributes: tuple[SectorSpecificAttribute, ...]) -> None:
    inner = ind + "  "
    for attribute in attributes:
        out.append(f"{ind}<sdg:SectorSpecificAttribute>")
        _sdg(out, inner, "AttributeName", attribute.name)
        _sdg(out, inner, "AttributeURI", attribute.uri)
        _sdg(out, inner, "AttributeValue", attribute.value)
        out.append(f"{ind}</sdg:SectorSpecificAttribute>")


def _person(
    out: list[str],
    ind: str,
    person: NaturalPerson,
    version: EdmVersion,
    where: str,
    *,
    local: str,
    need_loa: bool,
) -> None:
    if need_loa:
        _require(person.level_of_assurance is not None, "LevelOfAssurance is mandatory", where)
    _check_code(person.level_of_assurance, codelists.levels_of_assurance(), "level of assurance", where)
    inner = ind + "  "
    out.append(f"{ind}<sdg:{local}>")
    _opt(out, inner, "LevelOfAssurance", person.level_of_assurance)
    if person.identifier is not None:
        _identifier(out, inner, "Identifier", person.identifier)
    _sdg(out, inner, "FamilyName", person.family_name)
    _sdg(out, inner, "GivenName", person.given_name)
    _sdg(out, inner, "DateOfBirth", person.date_of_birth.isoformat())
    _opt(out, inner, "BirthName", person.birth_name)
    _opt(out, inner, "PlaceOfBirth", person.place_of_birth)
    if person.current_address is not None:
        _address(out, inner, "CurrentAddress", person.current_address, where)
    _require(person.gender in (None, "Male", "Female", "Unspecified"), f"gender {person.gender!r}", where)
    _opt(out, inner, "Gender", person.gender)
    if version.person_extended_attributes:
        for country in (person.nationality, person.country_of_birth, person.country_of_residence):
            _check_code(country, codelists.countries(), "country", where)
        _opt(out, inner, "Nationality", person.nationality)
        _opt(out, inner, "CountryOfBirth", person.country_of_birth)
        _opt(out, inner, "TownOfBirth", person.town_of_birth)
        _opt(out, inner, "CountryOfResidence", person.country_of_residence)
        _opt(out, inner, "PhoneNumber", person.phone_number)
        _opt(out, inner, "EmailAddress", person.email_address)
    _attributes(out, inner, person.sector_specific_attributes)
    out.append(f"{ind}</sdg:{local}>")


def _legal_person(out: list[str], ind: str, person: LegalPerson, where: str, *, need_loa: bool) -> None:
    if need_loa:
        _require(person.level_of_assurance is not None, "LevelOfAssurance is mandatory", where)
    _check_code(person.level_of_assurance, codelists.levels_of_assurance(), "level of assurance", where)
    inner = ind + "  "
    out.append(f"{ind}<sdg:LegalPerson>")
    _opt(out, inner, "LevelOfAssurance", person.level_of_assurance)
    for identifier in person.identifiers:
        _identifier(out, inner, "Identifier", identifier)
    if person.legal_person_identifier is not None:
        _identifier(out, inner, "LegalPersonIdentifier", person.legal_person_identifier)
    _sdg(out, inner, "LegalName", person.legal_name)
    if person.registered_address is not None:
        _address(out, inner, "RegisteredAddress", person.registered_address, where)
    _attributes(out, inner, person.sector_specific_attributes)
    out.append(f"{ind}</sdg:LegalPerson>")


def _distribution(
    out: list[str], ind: str, local: str, dist: Distribution, where: str, *, languages: bool
) -> None:
    _check_code(dist.format, codelists.media_types(), "media type", where)
    inner = ind + "  "
    out.append(f"{ind}<sdg:{local}>")
    _sdg(out, inner, "Format", dist.format)
    if languages:
        for language in dist.languages:
            _check_code(language, codelists.languages(), "language", where)
            _sdg(out, inner, "Language", language)
    if dist.conforms_to is not None:
        _sdg(out, inner, "ConformsTo", _sr(dist.conforms_to))
    if dist.transformation is not None:
        _sdg(out, inner, "Transformation", _sr(dist.transformation))
    out.append(f"{ind}</sdg:{local}>")


def _start(local: str, attributes: str) -> list[str]:
    """The output list of a document: declaration and root start tag (all namespaces declared there)."""
    return [f"{DECLARATION}<query:{local}{_NS_DECLARATIONS}{attributes}>"]


def _finish(out: list[str], local: str, version: EdmVersion, xsd: bool) -> bytes:
    out.append(f"\n</query:{local}>\n")
    data = "".join(out).encode("utf-8")
    if xsd:
        _check_xsd(data, version)
    return data


def _check_xsd(data: bytes, version: EdmVersion) -> None:
    """Parse the built text once (hardened parser) and validate that tree against the version's XSD."""
    schema = xsd_schema(version.xsd_profile)
    if not schema.validate(parse_own(data)):
        log = cast(Iterable[etree._LogEntry], schema.error_log)
        first = next(iter(log), None)
        raise BuildError(
            f"the built message fails the {version.short} XSD: {first.message if first else 'invalid'}",
            f"line {first.line}" if first else "/",
        )


# --- Evidence Request -----------------------------------------------------------------------------

_I1: Final = "\n  "  # children of the root
_I2: Final = "\n    "
_I3: Final = "\n      "


def _request(request: EvidenceRequest, profile: EdmVersion) -> list[str]:
    _require(bool(_URN_UUID.fullmatch(request.request_id)), "request id must be urn:uuid:<UUID>", "/@id")
    _require(request.explicit_request_given, "ExplicitRequestGiven must be true before sending", "/")
    out = _start(
        "QueryRequest", attr("id", request.request_id) + (' xml:lang="EN"' if profile.root_language else "")
    )
    _string_slot(out, _I1, "SpecificationIdentifier", profile.identifier)
    _datetime_slot(out, _I1, "IssueDateTime", request.issue_datetime)
    if request.procedure is not None:
        _check_code(request.procedure, codelists.procedures(), "procedure", "Procedure")
        if profile.procedure_encoding is ProcedureEncoding.STRING:
            _string_slot(out, _I1, "Procedure", request.procedure)
        else:
            _international_string_slot(out, _I1, "Procedure", (LocalizedText(request.procedure, "EN"),))
    if request.preview_location is not None:
        _require(is_secure_location(request.preview_location), "PreviewLocation must be https", "Preview")
        _string_slot(out, _I1, "PreviewLocation", request.preview_location)
    if request.return_location is not None and profile.return_location_slot:
        _require(is_secure_location(request.return_location), "ReturnLocation must be https", "Return")
        _string_slot(out, _I1, "ReturnLocation", request.return_location)
    _boolean_slot(out, _I1, "PossibilityForPreview", request.possibility_for_preview)
    _boolean_slot(out, _I1, "ExplicitRequestGiven", request.explicit_request_given)
    if request.requirements:
        inner = _slot_open(out, _I1, "Requirements", "CollectionValueType", _COLLECTION_SET)
        for requirement in request.requirements:
            _require(bool(requirement.names), "a requirement needs a name", "Requirements")
            el = _collection_element_open(out, inner)
            out.append(f"{el}<sdg:Requirement>")
            _sdg(out, el + "  ", "Identifier", _sr(requirement.identifier))
            _texts(out, el + "  ", "Name", requirement.names, "Requirements")
            if profile.requirement_descriptions:
                _texts(out, el + "  ", "Description", requirement.descriptions, "Requirements")
            out.append(f"{el}</sdg:Requirement>")
            _collection_element_close(out, inner)
        _slot_close(out, _I1)
    inner = _slot_open(out, _I1, "EvidenceRequester", "CollectionValueType", _COLLECTION_SET)
    _require(
        request.evidence_requester.classification == "ER", "EvidenceRequester must be classified ER", "ER"
    )
    el = _collection_element_open(out, inner)
    _agent(out, el, request.evidence_requester, "EvidenceRequester", full=True)
    _collection_element_close(out, inner)
    if request.intermediary_platform is not None:
        _require(
            request.intermediary_platform.classification == "IP", "intermediary must be classified IP", "IP"
        )
        el = _collection_element_open(out, inner)
        _agent(out, el, request.intermediary_platform, "EvidenceRequester", full=True)
        _collection_element_close(out, inner)
    _slot_close(out, _I1)
    inner = _slot_open(out, _I1, "EvidenceProvider", "AnyValueType")
    _agent(out, inner, request.evidence_provider, "EvidenceProvider", full=False)
    _slot_close(out, _I1)
    if request.evidence_provider_classifications:
        inner = _slot_open(out, _I1, "EvidenceProviderClassification", "CollectionValueType", _COLLECTION_SET)
        for concept in request.evidence_provider_classifications:
            el = _collection_element_open(out, inner)
            content = el + "  "
            out.append(f"{el}<sdg:EvidenceProviderClassification>")
            _identifier(out, content, "Identifier", concept.identifier)
            _opt(out, content, "Type", concept.type)
            _opt(out, content, "ValueExpression", concept.value_expression)
            _texts(out, content, "Description", concept.descriptions, "EvidenceProviderClassification")
            _require(bool(concept.supported_values), "a classification needs the user's value", "EPC")
            out.append(f"{content}<sdg:SupportedValue>")
            for value in concept.supported_values:
                _sdg(out, content + "  ", "StringValue", value)
            out.append(f"{content}</sdg:SupportedValue>{el}</sdg:EvidenceProviderClassification>")
            _collection_element_close(out, inner)
        _slot_close(out, _I1)
    out.append(_I1 + leaf("query:ResponseOption", None, attr("returnType", ns.RETURN_TYPE)))
    out.append(f"{_I1}<query:Query{attr('queryDefinition', ns.QUERY_DEFINITION)}>")
    subject = request.subject
    if isinstance(subject, NaturalPerson):
        inner = _slot_open(out, _I2, "NaturalPerson", "AnyValueType")
        _person(out, inner, subject, profile, "NaturalPerson", local="Person", need_loa=True)
    else:
        inner = _slot_open(out, _I2, "LegalPerson", "AnyValueType")
        _legal_person(out, inner, subject, "LegalPerson", need_loa=True)
    _slot_close(out, _I2)
    if request.authorized_representative is not None:
        inner = _slot_open(out, _I2, "AuthorizedRepresentative", "AnyValueType")
        _person(
            out,
            inner,
            request.authorized_representative,
            profile,
            "AuthorizedRepresentative",
            local="Person",
            need_loa=True,
        )
        _slot_close(out, _I2)
    evidence = request.evidence
    _require(bool(evidence.titles), "the evidence type needs a title", "EvidenceRequest")
    inner = _slot_open(out, _I2, "EvidenceRequest", "AnyValueType")
    content = inner + "  "
    out.append(f"{inner}<sdg:DataServiceEvidenceType>")
    _sdg(out, content, "Identifier", evidence.identifier)
    _sdg(out, content, "EvidenceTypeClassification", _sr(evidence.classification))
    _texts(out, content, "Title", evidence.titles, "EvidenceRequest")
    _texts(out, content, "Description", evidence.descriptions, "EvidenceRequest")
    _distribution(
        out,
        content,
        "DistributedAs",
        evidence.distribution,
        "EvidenceRequest",
        languages=profile.distribution_languages_in_request,
    )
    out.append(f"{inner}</sdg:DataServiceEvidenceType>")
    _slot_close(out, _I2)
    out.append(f"{_I1}</query:Query>")
    return out


def build_request(request: EvidenceRequest, version: str | EdmVersion, *, xsd: bool = False) -> bytes:
    """The Evidence Request (``query:QueryRequest``) in EDM ``version`` (``oots-edm:v1.2``, ``v2.0``, …).

    Raises :class:`~oots_client.edm.errors.BuildError` when the model cannot make a valid message (with
    ``xsd=True``, also when the result fails the version's XSD profile) and
    :class:`~oots_client.edm.errors.UnsupportedVersionError` for an unknown version.
    """
    profile = get_version(version)
    return _finish(_request(request, profile), "QueryRequest", profile, xsd)


def request_tree(request: EvidenceRequest, version: str | EdmVersion) -> Element:
    """The Evidence Request as an lxml tree: :func:`build_request`'s bytes, parsed."""
    return parse_xml(build_request(request, version))


# --- Evidence Response and Error Response (what an Evidence Provider, e.g. a simulator, sends) ----


def _response_start(version: EdmVersion, status: ResponseStatus, request_id: str | None) -> list[str]:
    attributes = attr("status", ns.STATUS_PREFIX + status.value)
    if request_id is not None:
        _require(bool(_URN_UUID.fullmatch(request_id)), "requestId must be urn:uuid:<UUID>", "/@requestId")
        attributes += attr("requestId", request_id)
    out = _start("QueryResponse", attributes)
    _string_slot(out, _I1, "SpecificationIdentifier", version.identifier)
    return out


def _subject_in_evidence(
    out: list[str], ind: str, subject: NaturalPerson | LegalPerson, version: EdmVersion
) -> None:
    out.append(f"{ind}<sdg:IsAbout>")
    if isinstance(subject, NaturalPerson):
        _person(out, ind + "  ", subject, version, "IsAbout", local="NaturalPerson", need_loa=False)
    else:
        _legal_person(out, ind + "  ", subject, "IsAbout", need_loa=False)
    out.append(f"{ind}</sdg:IsAbout>")


def _evidence_item(out: list[str], ind: str, item: EvidenceItem, version: EdmVersion) -> None:
    _require(
        bool(_URN_UUID.fullmatch(item.registry_object_id)), "object id must be urn:uuid", "RegistryObject"
    )
    # attribute order as lxml wrote it (keyword attributes first): id, then xsi:type
    out.append(
        f'{ind}<rim:RegistryObject{attr("id", item.registry_object_id)} xsi:type="rim:ExtrinsicObjectType">'
    )
    inner = ind + "  "
    meta = item.metadata
    value = _slot_open(out, inner, "EvidenceMetadata", "AnyValueType")
    content = value + "  "
    out.append(f"{value}<sdg:Evidence>")
    _sdg(out, content, "Identifier", meta.identifier)
    _subject_in_evidence(out, content, meta.is_about, version)
    _agent(out, content, meta.issuing_authority, "IssuingAuthority", full=True, local="IssuingAuthority")
    out.append(f"{content}<sdg:IsConformantTo>")
    _sdg(out, content + "  ", "EvidenceTypeClassification", _sr(meta.classification))
    _texts(out, content + "  ", "Title", meta.titles, "IsConformantTo")
    _texts(out, content + "  ", "Description", meta.descriptions, "IsConformantTo")
    out.append(f"{content}</sdg:IsConformantTo>")
    _sdg(out, content, "IssuingDate", meta.issuing_date.isoformat())
    _distribution(out, content, "Distribution", meta.distribution, "Distribution", languages=True)
    if meta.validity_start is not None and meta.validity_end is not None:
        out.append(f"{content}<sdg:ValidityPeriod>")
        _sdg(out, content + "  ", "StartDate", meta.validity_start.isoformat())
        _sdg(out, content + "  ", "EndDate", meta.validity_end.isoformat())
        out.append(f"{content}</sdg:ValidityPeriod>")
    out.append(f"{value}</sdg:Evidence>")
    _slot_close(out, inner)
    if version.evidence_in_registry_package:
        # the Classification needs an id of its own; derived so that output stays deterministic
        out.append(
            inner
            + leaf(
                "rim:Classification",
                None,
                attr("id", f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, item.registry_object_id)}")
                + attr("classificationScheme", ns.EDM_CLASSIFICATION_SCHEME)
                + attr("classificationNode", item.classification_node or "MainEvidence"),
            )
        )
    if item.attachment is not None:
        _require(
            item.attachment.href.startswith("cid:"), "attachment reference must be cid:", "RepositoryItemRef"
        )
        attributes = attr("xlink:href", item.attachment.href)
        if item.attachment.title is not None:
            attributes += attr("xlink:title", item.attachment.title)
        out.append(inner + leaf("rim:RepositoryItemRef", None, attributes))
    out.append(f"{ind}</rim:RegistryObject>")


def _response(response: EvidenceResponse, version: EdmVersion, package_id: str | None) -> list[str]:
    _require(response.status is not ResponseStatus.FAILURE, "use build_error for Failure", "/@status")
    _require(
        bool(_BARE_UUID.fullmatch(response.response_id)), "EvidenceResponseIdentifier must be a UUID", "/"
    )
    out = _response_start(version, response.status, response.request_id)
    _string_slot(out, _I1, "EvidenceResponseIdentifier", response.response_id)
    if response.issue_datetime is not None:
        _datetime_slot(out, _I1, "IssueDateTime", response.issue_datetime)
    if response.evidence_provider is not None:
        inner = _slot_open(out, _I1, "EvidenceProvider", "CollectionValueType", _COLLECTION_SET)
        el = _collection_element_open(out, inner)
        _agent(out, el, response.evidence_provider, "EvidenceProvider", full=True)
        _collection_element_close(out, inner)
        _slot_close(out, _I1)
    if response.evidence_requester is not None:
        inner = _slot_open(out, _I1, "EvidenceRequester", "AnyValueType")
        _agent(out, inner, response.evidence_requester, "EvidenceRequester", full=False)
        _slot_close(out, _I1)
    if response.status is ResponseStatus.UNAVAILABLE:
        _require(response.response_available_datetime is not None, "Unavailable needs a date", "/")
    if response.response_available_datetime is not None:
        _datetime_slot(out, _I1, "ResponseAvailableDateTime", response.response_available_datetime)
    if response.status is ResponseStatus.SUCCESS:
        if not response.evidences:
            out.append(f"{_I1}<rim:RegistryObjectList/>")
        elif version.evidence_in_registry_package:
            _require(package_id is not None, "v2.0 responses need a RegistryPackage id", "/")
            out.append(
                f"{_I1}<rim:RegistryObjectList>{_I2}<rim:RegistryObject{attr('id', str(package_id))}"
                f' xsi:type="rim:RegistryPackageType">{_I3}<rim:RegistryObjectList>'
            )
            for item in response.evidences:
                _evidence_item(out, _I3 + "  ", item, version)
            out.append(
                f"{_I3}</rim:RegistryObjectList>{_I2}</rim:RegistryObject>{_I1}</rim:RegistryObjectList>"
            )
        else:
            out.append(f"{_I1}<rim:RegistryObjectList>")
            for item in response.evidences:
                _evidence_item(out, _I2, item, version)
            out.append(f"{_I1}</rim:RegistryObjectList>")
    return out


def build_response(response: EvidenceResponse, *, package_id: str | None = None, xsd: bool = False) -> bytes:
    """A Success/Unavailable ``query:QueryResponse`` in ``response.version`` (for simulators and tests)."""
    version = get_version(response.version)
    return _finish(_response(response, version, package_id), "QueryResponse", version, xsd)


def response_tree(response: EvidenceResponse, *, package_id: str | None = None) -> Element:
    """The Evidence Response as an lxml tree: :func:`build_response`'s bytes, parsed."""
    return parse_xml(build_response(response, package_id=package_id))


def _exception(out: list[str], exc: EdmException) -> None:
    expected = codelists.edm_error_types().get(exc.code or "")
    _require(expected is not None, f"unknown EDM error code {exc.code!r}", "rs:Exception/@code")
    _require(expected == exc.type, f"{exc.code} must be sent as rs:{expected}", "rs:Exception/@xsi:type")
    _check_code(exc.severity, codelists.error_severities(), "severity", "rs:Exception/@severity")
    if exc.preview_location is not None:
        _require(exc.code == "EDM:ERR:0002", "a PreviewLocation needs EDM:ERR:0002", "rs:Exception")
        _require(exc.severity == ns.SEVERITY_PREVIEW_REQUIRED, "a PreviewLocation needs PreviewRequired", "")
        _require(is_secure_location(exc.preview_location), "PreviewLocation must be https", "rs:Exception")
    elif exc.severity != ns.SEVERITY_ERROR:
        _require(exc.code == "EDM:ERR:0002", "only EDM:ERR:0002 may use another severity", "rs:Exception")
    _require(exc.preview_method in (None, "GET", "POST"), "PreviewMethod must be GET or POST", "rs:Exception")
    _require(exc.timestamp is not None, "an exception needs a Timestamp", "rs:Exception")
    attributes = attr("xsi:type", "rs:" + exc.type) + attr("severity", exc.severity)
    attributes += attr("message", exc.message)
    if exc.detail is not None:
        attributes += attr("detail", exc.detail)
    attributes += attr("code", exc.code or "")
    out.append(f"{_I1}<rs:Exception{attributes}>")
    if exc.timestamp is not None:
        _datetime_slot(out, _I2, "Timestamp", exc.timestamp)
    if exc.preview_location is not None:
        _string_slot(out, _I2, "PreviewLocation", exc.preview_location)
    if exc.preview_description:
        _international_string_slot(out, _I2, "PreviewDescription", exc.preview_description)
    if exc.preview_method is not None:
        _string_slot(out, _I2, "PreviewMethod", exc.preview_method)
    out.append(f"{_I1}</rs:Exception>")


def _error(error: ErrorResponse, version: EdmVersion) -> list[str]:
    _require(bool(error.exceptions), "an error response needs at least one exception", "/")
    out = _response_start(version, ResponseStatus.FAILURE, error.request_id)
    if error.request_id is None:
        # DIGEST §3.3: only an InvalidRequest error may lack the requestId
        _require(
            all(e.type == "InvalidRequestExceptionType" for e in error.exceptions),
            "requestId may only be missing for InvalidRequest errors",
            "/@requestId",
        )
    if error.response_id is not None:
        _string_slot(out, _I1, "EvidenceResponseIdentifier", error.response_id)
    if error.error_provider is not None:
        inner = _slot_open(out, _I1, "ErrorProvider", "AnyValueType")
        _agent(out, inner, error.error_provider, "ErrorProvider", full=True)
        _slot_close(out, _I1)
    if error.evidence_requester is not None:
        inner = _slot_open(out, _I1, "EvidenceRequester", "AnyValueType")
        _agent(out, inner, error.evidence_requester, "EvidenceRequester", full=False)
        _slot_close(out, _I1)
    for exc in error.exceptions:
        _exception(out, exc)
    return out


def build_error(error: ErrorResponse, *, xsd: bool = False) -> bytes:
    """A Failure ``query:QueryResponse`` in ``error.version`` (for simulators and tests)."""
    version = get_version(error.version)
    return _finish(_error(error, version), "QueryResponse", version, xsd)


def error_tree(error: ErrorResponse) -> Element:
    """The Error Response as an lxml tree: :func:`build_error`'s bytes, parsed."""
    return parse_xml(build_error(error))

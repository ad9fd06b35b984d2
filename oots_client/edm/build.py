"""Builders: the typed model → canonical EDM XML of a chosen version.

Strict: every value that has a code list is checked exactly, identifiers must have their required form, and
anything the requested version cannot carry is left out only where the TDD says so (see each profile in
``oots_client.edm.versions``). Deterministic: the same model gives the same bytes (ids and times are part of
the model; pass them explicitly). Semantic Repository URIs are written in the new domain (DIGEST §9).

The XML is written as text, byte for byte what lxml's pretty-printing serialiser gave for the tree the
builders used to assemble (see :mod:`oots_client.edm.xmlwriter`), at a fraction of the cost. Each writer
appends to ``out`` and takes ``ind``, the line break and indentation of the element it writes (children go
two spaces deeper). ``out`` alternates markup and the model's values, which are written raw and escaped
all at once when the document is finished; the fixed markup (slot wrappers, the tags of a person, an agent,
an address at a given depth) is computed once. ``xsd=True`` parses the text once with the hardened parser
and validates that tree against the version's XSD profile.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from functools import cache
from typing import Final, cast

from lxml import etree

from oots_client.edm import codelists
from oots_client.edm import namespaces as ns
from oots_client.edm.errors import BuildError
from oots_client.edm.locations import is_secure_location
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
from oots_client.edm.xmlwriter import DECLARATION, attr, escape_values, leaf

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


# --- writing ---------------------------------------------------------------------------------------
#
# ``out`` alternates markup (even positions) and values from the model (odd positions), which are written raw
# and escaped all at once by ``escape_values`` in ``_finish`` (see oots_client.edm.xmlwriter): every write
# below appends pairs, a markup-only piece with the empty value "". Values we produce ourselves and that
# never need escaping (dates, booleans, the version identifier) go into the values too, for uniformity.

type Out = list[str]

_COLLECTION_SET: Final = attr("collectionType", ns.COLLECTION_SET)


def _slot_open(out: Out, ind: str, name: str, value_type: str, extra: str = "") -> str:
    """Open ``rim:Slot[@name]/rim:SlotValue[@xsi:type]``; returns the indentation of the value's content."""
    out += (f'{ind}<rim:Slot name="{name}">{ind}  <rim:SlotValue xsi:type="rim:{value_type}"{extra}>', "")
    return ind + "    "


def _slot_close(out: Out, ind: str) -> None:
    out += (f"{ind}  </rim:SlotValue>{ind}</rim:Slot>", "")


@cache
def _value_slot_tags(ind: str, name: str, value_type: str) -> tuple[str, str]:
    start = f'{ind}<rim:Slot name="{name}">{ind}  <rim:SlotValue xsi:type="rim:{value_type}">{ind}    '
    return start + "<rim:Value>", f"</rim:Value>{ind}  </rim:SlotValue>{ind}</rim:Slot>"


def _value_slot(out: Out, ind: str, name: str, value_type: str, value: str) -> None:
    start, end = _value_slot_tags(ind, name, value_type)
    out += (start, value, end, "")


def _string_slot(out: Out, ind: str, name: str, value: str) -> None:
    _value_slot(out, ind, name, "StringValueType", value)


def _boolean_slot(out: Out, ind: str, name: str, value: bool) -> None:
    _value_slot(out, ind, name, "BooleanValueType", "true" if value else "false")


def _datetime_slot(out: Out, ind: str, name: str, value: dt.datetime) -> None:
    _value_slot(out, ind, name, "DateTimeValueType", format_datetime(value))


def _international_string_slot(out: Out, ind: str, name: str, texts: tuple[LocalizedText, ...]) -> None:
    inner = _slot_open(out, ind, name, "InternationalStringValueType")
    if not texts:
        out += (f"{inner}<rim:Value/>", "")
    else:
        out += (f"{inner}<rim:Value>", "")
        for text in texts:
            out += (
                f'{inner}  <rim:LocalizedString xml:lang="',
                text.lang,
                '" value="',
                text.value,
                '"/>',
                "",
            )
        out += (f"{inner}</rim:Value>", "")
    _slot_close(out, ind)


def _collection_element_open(out: Out, ind: str) -> str:
    """Open a collection's ``rim:Element xsi:type="rim:AnyValueType"``; returns its content's indentation."""
    out += (f'{ind}<rim:Element xsi:type="rim:AnyValueType">', "")
    return ind + "  "


def _collection_element_close(out: Out, ind: str) -> None:
    out += (f"{ind}</rim:Element>", "")


# --- sdg content ----------------------------------------------------------------------------------


def _sdg(out: Out, ind: str, local: str, text: str) -> None:
    """A text-only ``sdg:`` element."""
    out += (f"{ind}<sdg:{local}>", text, f"</sdg:{local}>", "")


def _opt(out: Out, ind: str, local: str, text: str | None) -> None:
    if text is not None:
        out += (f"{ind}<sdg:{local}>", text, f"</sdg:{local}>", "")


def _sr(value: str) -> str:
    return ns.to_new_sr_domain(value.strip())


def _require(condition: bool, what: str, where: str) -> None:
    if not condition:
        raise BuildError(what, where)


def _check_code(value: str | None, allowed: frozenset[str], what: str, where: str) -> None:
    if value is not None and value not in allowed:
        raise BuildError(f"{what} {value!r} is not in its code list", where)


@cache
def _text_tags(ind: str, local: str) -> tuple[str, str]:
    return f'{ind}<sdg:{local} lang="', f"</sdg:{local}>"


def _texts(out: Out, ind: str, local: str, texts: tuple[LocalizedText, ...], where: str) -> None:
    if not texts:
        return
    languages = codelists.languages()
    start, end = _text_tags(ind, local)
    for text in texts:
        if text.lang not in languages:
            _check_code(text.lang, languages, "language", where)
        out += (start, text.lang, '">', text.value, end, "")


def _identifier(out: Out, ind: str, local: str, identifier: Identifier) -> None:
    if identifier.scheme_id is None:
        out += (f"{ind}<sdg:{local}>", identifier.value, f"</sdg:{local}>", "")
    else:
        out += (
            f'{ind}<sdg:{local} schemeID="',
            identifier.scheme_id,
            '">',
            identifier.value,
            f"</sdg:{local}>",
            "",
        )


# The markup of the compound elements, by indentation and name: computed once, then only looked up.


@cache
def _address_tags(ind: str, local: str) -> tuple[str, ...]:
    inner = ind + "  "
    names = "FullAddress LocatorDesignator PostCode PostCityName Thoroughfare AdminUnitLevel1 AdminUnitLevel2"
    return (
        f"{ind}<sdg:{local}>",
        *(f"{inner}<sdg:{name}>" for name in names.split()),
        f"{ind}</sdg:{local}>",
    )


def _address(out: Out, ind: str, local: str, address: Address, where: str) -> None:
    country = address.admin_unit_level1
    _require(country is not None, "an address needs AdminUnitLevel1 (country)", where)
    _check_code(country, codelists.countries(), "country", where)
    start, full, locator, post_code, city, street, level1, level2, end = _address_tags(ind, local)
    out += (start, "")
    if address.full_address is not None:
        out += (full, address.full_address, "</sdg:FullAddress>", "")
    if address.locator_designator is not None:
        out += (locator, address.locator_designator, "</sdg:LocatorDesignator>", "")
    if address.post_code is not None:
        out += (post_code, address.post_code, "</sdg:PostCode>", "")
    if address.post_city_name is not None:
        out += (city, address.post_city_name, "</sdg:PostCityName>", "")
    if address.thoroughfare is not None:
        out += (street, address.thoroughfare, "</sdg:Thoroughfare>", "")
    if address.admin_unit_level2 is not None:
        level2_value = address.admin_unit_level2
        out += (level1, country or "", "</sdg:AdminUnitLevel1>" + level2, level2_value)
        out += ("</sdg:AdminUnitLevel2>" + end, "")
    else:
        out += (level1, country or "", "</sdg:AdminUnitLevel1>" + end, "")


@cache
def _agent_tags(ind: str, local: str) -> tuple[str, str, str, str]:
    """Start tag and identifier, the indentation of the content, the classification, the end tag."""
    inner = ind + "  "
    start = f'{ind}<sdg:{local}>{inner}<sdg:Identifier schemeID="'
    return start, inner, f"{inner}<sdg:Classification>", f"{ind}</sdg:{local}>"


@cache
def _is_organisation_scheme(scheme_id: str | None) -> bool:
    return codelists.is_organisation_scheme(scheme_id)


def _agent(out: Out, ind: str, agent: Agent, where: str, full: bool, local: str = "Agent") -> None:
    """``sdg:Agent``; ``full=False`` writes only Identifier and Name (the slots typed 'Any → Agent')."""
    _require(bool(agent.names), "an agent needs a name", where)
    identifier = agent.identifier
    scheme = identifier.scheme_id
    if not _is_organisation_scheme(scheme):
        raise BuildError(f"agent identifier scheme {scheme!r} is neither EAS nor unregistered", where)
    start, inner, classification, end = _agent_tags(ind, local)
    out += (start, scheme or "", '">', identifier.value, "</sdg:Identifier>", "")
    _texts(out, inner, "Name", agent.names, where)
    if full:
        if agent.address is not None:
            _address(out, inner, "Address", agent.address, where)
        if agent.classification is not None:
            _check_code(
                agent.classification, codelists.agent_classifications(), "agent classification", where
            )
            out += (classification, agent.classification, "</sdg:Classification>" + end, "")
            return
    out += (end, "")


def _attributes(out: Out, ind: str, attributes: tuple[SectorSpecificAttribute, ...]) -> None:
    inner = ind + "  "
    for attribute in attributes:
        out += (
            f"{ind}<sdg:SectorSpecificAttribute>{inner}<sdg:AttributeName>",
            attribute.name,
            f"</sdg:AttributeName>{inner}<sdg:AttributeURI>",
            attribute.uri,
            f"</sdg:AttributeURI>{inner}<sdg:AttributeValue>",
            attribute.value,
            f"</sdg:AttributeValue>{ind}</sdg:SectorSpecificAttribute>",
            "",
        )


_GENDERS: Final = (None, "Male", "Female", "Unspecified")


@cache
def _person_tags(ind: str, local: str) -> tuple[str, ...]:
    inner = ind + "  "
    return (
        f"{ind}<sdg:{local}>{inner}<sdg:LevelOfAssurance>",
        f"{ind}<sdg:{local}>",
        inner,
        f"{inner}<sdg:FamilyName>",
        f"</sdg:FamilyName>{inner}<sdg:GivenName>",
        f"</sdg:GivenName>{inner}<sdg:DateOfBirth>",
        f"{inner}<sdg:BirthName>",
        f"{inner}<sdg:PlaceOfBirth>",
        f"{inner}<sdg:Gender>",
        f"{ind}</sdg:{local}>",
    )


def _person(
    out: Out, ind: str, person: NaturalPerson, version: EdmVersion, where: str, local: str, need_loa: bool
) -> None:
    loa = person.level_of_assurance
    if need_loa:
        _require(loa is not None, "LevelOfAssurance is mandatory", where)
    start_loa, start, inner, family, given, birth, birth_name, place, gender_tag, end = _person_tags(
        ind, local
    )
    if loa is not None:
        _check_code(loa, codelists.levels_of_assurance(), "level of assurance", where)
        out += (start_loa, loa, "</sdg:LevelOfAssurance>", "")
    else:
        out += (start, "")
    if person.identifier is not None:
        _identifier(out, inner, "Identifier", person.identifier)
    out += (family, person.family_name, given, person.given_name, birth, person.date_of_birth.isoformat())
    out += ("</sdg:DateOfBirth>", "")
    if person.birth_name is not None:
        out += (birth_name, person.birth_name, "</sdg:BirthName>", "")
    if person.place_of_birth is not None:
        out += (place, person.place_of_birth, "</sdg:PlaceOfBirth>", "")
    if person.current_address is not None:
        _address(out, inner, "CurrentAddress", person.current_address, where)
    gender = person.gender
    _require(gender in _GENDERS, f"gender {gender!r}", where)
    if gender is not None:
        out += (gender_tag, gender, "</sdg:Gender>", "")
    if version.person_extended_attributes:
        for country in (person.nationality, person.country_of_birth, person.country_of_residence):
            _check_code(country, codelists.countries(), "country", where)
        _opt(out, inner, "Nationality", person.nationality)
        _opt(out, inner, "CountryOfBirth", person.country_of_birth)
        _opt(out, inner, "TownOfBirth", person.town_of_birth)
        _opt(out, inner, "CountryOfResidence", person.country_of_residence)
        _opt(out, inner, "PhoneNumber", person.phone_number)
        _opt(out, inner, "EmailAddress", person.email_address)
    if person.sector_specific_attributes:
        _attributes(out, inner, person.sector_specific_attributes)
    out += (end, "")


def _legal_person(out: Out, ind: str, person: LegalPerson, where: str, *, need_loa: bool) -> None:
    if need_loa:
        _require(person.level_of_assurance is not None, "LevelOfAssurance is mandatory", where)
    _check_code(person.level_of_assurance, codelists.levels_of_assurance(), "level of assurance", where)
    inner = ind + "  "
    out += (f"{ind}<sdg:LegalPerson>", "")
    _opt(out, inner, "LevelOfAssurance", person.level_of_assurance)
    for identifier in person.identifiers:
        _identifier(out, inner, "Identifier", identifier)
    if person.legal_person_identifier is not None:
        _identifier(out, inner, "LegalPersonIdentifier", person.legal_person_identifier)
    _sdg(out, inner, "LegalName", person.legal_name)
    if person.registered_address is not None:
        _address(out, inner, "RegisteredAddress", person.registered_address, where)
    _attributes(out, inner, person.sector_specific_attributes)
    out += (f"{ind}</sdg:LegalPerson>", "")


def _distribution(out: Out, ind: str, local: str, dist: Distribution, where: str, *, languages: bool) -> None:
    _check_code(dist.format, codelists.media_types(), "media type", where)
    inner = ind + "  "
    out += (f"{ind}<sdg:{local}>{inner}<sdg:Format>", dist.format, "</sdg:Format>", "")
    if languages:
        for language in dist.languages:
            _check_code(language, codelists.languages(), "language", where)
            _sdg(out, inner, "Language", language)
    if dist.conforms_to is not None:
        _sdg(out, inner, "ConformsTo", _sr(dist.conforms_to))
    if dist.transformation is not None:
        _sdg(out, inner, "Transformation", _sr(dist.transformation))
    out += (f"{ind}</sdg:{local}>", "")


def _start(local: str, attributes: str = "") -> Out:
    """The output of a document: the declaration and the root start tag (all namespaces declared there) up to
    and including ``attributes`` (already escaped); the caller adds the other attributes and the ``>``."""
    return [f"{DECLARATION}<query:{local}{_NS_DECLARATIONS}{attributes}", ""]


def _finish(out: Out, local: str, version: EdmVersion, xsd: bool) -> bytes:
    out += (f"\n</query:{local}>\n", "")
    escape_values(out)
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
_RESPONSE_OPTION_AND_QUERY: Final = (
    f"{_I1}{leaf('query:ResponseOption', None, attr('returnType', ns.RETURN_TYPE))}"
    f"{_I1}<query:Query{attr('queryDefinition', ns.QUERY_DEFINITION)}>"
)
_PROCEDURE_START: Final = (
    f'{_I1}<rim:Slot name="Procedure">{_I1}  <rim:SlotValue xsi:type="rim:InternationalStringValueType">'
    f'{_I1}    <rim:Value>{_I1}      <rim:LocalizedString xml:lang="EN" value="'
)
_PROCEDURE_END: Final = f'"/>{_I1}    </rim:Value>{_I1}  </rim:SlotValue>{_I1}</rim:Slot>'


# the fixed markup of the request, written once
_IN_SLOT: Final = _I1 + "    "  # content of a root slot's value
_IN_ELEMENT: Final = _IN_SLOT + "  "  # content of a rim:Element of a root collection slot
_IN_QUERY_SLOT: Final = _I2 + "    "  # content of a query slot's value
_ELEMENT_START: Final = f'{_IN_SLOT}<rim:Element xsi:type="rim:AnyValueType">'
_ELEMENT_END: Final = f"{_IN_SLOT}</rim:Element>"
_ROOT_SLOT_END: Final = f"{_I1}  </rim:SlotValue>{_I1}</rim:Slot>"
_QUERY_SLOT_END: Final = f"{_I2}  </rim:SlotValue>{_I2}</rim:Slot>"


def _slot_start(ind: str, name: str, value_type: str, extra: str = "") -> str:
    return f'{ind}<rim:Slot name="{name}">{ind}  <rim:SlotValue xsi:type="rim:{value_type}"{extra}>'


_REQUIREMENTS_START: Final = (
    _slot_start(_I1, "Requirements", "CollectionValueType", _COLLECTION_SET)
    + f"{_ELEMENT_START}{_IN_ELEMENT}<sdg:Requirement>{_IN_ELEMENT}  <sdg:Identifier>"
)
_REQUIREMENT_NEXT: Final = (
    f"{_IN_ELEMENT}</sdg:Requirement>{_ELEMENT_END}{_ELEMENT_START}"
    f"{_IN_ELEMENT}<sdg:Requirement>{_IN_ELEMENT}  <sdg:Identifier>"
)
_REQUIREMENTS_END: Final = f"{_IN_ELEMENT}</sdg:Requirement>{_ELEMENT_END}{_ROOT_SLOT_END}"
_REQUESTER_START: Final = _slot_start(_I1, "EvidenceRequester", "CollectionValueType", _COLLECTION_SET)
_PROVIDER_START: Final = _ELEMENT_END + _ROOT_SLOT_END + _slot_start(_I1, "EvidenceProvider", "AnyValueType")
_EPC_START: Final = _slot_start(_I1, "EvidenceProviderClassification", "CollectionValueType", _COLLECTION_SET)
_SUBJECT_START: Final = {
    "NaturalPerson": _RESPONSE_OPTION_AND_QUERY + _slot_start(_I2, "NaturalPerson", "AnyValueType"),
    "LegalPerson": _RESPONSE_OPTION_AND_QUERY + _slot_start(_I2, "LegalPerson", "AnyValueType"),
}
_REPRESENTATIVE_START: Final = _QUERY_SLOT_END + _slot_start(_I2, "AuthorizedRepresentative", "AnyValueType")
_EVIDENCE_START: Final = (
    _QUERY_SLOT_END
    + _slot_start(_I2, "EvidenceRequest", "AnyValueType")
    + f"{_IN_QUERY_SLOT}<sdg:DataServiceEvidenceType>{_IN_QUERY_SLOT}  <sdg:Identifier>"
)
_EVIDENCE_CLASSIFICATION: Final = f"</sdg:Identifier>{_IN_QUERY_SLOT}  <sdg:EvidenceTypeClassification>"
_REQUEST_END: Final = f"{_IN_QUERY_SLOT}</sdg:DataServiceEvidenceType>{_QUERY_SLOT_END}{_I1}</query:Query>"


def _fixed_value_slot(name: str, value_type: str, value: str) -> str:
    """A whole value slot under the root whose value is fixed (written by us, nothing to escape)."""
    start, end = _value_slot_tags(_I1, name, value_type)
    return start + value + end


_ISSUE_DATETIME_START, _ISSUE_DATETIME_END = _value_slot_tags(_I1, "IssueDateTime", "DateTimeValueType")
_PREVIEW_AND_EXPLICIT_REQUEST: Final = {
    flag: _fixed_value_slot("PossibilityForPreview", "BooleanValueType", "true" if flag else "false")
    + _fixed_value_slot("ExplicitRequestGiven", "BooleanValueType", "true")
    for flag in (False, True)
}


@cache
def _request_head(profile: EdmVersion) -> str:
    """The end of the root start tag, the SpecificationIdentifier slot and the start of IssueDateTime's."""
    root_end = '" xml:lang="EN">' if profile.root_language else '">'
    spec = _fixed_value_slot("SpecificationIdentifier", "StringValueType", profile.identifier)
    return root_end + spec + _ISSUE_DATETIME_START


def _request(request: EvidenceRequest, profile: EdmVersion) -> Out:
    _require(bool(_URN_UUID.fullmatch(request.request_id)), "request id must be urn:uuid:<UUID>", "/@id")
    _require(request.explicit_request_given, "ExplicitRequestGiven must be true before sending", "/")
    out = _start("QueryRequest")
    out += (' id="', request.request_id, _request_head(profile), format_datetime(request.issue_datetime))
    out += (_ISSUE_DATETIME_END, "")
    procedure = request.procedure
    if procedure is not None:
        _check_code(procedure, codelists.procedures(), "procedure", "Procedure")
        if profile.procedure_encoding is ProcedureEncoding.STRING:
            _string_slot(out, _I1, "Procedure", procedure)
        else:
            out += (_PROCEDURE_START, procedure, _PROCEDURE_END, "")
    if request.preview_location is not None:
        _require(is_secure_location(request.preview_location), "PreviewLocation must be https", "Preview")
        _string_slot(out, _I1, "PreviewLocation", request.preview_location)
    if request.return_location is not None and profile.return_location_slot:
        _require(is_secure_location(request.return_location), "ReturnLocation must be https", "Return")
        _string_slot(out, _I1, "ReturnLocation", request.return_location)
    out += (
        _PREVIEW_AND_EXPLICIT_REQUEST[bool(request.possibility_for_preview)],
        "",
    )  # explicit: checked above
    if request.requirements:
        start = _REQUIREMENTS_START
        for requirement in request.requirements:
            _require(bool(requirement.names), "a requirement needs a name", "Requirements")
            out += (start, _sr(requirement.identifier), "</sdg:Identifier>", "")
            _texts(out, _IN_ELEMENT + "  ", "Name", requirement.names, "Requirements")
            if profile.requirement_descriptions:
                _texts(out, _IN_ELEMENT + "  ", "Description", requirement.descriptions, "Requirements")
            start = _REQUIREMENT_NEXT
        out += (_REQUIREMENTS_END, "")
    out += (_REQUESTER_START, "")
    _require(
        request.evidence_requester.classification == "ER", "EvidenceRequester must be classified ER", "ER"
    )
    out += (_ELEMENT_START, "")
    _agent(out, _IN_ELEMENT, request.evidence_requester, "EvidenceRequester", True)
    if request.intermediary_platform is not None:
        _require(
            request.intermediary_platform.classification == "IP", "intermediary must be classified IP", "IP"
        )
        out += (_ELEMENT_END + _ELEMENT_START, "")
        _agent(out, _IN_ELEMENT, request.intermediary_platform, "EvidenceRequester", True)
    out += (_PROVIDER_START, "")
    _agent(out, _IN_SLOT, request.evidence_provider, "EvidenceProvider", False)
    out += (_ROOT_SLOT_END, "")
    if request.evidence_provider_classifications:
        out += (_EPC_START, "")
        for concept in request.evidence_provider_classifications:
            el = _collection_element_open(out, _IN_SLOT)
            content = el + "  "
            out += (f"{el}<sdg:EvidenceProviderClassification>", "")
            _identifier(out, content, "Identifier", concept.identifier)
            _opt(out, content, "Type", concept.type)
            _opt(out, content, "ValueExpression", concept.value_expression)
            _texts(out, content, "Description", concept.descriptions, "EvidenceProviderClassification")
            _require(bool(concept.supported_values), "a classification needs the user's value", "EPC")
            out += (f"{content}<sdg:SupportedValue>", "")
            for value in concept.supported_values:
                _sdg(out, content + "  ", "StringValue", value)
            out += (f"{content}</sdg:SupportedValue>{el}</sdg:EvidenceProviderClassification>", "")
            _collection_element_close(out, _IN_SLOT)
        _slot_close(out, _I1)
    subject = request.subject
    if isinstance(subject, NaturalPerson):
        out += (_SUBJECT_START["NaturalPerson"], "")
        _person(out, _IN_QUERY_SLOT, subject, profile, "NaturalPerson", "Person", True)
    else:
        out += (_SUBJECT_START["LegalPerson"], "")
        _legal_person(out, _IN_QUERY_SLOT, subject, "LegalPerson", need_loa=True)
    representative = request.authorized_representative
    if representative is not None:
        out += (_REPRESENTATIVE_START, "")
        _person(out, _IN_QUERY_SLOT, representative, profile, "AuthorizedRepresentative", "Person", True)
    evidence = request.evidence
    _require(bool(evidence.titles), "the evidence type needs a title", "EvidenceRequest")
    out += (_EVIDENCE_START, evidence.identifier, _EVIDENCE_CLASSIFICATION, _sr(evidence.classification))
    out += ("</sdg:EvidenceTypeClassification>", "")
    content = _IN_QUERY_SLOT + "  "
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
    out += (_REQUEST_END, "")
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


def _response_start(version: EdmVersion, status: ResponseStatus, request_id: str | None) -> Out:
    out = _start("QueryResponse", attr("status", ns.STATUS_PREFIX + status.value))
    if request_id is not None:
        _require(bool(_URN_UUID.fullmatch(request_id)), "requestId must be urn:uuid:<UUID>", "/@requestId")
        out += (' requestId="', request_id, '">', "")
    else:
        out += (">", "")
    _string_slot(out, _I1, "SpecificationIdentifier", version.identifier)
    return out


def _subject_in_evidence(
    out: Out, ind: str, subject: NaturalPerson | LegalPerson, version: EdmVersion
) -> None:
    out += (f"{ind}<sdg:IsAbout>", "")
    if isinstance(subject, NaturalPerson):
        _person(out, ind + "  ", subject, version, "IsAbout", "NaturalPerson", False)
    else:
        _legal_person(out, ind + "  ", subject, "IsAbout", need_loa=False)
    out += (f"{ind}</sdg:IsAbout>", "")


def _evidence_item(out: Out, ind: str, item: EvidenceItem, version: EdmVersion) -> None:
    _require(
        bool(_URN_UUID.fullmatch(item.registry_object_id)), "object id must be urn:uuid", "RegistryObject"
    )
    # attribute order as lxml wrote it (keyword attributes first): id, then xsi:type
    out += (
        f'{ind}<rim:RegistryObject id="',
        item.registry_object_id,
        '" xsi:type="rim:ExtrinsicObjectType">',
        "",
    )
    inner = ind + "  "
    meta = item.metadata
    value = _slot_open(out, inner, "EvidenceMetadata", "AnyValueType")
    content = value + "  "
    out += (f"{value}<sdg:Evidence>", "")
    _sdg(out, content, "Identifier", meta.identifier)
    _subject_in_evidence(out, content, meta.is_about, version)
    _agent(out, content, meta.issuing_authority, "IssuingAuthority", True, local="IssuingAuthority")
    out += (f"{content}<sdg:IsConformantTo>", "")
    _sdg(out, content + "  ", "EvidenceTypeClassification", _sr(meta.classification))
    _texts(out, content + "  ", "Title", meta.titles, "IsConformantTo")
    _texts(out, content + "  ", "Description", meta.descriptions, "IsConformantTo")
    out += (f"{content}</sdg:IsConformantTo>", "")
    _sdg(out, content, "IssuingDate", meta.issuing_date.isoformat())
    _distribution(out, content, "Distribution", meta.distribution, "Distribution", languages=True)
    if meta.validity_start is not None and meta.validity_end is not None:
        out += (f"{content}<sdg:ValidityPeriod>", "")
        _sdg(out, content + "  ", "StartDate", meta.validity_start.isoformat())
        _sdg(out, content + "  ", "EndDate", meta.validity_end.isoformat())
        out += (f"{content}</sdg:ValidityPeriod>", "")
    out += (f"{value}</sdg:Evidence>", "")
    _slot_close(out, inner)
    if version.evidence_in_registry_package:
        # the Classification needs an id of its own; derived so that output stays deterministic
        out += (
            f'{inner}<rim:Classification id="urn:uuid:'
            f'{uuid.uuid5(uuid.NAMESPACE_URL, item.registry_object_id)}"'
            f'{attr("classificationScheme", ns.EDM_CLASSIFICATION_SCHEME)} classificationNode="',
            item.classification_node or "MainEvidence",
            '"/>',
            "",
        )
    if item.attachment is not None:
        _require(
            item.attachment.href.startswith("cid:"), "attachment reference must be cid:", "RepositoryItemRef"
        )
        ref = f'{inner}<rim:RepositoryItemRef xlink:href="'
        title = item.attachment.title
        if title is None:
            out += (ref, item.attachment.href, '"/>', "")
        else:
            out += (ref, item.attachment.href, '" xlink:title="', title, '"/>', "")
    out += (f"{ind}</rim:RegistryObject>", "")


def _response(response: EvidenceResponse, version: EdmVersion, package_id: str | None) -> Out:
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
        _agent(out, el, response.evidence_provider, "EvidenceProvider", True)
        _collection_element_close(out, inner)
        _slot_close(out, _I1)
    if response.evidence_requester is not None:
        inner = _slot_open(out, _I1, "EvidenceRequester", "AnyValueType")
        _agent(out, inner, response.evidence_requester, "EvidenceRequester", False)
        _slot_close(out, _I1)
    if response.status is ResponseStatus.UNAVAILABLE:
        _require(response.response_available_datetime is not None, "Unavailable needs a date", "/")
    if response.response_available_datetime is not None:
        _datetime_slot(out, _I1, "ResponseAvailableDateTime", response.response_available_datetime)
    if response.status is ResponseStatus.SUCCESS:
        if not response.evidences:
            out += (f"{_I1}<rim:RegistryObjectList/>", "")
        elif version.evidence_in_registry_package:
            _require(package_id is not None, "v2.0 responses need a RegistryPackage id", "/")
            out += (
                f'{_I1}<rim:RegistryObjectList>{_I2}<rim:RegistryObject id="',
                str(package_id),
                f'" xsi:type="rim:RegistryPackageType">{_I3}<rim:RegistryObjectList>',
                "",
            )
            for item in response.evidences:
                _evidence_item(out, _I3 + "  ", item, version)
            out += (
                f"{_I3}</rim:RegistryObjectList>{_I2}</rim:RegistryObject>{_I1}</rim:RegistryObjectList>",
                "",
            )
        else:
            out += (f"{_I1}<rim:RegistryObjectList>", "")
            for item in response.evidences:
                _evidence_item(out, _I2, item, version)
            out += (f"{_I1}</rim:RegistryObjectList>", "")
    return out


def build_response(response: EvidenceResponse, *, package_id: str | None = None, xsd: bool = False) -> bytes:
    """A Success/Unavailable ``query:QueryResponse`` in ``response.version`` (for simulators and tests)."""
    version = get_version(response.version)
    return _finish(_response(response, version, package_id), "QueryResponse", version, xsd)


def response_tree(response: EvidenceResponse, *, package_id: str | None = None) -> Element:
    """The Evidence Response as an lxml tree: :func:`build_response`'s bytes, parsed."""
    return parse_xml(build_response(response, package_id=package_id))


def _exception(out: Out, exc: EdmException) -> None:
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
    out += (
        f'{_I1}<rs:Exception xsi:type="rs:',
        exc.type,
        '" severity="',
        exc.severity,
        '" message="',
        exc.message,
    )
    if exc.detail is not None:
        out += ('" detail="', exc.detail)
    out += ('" code="', exc.code or "", '">', "")
    if exc.timestamp is not None:
        _datetime_slot(out, _I2, "Timestamp", exc.timestamp)
    if exc.preview_location is not None:
        _string_slot(out, _I2, "PreviewLocation", exc.preview_location)
    if exc.preview_description:
        _international_string_slot(out, _I2, "PreviewDescription", exc.preview_description)
    if exc.preview_method is not None:
        _string_slot(out, _I2, "PreviewMethod", exc.preview_method)
    out += (f"{_I1}</rs:Exception>", "")


def _error(error: ErrorResponse, version: EdmVersion) -> Out:
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
        _agent(out, inner, error.error_provider, "ErrorProvider", True)
        _slot_close(out, _I1)
    if error.evidence_requester is not None:
        inner = _slot_open(out, _I1, "EvidenceRequester", "AnyValueType")
        _agent(out, inner, error.evidence_requester, "EvidenceRequester", False)
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

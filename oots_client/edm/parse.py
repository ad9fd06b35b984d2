"""Parsers: EDM XML of any version → the typed model, liberally (DIGEST §1 item 20, §10).

Accepted: ``oots-edm:v1.0``, ``v1.1``, ``v1.2``, ``v2.0``; any namespace prefixes (``sdg:``, ``oots:``, …);
both Semantic Repository domains (normalised to the new one); ``xml:lang``, ``lang`` or ``xsi:lang``;
``Procedure`` as a localized or a plain string; evidence objects inside a v2.0 ``RegistryPackage`` or
directly in the list; an error sent where a response was expected — the kind is decided on the payload's
``@status`` alone. What is mandatory and missing raises
:class:`~oots_client.edm.errors.InvalidMessageError` with its location.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

from lxml import etree

from oots_client.edm import namespaces as ns
from oots_client.edm import regrep as rr
from oots_client.edm.errors import InvalidMessageError, NotEdmMessageError
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
    NaturalPerson,
    QueryRequest,
    RequestedEvidenceType,
    Requirement,
    ResponseStatus,
    SectorSpecificAttribute,
)
from oots_client.edm.xmlsafe import DEFAULT_MAX_BYTES, parse_xml

type Element = etree._Element

QUERY_REQUEST: Final = ns.q(ns.QUERY, "QueryRequest")
QUERY_RESPONSE: Final = ns.q(ns.QUERY, "QueryResponse")
_QUERY: Final = ns.q(ns.QUERY, "Query")
_REGISTRY_OBJECT: Final = ns.q(ns.RIM, "RegistryObject")
_CLASSIFICATION: Final = ns.q(ns.RIM, "Classification")
_REPOSITORY_ITEM_REF: Final = ns.q(ns.RIM, "RepositoryItemRef")
_HREF: Final = ns.q(ns.XLINK, "href")
_TITLE: Final = ns.q(ns.XLINK, "title")


# --- sdg helpers ----------------------------------------------------------------------------------
#
# Each sdg element's children are read once into a map local name → elements (``_kids``); the readers then
# look names up there. Looking each name up in the tree instead (``iterchildren(tag)``, ``find``) costs
# a couple of microseconds per lookup, which is most of the parse time of a message.

type Kids = dict[str, list[Element]]

_SDG_OPEN: Final = "{" + ns.SDG + "}"
_SDG_CUT: Final = len(_SDG_OPEN)


#: the ``sdg:`` names the readers look for, by Clark tag (any other name takes the longer way in ``_kids``)
_SDG_LOCAL: Final[dict[object, str]] = {
    _SDG_OPEN + local: local
    for local in (  # noqa: SIM905 (a list of 53 words is easier to read as one string)
        "Address AdminUnitLevel1 AdminUnitLevel2 AttributeName AttributeURI AttributeValue BirthName"
        " Classification ConformsTo CountryOfBirth CountryOfResidence CurrentAddress DateOfBirth Description"
        " DistributedAs Distribution EmailAddress EndDate EvidenceTypeClassification FamilyName Format"
        " FullAddress Gender GivenName Identifier IsAbout IsConformantTo IssuingAuthority IssuingDate"
        " Language LegalName LegalPerson LegalPersonIdentifier LevelOfAssurance LocatorDesignator Name"
        " Nationality NaturalPerson PhoneNumber PlaceOfBirth PostCityName PostCode RegisteredAddress"
        " SectorSpecificAttribute StartDate SupportedValue Thoroughfare Title TownOfBirth Transformation"
        " Type ValidityPeriod ValueExpression"
    ).split()
}


def _kids(el: Element) -> Kids:
    """The ``sdg:`` child elements of ``el`` by local name, in document order."""
    found: Kids = {}
    known = _SDG_LOCAL.get
    for child in el:
        tag = child.tag
        local = known(tag)
        if local is None:
            if not isinstance(tag, str) or not tag.startswith(_SDG_OPEN):
                continue  # another namespace, a comment or a processing instruction
            local = tag[_SDG_CUT:]
        same = found.get(local)
        if same is None:
            found[local] = [child]
        else:
            same.append(child)
    return found


def _first(kids: Kids, local: str) -> Element | None:
    found = kids.get(local)
    return found[0] if found is not None else None


def _text(el: Element | None) -> str:
    if el is None:
        return ""
    if len(el) == 0:
        return " ".join((el.text or "").split())
    return " ".join("".join(str(t) for t in el.itertext()).split())


def _opt(kids: Kids, local: str) -> str | None:
    found = kids.get(local)
    if found is None:
        return None
    return _text(found[0]) or None


def _req(el: Element, kids: Kids, local: str) -> str:
    found = kids.get(local)
    text = _text(found[0]) if found is not None else ""
    if not text:
        raise InvalidMessageError(f"sdg:{local} is missing or empty", rr.location(el))
    return text


def _sr(value: str | None) -> str | None:
    return ns.to_new_sr_domain(value) if value is not None else None


def _texts(kids: Kids, local: str) -> tuple[LocalizedText, ...]:
    found = kids.get(local)
    if found is None:
        return ()
    return tuple([LocalizedText(_text(t), rr.lang_of(t)) for t in found])


def _identifier(el: Element | None) -> Identifier | None:
    if el is None:
        return None
    scheme = el.get("schemeID")
    return Identifier(_text(el), scheme.strip() if scheme is not None else None)


def _date(el: Element, kids: Kids, local: str) -> dt.date:
    text = _req(el, kids, local)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise InvalidMessageError(f"not an xsd:date: {text!r}", rr.location(el)) from None


# The readers below go through an element's children once, from the children found (``kids``) to the fields
# they fill, rather than looking every field up: most optional fields are absent.

_ADDRESS_FIELDS: Final = {
    "AdminUnitLevel1": "admin_unit_level1",
    "AdminUnitLevel2": "admin_unit_level2",
    "FullAddress": "full_address",
    "LocatorDesignator": "locator_designator",
    "PostCode": "post_code",
    "PostCityName": "post_city_name",
    "Thoroughfare": "thoroughfare",
}
_PERSON_FIELDS: Final = {
    "LevelOfAssurance": "level_of_assurance",
    "BirthName": "birth_name",
    "PlaceOfBirth": "place_of_birth",
    "Gender": "gender",
    "Nationality": "nationality",
    "CountryOfBirth": "country_of_birth",
    "TownOfBirth": "town_of_birth",
    "CountryOfResidence": "country_of_residence",
    "PhoneNumber": "phone_number",
    "EmailAddress": "email_address",
}


_ADDRESS_TAGS: Final = {_SDG_OPEN + local: field for local, field in _ADDRESS_FIELDS.items()}


def _address(el: Element | None) -> Address | None:
    if el is None:
        return None
    values: dict[str, Any] = {}
    for child in el:  # the first element of each name
        field = _ADDRESS_TAGS.get(child.tag)
        if field is not None and field not in values:
            values[field] = _text(child) or None
    return Address(**values)


_IDENTIFIER: Final = _SDG_OPEN + "Identifier"
_NAME: Final = _SDG_OPEN + "Name"
_ADDRESS: Final = _SDG_OPEN + "Address"
_AGENT_CLASSIFICATION: Final = _SDG_OPEN + "Classification"


def parse_agent(el: Element) -> Agent:
    """``sdg:Agent`` (or any element of AgentType, e.g. ``IssuingAuthority``)."""
    identifier = address = classification = None
    names: list[LocalizedText] = []
    for child in el:  # one pass; the first Identifier, Address and Classification, every Name
        tag = child.tag
        if tag == _NAME:
            names.append(LocalizedText(_text(child), rr.lang_of(child)))
        elif tag == _IDENTIFIER:
            if identifier is None:
                identifier = _identifier(child)
        elif tag == _ADDRESS:
            if address is None:
                address = child
        elif tag == _AGENT_CLASSIFICATION and classification is None:
            classification = child
    if identifier is None:
        raise InvalidMessageError("agent has no sdg:Identifier", rr.location(el))
    return Agent(
        identifier=identifier,
        names=tuple(names),
        address=_address(address),
        classification=(_text(classification) or None) if classification is not None else None,
    )


def _attributes(kids: Kids) -> tuple[SectorSpecificAttribute, ...]:
    found = kids.get("SectorSpecificAttribute")
    if found is None:
        return ()
    pairs = [_kids(a) for a in found]
    return tuple(
        SectorSpecificAttribute(
            _opt(a, "AttributeName") or "", _opt(a, "AttributeURI") or "", _opt(a, "AttributeValue") or ""
        )
        for a in pairs
    )


#: what a person's reader keeps of each child, by Clark tag: the field of an optional text, else the name
_PERSON_TAGS: Final = {
    **{_SDG_OPEN + local: field for local, field in _PERSON_FIELDS.items()},
    **{_SDG_OPEN + local: local for local in ("FamilyName", "GivenName", "DateOfBirth", "Identifier")},
    _SDG_OPEN + "CurrentAddress": "CurrentAddress",
}
_SECTOR_ATTRIBUTE: Final = _SDG_OPEN + "SectorSpecificAttribute"


def _required_text(el: Element, first: dict[str, Element], local: str) -> str:
    found = first.get(local)
    text = _text(found) if found is not None else ""
    if not text:
        raise InvalidMessageError(f"sdg:{local} is missing or empty", rr.location(el))
    return text


def parse_person(el: Element) -> NaturalPerson:
    """``sdg:Person`` / ``sdg:NaturalPerson`` of any version (v1.2 attributes included)."""
    first: dict[str, Element] = {}
    attributes: list[Element] = []
    for child in el:  # one pass: the first element of each name, every SectorSpecificAttribute
        tag = child.tag
        key = _PERSON_TAGS.get(tag)
        if key is not None:
            if key not in first:
                first[key] = child
        elif tag == _SECTOR_ATTRIBUTE:
            attributes.append(child)
    family_name = _required_text(el, first, "FamilyName")
    given_name = _required_text(el, first, "GivenName")
    birth = _required_text(el, first, "DateOfBirth")
    try:
        date_of_birth = dt.date.fromisoformat(birth[:10])
    except ValueError:
        raise InvalidMessageError(f"not an xsd:date: {birth!r}", rr.location(el)) from None
    texts = {field: _text(first[field]) or None for field in _PERSON_FIELDS.values() if field in first}
    identifier = first.get("Identifier")
    address = first.get("CurrentAddress")
    return NaturalPerson(
        family_name=family_name,
        given_name=given_name,
        date_of_birth=date_of_birth,
        identifier=_identifier(identifier) if identifier is not None else None,
        current_address=_address(address) if address is not None else None,
        sector_specific_attributes=_attributes({"SectorSpecificAttribute": attributes}) if attributes else (),
        **texts,
    )


def parse_legal_person(el: Element) -> LegalPerson:
    kids = _kids(el)
    return LegalPerson(
        legal_name=_req(el, kids, "LegalName"),
        level_of_assurance=_opt(kids, "LevelOfAssurance"),
        identifiers=tuple(i for i in map(_identifier, kids.get("Identifier", ())) if i is not None),
        legal_person_identifier=_identifier(_first(kids, "LegalPersonIdentifier")),
        registered_address=_address(_first(kids, "RegisteredAddress")),
        sector_specific_attributes=_attributes(kids),
    )


def _distribution(el: Element) -> Distribution:
    kids = _kids(el)
    fmt = _req(el, kids, "Format")
    if len(kids) == 1:  # the usual case: the format alone
        return Distribution(format=fmt)
    return Distribution(
        format=fmt,
        conforms_to=_sr(_opt(kids, "ConformsTo")),
        transformation=_sr(_opt(kids, "Transformation")),
        languages=tuple(_text(lang) for lang in kids.get("Language", ())),
    )


def _required_slot(parent: Element, found: dict[str, Element], name: str) -> Element:
    slot = found.get(name)
    if slot is None:
        raise InvalidMessageError(f"mandatory slot {name} is missing", rr.location(parent))
    return slot


def _string_slot(found: dict[str, Element], name: str) -> str | None:
    slot = found.get(name)
    return rr.read_string(slot) if slot is not None else None


def _version(root: Element, found: dict[str, Element], *, required: bool) -> str:
    slot = found.get("SpecificationIdentifier")
    if slot is None:
        if required:
            raise InvalidMessageError("mandatory slot SpecificationIdentifier is missing", rr.location(root))
        return ""
    return rr.read_string(slot)


def _expect(el: Element, local: str, slot: Element) -> Element:
    if el.tag != _SDG_OPEN + local:
        raise InvalidMessageError(f"expected sdg:{local}", rr.location(slot))
    return el


# --- Evidence Request -----------------------------------------------------------------------------


def parse_request(root: Element) -> QueryRequest:
    """A ``query:QueryRequest`` element → :class:`QueryRequest`."""
    found = rr.slots(root)
    version = _version(root, found, required=True)
    request_id = (root.get("id") or "").strip()
    if not request_id:
        raise InvalidMessageError("QueryRequest has no @id", rr.location(root))
    issued = rr.read_datetime(_required_slot(root, found, "IssueDateTime"))
    requesters = [
        parse_agent(_expect(el, "Agent", found["EvidenceRequester"]))
        for el in rr.read_collection(_required_slot(root, found, "EvidenceRequester"))
    ]
    requester = next((a for a in requesters if a.classification != "IP"), None)
    if requester is None:
        raise InvalidMessageError("no EvidenceRequester agent", rr.location(found["EvidenceRequester"]))
    intermediary = next((a for a in requesters if a.classification == "IP"), None)
    provider_slot = _required_slot(root, found, "EvidenceProvider")
    provider = parse_agent(_expect(rr.read_collection(provider_slot)[0], "Agent", provider_slot))
    requirements: list[Requirement] = []
    if "Requirements" in found:
        for el in rr.read_collection(found["Requirements"]):
            kids = _kids(el)
            requirements.append(
                Requirement(
                    identifier=_sr(_req(el, kids, "Identifier")) or "",
                    names=_texts(kids, "Name"),
                    descriptions=_texts(kids, "Description"),
                )
            )
    classifications: list[EvidenceProviderClassification] = []
    if "EvidenceProviderClassification" in found:
        for el in rr.read_collection(found["EvidenceProviderClassification"]):
            kids = _kids(el)
            identifier = _identifier(_first(kids, "Identifier"))
            if identifier is None:
                raise InvalidMessageError("classification has no sdg:Identifier", rr.location(el))
            supported = _first(kids, "SupportedValue")
            classifications.append(
                EvidenceProviderClassification(
                    identifier=identifier,
                    type=_opt(kids, "Type"),
                    value_expression=_opt(kids, "ValueExpression"),
                    descriptions=_texts(kids, "Description"),
                    supported_values=tuple(_text(v) for v in supported) if supported is not None else (),
                )
            )
    query = rr.first_child(root, _QUERY)
    if query is None:
        raise InvalidMessageError("query:Query is missing", rr.location(root))
    in_query = rr.slots(query)
    subject: NaturalPerson | LegalPerson
    if ("NaturalPerson" in in_query) == ("LegalPerson" in in_query):
        raise InvalidMessageError(
            "exactly one of NaturalPerson and LegalPerson is required", rr.location(query)
        )
    if "NaturalPerson" in in_query:
        subject = parse_person(rr.read_any(in_query["NaturalPerson"]))
    else:
        subject = parse_legal_person(rr.read_any(in_query["LegalPerson"]))
    representative = None
    if "AuthorizedRepresentative" in in_query:
        representative = parse_person(rr.read_any(in_query["AuthorizedRepresentative"]))
    evidence_slot = _required_slot(query, in_query, "EvidenceRequest")
    dset = _expect(rr.read_any(evidence_slot), "DataServiceEvidenceType", evidence_slot)
    kids = _kids(dset)
    distributed = _first(kids, "DistributedAs")
    if distributed is None:
        raise InvalidMessageError("sdg:DistributedAs is missing", rr.location(dset))
    evidence = RequestedEvidenceType(
        identifier=_req(dset, kids, "Identifier"),
        classification=_sr(_req(dset, kids, "EvidenceTypeClassification")) or "",
        titles=_texts(kids, "Title"),
        descriptions=_texts(kids, "Description"),
        distribution=_distribution(distributed),
    )
    possibility_for_preview = rr.read_boolean(_required_slot(root, found, "PossibilityForPreview"))
    explicit_request_given = rr.read_boolean(_required_slot(root, found, "ExplicitRequestGiven"))
    request = EvidenceRequest(
        request_id=request_id,
        issue_datetime=issued,
        procedure=_string_slot(found, "Procedure"),
        preview_location=_string_slot(found, "PreviewLocation"),
        return_location=_string_slot(found, "ReturnLocation"),
        possibility_for_preview=possibility_for_preview,
        explicit_request_given=explicit_request_given,
        requirements=tuple(requirements),
        evidence_requester=requester,
        intermediary_platform=intermediary,
        evidence_provider=provider,
        evidence_provider_classifications=tuple(classifications),
        subject=subject,
        authorized_representative=representative,
        evidence=evidence,
    )
    return QueryRequest(version=version, request=request)


# --- Evidence Response ----------------------------------------------------------------------------


def _evidence_metadata(el: Element) -> EvidenceMetadata:
    kids = _kids(el)
    is_about = _first(kids, "IsAbout")
    if is_about is None or len(is_about) == 0:
        raise InvalidMessageError("sdg:IsAbout is missing", rr.location(el))
    about = _kids(is_about)
    natural, legal = _first(about, "NaturalPerson"), _first(about, "LegalPerson")
    if natural is not None:
        subject: NaturalPerson | LegalPerson = parse_person(natural)
    elif legal is not None:
        subject = parse_legal_person(legal)
    else:
        raise InvalidMessageError("sdg:IsAbout holds no person", rr.location(is_about))
    authority = _first(kids, "IssuingAuthority")
    conformant = _first(kids, "IsConformantTo")
    distribution = _first(kids, "Distribution")
    if authority is None or conformant is None or distribution is None:
        raise InvalidMessageError(
            "IssuingAuthority, IsConformantTo and Distribution are mandatory", rr.location(el)
        )
    period = _first(kids, "ValidityPeriod")
    in_period: Kids = _kids(period) if period is not None else {}
    conforms = _kids(conformant)
    return EvidenceMetadata(
        identifier=_req(el, kids, "Identifier"),
        is_about=subject,
        issuing_authority=parse_agent(authority),
        classification=_sr(_req(conformant, conforms, "EvidenceTypeClassification")) or "",
        titles=_texts(conforms, "Title"),
        descriptions=_texts(conforms, "Description"),
        issuing_date=_date(el, kids, "IssuingDate"),
        distribution=_distribution(distribution),
        validity_start=_date(period, in_period, "StartDate")
        if period is not None and "StartDate" in in_period
        else None,
        validity_end=_date(period, in_period, "EndDate")
        if period is not None and "EndDate" in in_period
        else None,
    )


def _evidence_items(root: Element) -> tuple[EvidenceItem, ...]:
    items: list[EvidenceItem] = []
    for obj in root.iter(_REGISTRY_OBJECT):
        metadata = ref = node = None
        for child in obj:  # one pass: the first EvidenceMetadata slot, RepositoryItemRef, classification node
            tag = child.tag
            if tag == rr.SLOT:
                if metadata is None and child.get("name") == "EvidenceMetadata":
                    metadata = child
            elif tag == _REPOSITORY_ITEM_REF:
                if ref is None:
                    ref = child
            elif tag == _CLASSIFICATION and node is None:
                node = child.get("classificationNode") or None
        if metadata is None:
            continue  # a RegistryPackage, or an object that is not evidence
        evidence = _expect(rr.read_any(metadata), "Evidence", metadata)
        items.append(
            EvidenceItem(
                registry_object_id=(obj.get("id") or "").strip(),
                metadata=_evidence_metadata(evidence),
                attachment=AttachmentRef(href=(ref.get(_HREF) or "").strip(), title=ref.get(_TITLE))
                if ref is not None
                else None,
                classification_node=node,
            )
        )
    return tuple(items)


def _optional_agent(found: dict[str, Element], name: str) -> Agent | None:
    slot = found.get(name)
    if slot is None:
        return None
    agents = rr.read_collection(slot)
    return parse_agent(agents[0]) if agents else None


def _parse_response(root: Element, found: dict[str, Element], status_name: str) -> EvidenceResponse:
    status = ResponseStatus(status_name)
    request_id = (root.get("requestId") or "").strip()
    if not request_id:
        raise InvalidMessageError("QueryResponse has no @requestId", rr.location(root))
    response_id = _string_slot(found, "EvidenceResponseIdentifier")
    if response_id is None:
        raise InvalidMessageError("mandatory slot EvidenceResponseIdentifier is missing", rr.location(root))
    issued = found.get("IssueDateTime")
    available = found.get("ResponseAvailableDateTime")
    return EvidenceResponse(
        version=_version(root, found, required=True),
        request_id=request_id,
        status=status,
        response_id=response_id,
        issue_datetime=rr.read_datetime(issued) if issued is not None else None,
        evidence_provider=_optional_agent(found, "EvidenceProvider"),
        evidence_requester=_optional_agent(found, "EvidenceRequester"),
        evidences=_evidence_items(root) if status is ResponseStatus.SUCCESS else (),
        response_available_datetime=rr.read_datetime(available) if available is not None else None,
    )


# --- Error Response -------------------------------------------------------------------------------


def parse_error(root: Element) -> ErrorResponse:
    """A Failure ``query:QueryResponse`` → :class:`ErrorResponse` (``requestId`` may be missing)."""
    found = rr.slots(root)
    exceptions: list[EdmException] = []
    for exc in rr.read_exceptions(root):
        timestamp = exc.slots.get("Timestamp")
        description = exc.slots.get("PreviewDescription")
        exceptions.append(
            EdmException(
                type=exc.type,
                code=exc.code,
                severity=ns.to_new_sr_domain(exc.severity),
                message=exc.message,
                detail=exc.detail,
                timestamp=rr.read_datetime(timestamp) if timestamp is not None else None,
                preview_location=_string_slot(exc.slots, "PreviewLocation"),
                preview_description=rr.read_international_string(description)
                if description is not None
                else (),
                preview_method=_string_slot(exc.slots, "PreviewMethod"),
            )
        )
    if not exceptions:
        raise InvalidMessageError("a Failure response has no rs:Exception", rr.location(root))
    return ErrorResponse(
        version=_version(root, found, required=False),
        request_id=(root.get("requestId") or "").strip() or None,
        response_id=_string_slot(found, "EvidenceResponseIdentifier"),
        exceptions=tuple(exceptions),
        error_provider=_optional_agent(found, "ErrorProvider"),
        evidence_requester=_optional_agent(found, "EvidenceRequester"),
    )


# --- entry points ---------------------------------------------------------------------------------


def _is_edm_response(root: Element, found: dict[str, Element]) -> bool:
    """EDM responses carry an ``oots-edm:`` SpecificationIdentifier or an EvidenceResponseIdentifier; the
    Common Services' answers carry neither. A bare Failure with exceptions of EDM codes counts too."""
    if "EvidenceResponseIdentifier" in found or "ErrorProvider" in found:
        return True
    spec = found.get("SpecificationIdentifier")
    if spec is not None:
        return rr.read_string(spec).startswith("oots-edm")
    return any((e.code or "").startswith("EDM:") for e in rr.read_exceptions(root))


def parse_element(root: Element) -> Message:
    """Classify and parse an already parsed document (see :func:`parse_message`)."""
    if root.tag == QUERY_REQUEST:
        return parse_request(root)
    if root.tag != QUERY_RESPONSE:
        raise NotEdmMessageError(f"root element {etree.QName(root).localname!r} is not an EDM message", "/")
    found = rr.slots(root)
    if not _is_edm_response(root, found):
        raise NotEdmMessageError(
            "a QueryResponse that is not an EDM evidence response (Common Services?)", "/"
        )
    status = rr.response_status(root)
    if status == "Failure":
        return parse_error(root)
    if status in ("Success", "Unavailable"):
        return _parse_response(root, found, status)
    raise InvalidMessageError(
        f"unknown response status {root.get('status')!r}", rr.location(root) + "/@status"
    )


def parse_message(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Message:
    """Parse untrusted EDM XML: a :class:`QueryRequest`, :class:`EvidenceResponse` or :class:`ErrorResponse`.

    Raises a subclass of :class:`~oots_client.edm.errors.EdmError` for hostile, malformed, non-EDM or
    incomplete input; never anything else.
    """
    root = parse_xml(data, max_bytes=max_bytes)
    try:
        return parse_element(root)
    except (ValueError, TypeError, IndexError) as exc:  # defensive: a value the checks above did not foresee
        raise InvalidMessageError(f"unreadable value: {exc}", "/") from None

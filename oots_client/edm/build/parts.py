"""What the three messages share: RegRep slots and the ``sdg`` agents, persons, addresses and distributions.

Each function returns an element in the notation of :mod:`oots_client.edm.build.markup`, after checking
the values its rules constrain (rule ids of the v1.0 business rules; the request's ids are given, the
response and error messages have the same rules under R-EDM-RESP-… and R-EDM-ERR-…).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import overload

from oots_client.edm import codelists
from oots_client.edm import namespaces as ns
from oots_client.edm.build.checks import (
    GENDERS,
    check_code,
    check_languages,
    is_organisation_scheme,
    require,
)
from oots_client.edm.build.markup import ElementFactory, Node, rim, sdg
from oots_client.edm.errors import BuildError
from oots_client.edm.model import (
    Address,
    Agent,
    Distribution,
    Identifier,
    LegalPerson,
    LocalizedText,
    NaturalPerson,
    SectorSpecificAttribute,
)
from oots_client.edm.regrep import format_datetime
from oots_client.edm.versions import EdmVersion

# --- RegRep slots ---------------------------------------------------------------------------------


# Where a slot or an agent is optional, its function takes None for "absent" and returns None, which the
# notation skips: a builder writes ``string_slot("PreviewLocation", request.preview_location)`` whether
# the second request of a preview has one or the first has none.


@overload
def string_slot(name: str, value: str) -> Node: ...
@overload
def string_slot(name: str, value: str | None) -> Node | None: ...
def string_slot(name: str, value: str | None) -> Node | None:
    if value is None:
        return None
    return rim.Slot(rim.SlotValue(rim.Value(value), xsi_type="rim:StringValueType"), name=name)


def boolean_slot(name: str, value: bool) -> Node:
    text = "true" if value else "false"
    return rim.Slot(rim.SlotValue(rim.Value(text), xsi_type="rim:BooleanValueType"), name=name)


@overload
def datetime_slot(name: str, value: dt.datetime) -> Node: ...
@overload
def datetime_slot(name: str, value: dt.datetime | None) -> Node | None: ...
def datetime_slot(name: str, value: dt.datetime | None) -> Node | None:
    """xsd:dateTime with seconds (R-EDM-REQ-C002, R-EDM-RESP-C004, C005, R-EDM-ERR-C018)."""
    if value is None:
        return None
    text = format_datetime(value)
    return rim.Slot(rim.SlotValue(rim.Value(text), xsi_type="rim:DateTimeValueType"), name=name)


def international_string_slot(name: str, texts: tuple[LocalizedText, ...], where: str) -> Node | None:
    """One ``rim:LocalizedString`` per language; no slot without texts."""
    if not texts:
        return None
    check_languages(texts, where)
    return rim.Slot(
        rim.SlotValue(
            rim.Value(*(rim.LocalizedString(xml_lang=text.lang, value=text.value) for text in texts)),
            xsi_type="rim:InternationalStringValueType",
        ),
        name=name,
    )


@overload
def any_slot(name: str, content: Node) -> Node: ...
@overload
def any_slot(name: str, content: Node | None) -> Node | None: ...
def any_slot(name: str, content: Node | None) -> Node | None:
    """A slot holding one ``sdg:`` element."""
    if content is None:
        return None
    return rim.Slot(rim.SlotValue(content, xsi_type="rim:AnyValueType"), name=name)


def collection_slot(name: str, items: Iterable[Node | None]) -> Node | None:
    """A set of ``sdg:`` elements, each in its ``rim:Element`` of AnyValueType; no slot when there are none
    (RegRep collections are sets here: the TDD 1.1 examples say so with ``collectionType``)."""
    elements = [rim.Element(item, xsi_type="rim:AnyValueType") for item in items if item is not None]
    if not elements:
        return None
    return rim.Slot(
        rim.SlotValue(*elements, xsi_type="rim:CollectionValueType", collectionType=ns.COLLECTION_SET),
        name=name,
    )


# --- sdg content ----------------------------------------------------------------------------------


def optional(element: ElementFactory, text: str | None) -> Node | None:
    """``element`` holding ``text``, or nothing when there is no text."""
    return None if text is None else element(text)


def texts(element: ElementFactory, values: tuple[LocalizedText, ...], where: str) -> tuple[Node, ...]:
    """One ``element`` per language, each with its ``lang`` (sdg strings carry a plain ``lang``)."""
    if not values:
        return ()
    check_languages(values, where)
    return tuple([element(text.value, lang=text.lang) for text in values])


def identifier(element: ElementFactory, value: Identifier | None) -> Node | None:
    return None if value is None else element(value.value, schemeID=value.scheme_id)


def sr_uri(value: str | None) -> str | None:
    """Semantic Repository URIs are written in the new domain (DIGEST §9)."""
    return None if value is None else ns.to_new_sr_domain(value.strip())


def address(element: ElementFactory, value: Address | None, where: str) -> Node | None:
    """An ``sdg:Address``-typed element; AdminUnitLevel1 is the ISO country (R-EDM-REQ-C015, C045, C056)."""
    if value is None:
        return None
    require(value.admin_unit_level1 is not None, "an address needs AdminUnitLevel1 (country)", where)
    check_code(value.admin_unit_level1, codelists.countries(), "country", where)
    return element(
        optional(sdg.FullAddress, value.full_address),
        optional(sdg.LocatorDesignator, value.locator_designator),
        optional(sdg.PostCode, value.post_code),
        optional(sdg.PostCityName, value.post_city_name),
        optional(sdg.Thoroughfare, value.thoroughfare),
        optional(sdg.AdminUnitLevel1, value.admin_unit_level1),
        optional(sdg.AdminUnitLevel2, value.admin_unit_level2),
    )


@overload
def agent(value: Agent, where: str, *, full: bool, element: ElementFactory = ...) -> Node: ...
@overload
def agent(value: Agent | None, where: str, *, full: bool, element: ElementFactory = ...) -> Node | None: ...
def agent(value: Agent | None, where: str, *, full: bool, element: ElementFactory = sdg.Agent) -> Node | None:
    """An ``sdg:Agent``-typed element.

    ``full``: Identifier, Name, Address and Classification (R-EDM-REQ-S040, R-EDM-RESP-S026); otherwise
    Identifier and Name only, as the slots that point at the other party require (R-EDM-REQ-S043,
    R-EDM-RESP-S028). The identifier's scheme is EAS or unregistered (R-EDM-REQ-C010, C012, C017, C018).
    """
    if value is None:
        return None
    require(value.names, "an agent needs a name", where)
    scheme = value.identifier.scheme_id
    if not is_organisation_scheme(scheme):
        raise BuildError(f"agent identifier scheme {scheme!r} is neither EAS nor unregistered", where)
    if full:  # R-EDM-REQ-C014
        check_code(value.classification, codelists.agent_classifications(), "agent classification", where)
    return element(
        sdg.Identifier(value.identifier.value, schemeID=scheme),
        *texts(sdg.Name, value.names, where),
        address(sdg.Address, value.address, where) if full else None,
        optional(sdg.Classification, value.classification) if full else None,
    )


def _sector_specific(attributes: tuple[SectorSpecificAttribute, ...]) -> tuple[Node, ...]:
    return tuple(
        sdg.SectorSpecificAttribute(
            sdg.AttributeName(attribute.name),
            sdg.AttributeURI(attribute.uri),
            sdg.AttributeValue(attribute.value),
        )
        for attribute in attributes
    )


def _level_of_assurance(value: str | None, where: str, *, needed: bool) -> Node | None:
    """Mandatory in a request (R-EDM-REQ-C036, C047, C058), from its code list (C037, C048, C059)."""
    if needed:
        require(value is not None, "LevelOfAssurance is mandatory", where)
    check_code(value, codelists.levels_of_assurance(), "level of assurance", where)
    return optional(sdg.LevelOfAssurance, value)


def person(
    value: NaturalPerson,
    version: EdmVersion,
    where: str,
    *,
    needs_loa: bool,
    element: ElementFactory = sdg.Person,
) -> Node:
    """An ``sdg:Person``-typed element: the eIDAS minimum data set (R-EDM-REQ-C036 … C045), in the v1.0 XSD
    order, then the attributes the version adds (v1.2 and later: nationality, birth, residence, contact)."""
    require(value.gender in GENDERS, f"gender {value.gender!r}", where)
    return element(
        _level_of_assurance(value.level_of_assurance, where, needed=needs_loa),
        # the eIDAS identifier as the login gave it; its form is R-EDM-REQ-C039 … C042's, not refused here
        identifier(sdg.Identifier, value.identifier),
        sdg.FamilyName(value.family_name),
        sdg.GivenName(value.given_name),
        sdg.DateOfBirth(value.date_of_birth.isoformat()),  # xsd:date (R-EDM-REQ-C043)
        optional(sdg.BirthName, value.birth_name),
        optional(sdg.PlaceOfBirth, value.place_of_birth),
        address(sdg.CurrentAddress, value.current_address, where),
        optional(sdg.Gender, value.gender),
        *(_extended_attributes(value, where) if version.person_extended_attributes else ()),
        *_sector_specific(value.sector_specific_attributes),
    )


def _extended_attributes(value: NaturalPerson, where: str) -> tuple[Node | None, ...]:
    for country in (value.nationality, value.country_of_birth, value.country_of_residence):
        check_code(country, codelists.countries(), "country", where)
    return (
        optional(sdg.Nationality, value.nationality),
        optional(sdg.CountryOfBirth, value.country_of_birth),
        optional(sdg.TownOfBirth, value.town_of_birth),
        optional(sdg.CountryOfResidence, value.country_of_residence),
        optional(sdg.PhoneNumber, value.phone_number),
        optional(sdg.EmailAddress, value.email_address),
    )


def legal_person(value: LegalPerson, where: str, *, needs_loa: bool) -> Node:
    """``sdg:LegalPerson``: the level of assurance (R-EDM-REQ-C047, C048), the other registers' identifiers
    with their schemes (C054), the eIDAS identifier as the login gave it (C049 … C053), the registered
    address (C056)."""
    return sdg.LegalPerson(
        _level_of_assurance(value.level_of_assurance, where, needed=needs_loa),
        *(identifier(sdg.Identifier, other) for other in value.identifiers),  # VAT, LEI, … (C054)
        identifier(sdg.LegalPersonIdentifier, value.legal_person_identifier),
        sdg.LegalName(value.legal_name),
        address(sdg.RegisteredAddress, value.registered_address, where),
        *_sector_specific(value.sector_specific_attributes),
    )


def distribution(element: ElementFactory, value: Distribution, where: str, *, with_languages: bool) -> Node:
    """``DistributedAs`` (request) or ``Distribution`` (evidence): a media type from its code list
    (R-EDM-REQ-C033, R-EDM-RESP-C023); the data model and transformation for structured formats
    (R-EDM-REQ-C034, C035; R-EDM-RESP-C022, C043); languages (R-EDM-RESP-C026) where the version has them."""
    check_code(value.format, codelists.media_types(), "media type", where)
    languages = value.languages if with_languages else ()
    for language in languages:
        check_code(language, codelists.languages(), "language", where)
    return element(
        sdg.Format(value.format),
        *(sdg.Language(language) for language in languages),
        optional(sdg.ConformsTo, sr_uri(value.conforms_to)),
        optional(sdg.Transformation, sr_uri(value.transformation)),
    )

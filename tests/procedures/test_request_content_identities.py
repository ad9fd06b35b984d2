"""Every eIDAS attribute of every test persona reaches the Evidence Request of each EDM version that can carry
it, and the request is valid (XSD, official Schematron where the version has it, the project's rules).

The persona's attributes go the way a login takes them: named as the test IdP names them (its pysaml2
attribute map), read by ``accounts.eidas.attributes``, recorded by ``accounts.services``; the request content
is then built by ``procedures.request_content`` and written by the EDM builders. The expected places below
are this test's own reading of the EDM (DIGEST §3.1), not the product's mapping.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from lxml import etree

from accounts.eidas.attributes import identity_from_attributes
from accounts.models import EidasIdentity
from accounts.services import eidas_identity_record
from oots_client.common_services import AccessService, DataServiceEvidenceType, DataServiceOffer, Publisher
from oots_client.common_services import Distribution as CsDistribution
from oots_client.edm import build_request, validate_message
from oots_client.edm import namespaces as ns
from oots_client.edm.model import LocalizedText
from oots_client.edm.serialize import from_json, to_json
from oots_client.edm.versions import VERSIONS, EdmVersion
from procedures.models import Procedure
from procedures.person_data import person_data_shown
from procedures.request_content import edm_request_content, requirement_reference
from simulators.eidas_idp.attribute_maps.eidas_uri import MAP
from simulators.eidas_idp.personas import PERSONAS, Persona, PersonaAddress
from tests.factories import make_citizen

pytestmark = pytest.mark.django_db

NS = {"query": ns.QUERY, "rim": ns.RIM, "sdg": ns.SDG}
# eIDAS natural-person attribute -> the sdg:Person child that carries it, and whether v1.0 has it
PERSON_ELEMENTS = {
    "PersonIdentifier": ("Identifier", True),
    "FamilyName": ("FamilyName", True),
    "FirstName": ("GivenName", True),
    "DateOfBirth": ("DateOfBirth", True),
    "BirthName": ("BirthName", True),
    "PlaceOfBirth": ("PlaceOfBirth", True),
    "Gender": ("Gender", True),
    "Nationality": ("Nationality", False),
    "CountryOfBirth": ("CountryOfBirth", False),
    "TownOfBirth": ("TownOfBirth", False),
    "CountryOfResidence": ("CountryOfResidence", False),
    "PhoneNumber": ("PhoneNumber", False),
    "EmailAddress": ("EmailAddress", False),
}
# eIDAS legal-person attribute -> the sdg:LegalPerson child (the other registers' identifiers by scheme)
LEGAL_ELEMENTS = {
    "LegalPersonIdentifier": "sdg:LegalPersonIdentifier",
    "LegalName": "sdg:LegalName",
    "VATRegistration": "sdg:Identifier[@schemeID='VAT']",
    "TaxReference": "sdg:Identifier[@schemeID='TAX']",
    "D-2012-17-EUIdentifier": "sdg:Identifier[@schemeID='BusinessCode']",
    "LEI": "sdg:Identifier[@schemeID='LEI']",
    "EORI": "sdg:Identifier[@schemeID='EORI']",
    "SEED": "sdg:Identifier[@schemeID='SEED']",
    "SIC": "sdg:Identifier[@schemeID='SIC']",
}
# eIDAS address part -> the sdg:Address child; the parts without one are in FullAddress
ADDRESS_ELEMENTS = {
    "thoroughfare": "Thoroughfare",
    "locator_designator": "LocatorDesignator",
    "post_code": "PostCode",
    "post_name": "PostCityName",
    "admin_unit_first_line": "AdminUnitLevel1",
}
ADDRESS_ATTRIBUTES = {"CurrentAddress", "LegalAddress"}


def _saml_attributes(persona: Persona) -> dict[str, list[str]]:
    """What python3-saml hands the portal for this persona: attribute name -> values."""
    return {MAP["to"][friendly]: [value] for friendly, value in persona.attributes().items()}


def _identity(persona: Persona) -> EidasIdentity:
    attributes = identity_from_attributes(_saml_attributes(persona), required=[])
    return eidas_identity_record(user=make_citizen(), identity=attributes, loa="high")


def _offer(version: EdmVersion) -> DataServiceOffer:
    publisher = Publisher(
        identifier="DE73524311",
        scheme_id="urn:cef.eu:names:identifier:EAS:9930",
        names=(LocalizedText("Civil Registration Office Berlin I", "EN"),),
        country="DE",
    )
    evidence_type = DataServiceEvidenceType(
        identifier="41170824-15d9-4c16-984e-63b75b937b8c",
        classification="https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/"
        "ca8afed6-2dc0-422a-a931-d21c3d8d370e",
        titles=(LocalizedText("Certificate of Birth", "EN"),),
        distributions=(CsDistribution(format="application/pdf"),),
    )
    service = AccessService(
        identifier="de-ap",
        scheme_id="urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots",
        conforms_to=(version.identifier,),
        publisher=publisher,
    )
    return DataServiceOffer(evidence_type, service)


def _request_xml(persona: Persona, version: EdmVersion) -> tuple[bytes, etree._Element]:
    procedure = Procedure.objects.get(code="T2")
    requirement, _created = procedure.requirements.get_or_create(
        identifier="https://sr.oots.tech.ec.europa.eu/requirements/f8a6a284-34e9-42c7-9733-63b5c4f4aa42",
        defaults={"name": "Proof of birth"},
    )
    offer = _offer(version)
    content = edm_request_content(
        procedure=procedure,
        requirement=requirement_reference(requirement),
        identity=_identity(persona),
        loa="high",
        offer=offer,
        distribution=offer.evidence_type.distributions[0],
        version=version,
    )
    # as the engine sends it: stored as JSON with the exchange, built later by a worker
    data = build_request(from_json(type(content), to_json(content)), version, xsd=True)
    return data, etree.fromstring(data)


def _slot(root: etree._Element, name: str) -> etree._Element:
    (found,) = root.xpath(f"query:Query/rim:Slot[@name='{name}']/rim:SlotValue/*", namespaces=NS)
    return found


def _text(parent: etree._Element, path: str) -> str | None:
    found = parent.xpath(path, namespaces=NS)
    return found[0].text if found else None


def _check_person(
    person: etree._Element, attributes: dict[str, str], version: EdmVersion, prefix: str
) -> set[str]:
    """Each natural-person attribute (named with ``prefix``) in ``person``; the names checked."""
    checked = set()
    for friendly, (element, in_v1_0) in PERSON_ELEMENTS.items():
        value = attributes.get(prefix + friendly)
        if value is None:
            continue
        carried = in_v1_0 or version.person_extended_attributes
        assert _text(person, f"sdg:{element}") == (value if carried else None), (prefix + friendly, version)
        checked.add(prefix + friendly)
    return checked


def _check_address(address: etree._Element | None, persona_address: PersonaAddress) -> None:
    assert address is not None
    for part, element in ADDRESS_ELEMENTS.items():
        value = getattr(persona_address, part)
        if value:
            assert _text(address, f"sdg:{element}") == value, part
    full = _text(address, "sdg:FullAddress") or ""
    for part, value in persona_address.parts().items():
        assert value in full, (part, full)


@pytest.mark.parametrize("version", sorted(VERSIONS), ids=lambda v: v.rpartition(":")[2])
@pytest.mark.parametrize("persona", PERSONAS.values(), ids=lambda p: p.key)
def test_every_attribute_of_the_persona_is_in_the_request_of_every_version_that_can_carry_it(
    persona, version
):
    profile = VERSIONS[version]
    data, root = _request_xml(persona, profile)
    report = validate_message(data)
    assert report.is_valid, [finding.as_dict() for finding in report.errors]

    attributes = persona.attributes()
    checked: set[str] = set()
    legal = persona.legal_person_identifier != ""
    natural_subject = not legal
    if natural_subject:
        subject = _slot(root, "NaturalPerson")
        checked |= _check_person(subject, attributes, profile, "")
        if persona.current_address:
            _check_address(subject.find(f"{{{ns.SDG}}}CurrentAddress"), persona.current_address)
    else:
        subject = _slot(root, "LegalPerson")
        for friendly, path in LEGAL_ELEMENTS.items():
            if friendly in attributes:
                assert _text(subject, path) == attributes[friendly], friendly
                checked.add(friendly)
        if persona.legal_address:
            _check_address(subject.find(f"{{{ns.SDG}}}RegisteredAddress"), persona.legal_address)
    checked |= {name for name in ADDRESS_ATTRIBUTES if name in attributes}

    # the representative: the natural person beside the company (two data sets), or the representation's
    acting = persona.representative
    prefix = "Representative" if acting is not None else ""
    if acting is None and legal and persona.person_identifier:
        acting = persona
    if acting is not None:
        representative = _slot(root, "AuthorizedRepresentative")
        checked |= _check_person(representative, attributes, profile, prefix)
        if acting.current_address:
            _check_address(representative.find(f"{{{ns.SDG}}}CurrentAddress"), acting.current_address)
            checked.add(prefix + "CurrentAddress")
    else:
        assert not root.xpath("query:Query/rim:Slot[@name='AuthorizedRepresentative']", namespaces=NS)
    # every attribute the persona sends was looked for above
    assert set(attributes) <= checked, set(attributes) - checked


def test_the_attributes_of_later_versions_are_left_out_of_a_v1_0_request_only():
    camille = PERSONAS["fr-camille"]
    for version, carried in (("oots-edm:v1.0", False), ("oots-edm:v1.1", False), ("oots-edm:v1.2", True)):
        data, _root = _request_xml(camille, VERSIONS[version])
        assert (b"camille.martin@example.org" in data) is carried, version


def test_an_address_in_no_known_country_is_not_sent_but_the_person_is():
    persona = PERSONAS["fr-camille"]
    nowhere = PersonaAddress(thoroughfare="Somewhere", admin_unit_first_line="Atlantis")
    moved = Persona(
        **{**persona.__dict__, "key": "fr-nowhere", "current_address": nowhere, "country_of_residence": ""}
    )
    _data, root = _request_xml(moved, VERSIONS["oots-edm:v1.2"])
    subject = _slot(root, "NaturalPerson")
    assert subject.find(f"{{{ns.SDG}}}CurrentAddress") is None
    assert _text(subject, "sdg:FamilyName") == "Martin"


def test_what_the_provider_will_see_lists_every_attribute_sent_with_translated_labels():
    identity = _identity(PERSONAS["es-carmen-soluciones"])
    rows = dict((str(label), value) for label, value in person_data_shown(identity, "high"))
    assert rows["VAT registration number"] == "ESB12345678"
    assert rows["Legal Entity Identifier (LEI)"] == "959800R1TQ8MZLQY6N44"
    assert rows["EU business register identifier (EUID)"] == "ESRMM.B12345678"
    assert rows["SIC code"] == "6201"
    assert "Calle de Alcalá 45" in rows["Registered address"]
    assert rows["Representative's family name"] == "García López"
    assert rows["Representative's personal identifier (eIDAS)"] == "ES/BE/12345678Z"
    with translation.override("fr"):
        labels = {str(label) for label, _value in person_data_shown(identity, "high")}
    assert "Numéro de TVA" in labels
    with translation.override("de"):
        labels = {str(label) for label, _value in person_data_shown(identity, "high")}
    assert "Umsatzsteuer-Identifikationsnummer" in labels


def test_the_later_versions_attributes_are_shown_only_when_a_drafted_request_carries_them():
    identity = _identity(PERSONAS["fr-camille"])
    for versions, shown in (
        ([VERSIONS["oots-edm:v1.0"]], False),
        ([VERSIONS["oots-edm:v1.0"], VERSIONS["oots-edm:v2.0"]], True),
        (None, True),
    ):
        labels = {str(label) for label, _value in person_data_shown(identity, "high", versions)}
        assert ("Email address" in labels) is shown, versions
        assert {"Birth name", "Place of birth", "Current address", "Gender"} <= labels


def test_a_person_represented_by_another_person_is_the_subject_and_the_other_the_representative():
    identity = _identity(PERSONAS["pt-tomas"])
    assert identity.kind == EidasIdentity.Kind.NATURAL_REPRESENTATIVE
    rows = dict((str(label), value) for label, value in person_data_shown(identity, "high"))
    assert (rows["Given name"], rows["Representative's given name"]) == ("Tomás", "Inês")
    assert rows["Representative's birth name"] == "Inês Ferreira"

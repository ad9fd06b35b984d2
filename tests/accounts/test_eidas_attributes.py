"""The identity an eIDAS response carries: every attribute read, the two forms of representation giving the
same identity, and what cannot be read or forwarded refused with its reason."""

from __future__ import annotations

import base64
import datetime

import pytest

from accounts.eidas.attributes import (
    RequestedAttribute,
    identity_from_attributes,
    requested_attributes_parse,
)
from accounts.eidas.errors import EidasLoginError

NATURAL = "http://eidas.europa.eu/attributes/naturalperson/"
LEGAL = "http://eidas.europa.eu/attributes/legalperson/"
REPRESENTATIVE = NATURAL + "representative/"
PERSON = {
    "PersonIdentifier": "BE/BE/90010100042",
    "CurrentFamilyName": "Janssens",
    "CurrentGivenName": "Els",
    "DateOfBirth": "1990-01-01",
}
COMPANY = {"LegalPersonIdentifier": "BE/BE/0123456789", "LegalName": "Acme NV"}


def _set(prefix: str, values: dict[str, str]) -> dict[str, list[str]]:
    return {prefix + name: [value] for name, value in values.items()}


def _read(raw: dict[str, list[str]], required: list[RequestedAttribute] | None = None):
    return identity_from_attributes(raw, required=required or [])


def _refused(raw: dict[str, list[str]], code: str, required: list[RequestedAttribute] | None = None) -> None:
    with pytest.raises(EidasLoginError) as refused:
        _read(raw, required)
    assert refused.value.code == code


def test_every_optional_natural_person_attribute_is_read():
    address = base64.b64encode(b"<eidas:PostName>Gent</eidas:PostName>").decode()
    extra = {
        "BirthName": "Peeters",
        "PlaceOfBirth": "Leuven",
        "CurrentAddress": address,
        "Gender": "Female",
        "Nationality": "be",
        "CountryOfBirth": "BE",
        "TownOfBirth": "Leuven",
        "CountryOfResidence": "BE",
        "PhoneNumber": "+32 2 000 00 00",
        "EmailAddress": "els@example.org",
    }
    person = _read(_set(NATURAL, PERSON | extra)).natural_person
    assert person is not None
    assert (person.birth_name, person.place_of_birth, person.gender) == ("Peeters", "Leuven", "Female")
    assert person.current_address is not None and person.current_address.post_name == "Gent"
    assert (person.nationality, person.country_of_birth, person.country_of_residence) == ("BE", "BE", "BE")
    assert (person.town_of_birth, person.phone_number, person.email_address) == (
        "Leuven",
        "+32 2 000 00 00",
        "els@example.org",
    )


def test_every_legal_person_identifier_is_read_under_its_profile_name():
    extra = {
        "VATRegistrationNumber": "BE0123456789",
        "TaxReference": "0123456789",
        "D-2012-17-EUIdentifier": "BEKBOBCE.0123456789",
        "LEI": "5493001KJTIIGC8Y1R12",
        "EORI": "BE0123456789",
        "SEED": "BE00000123456",
        "SIC": "4120",
    }
    legal = _read(_set(LEGAL, COMPANY | extra)).legal_person
    assert legal is not None
    assert (legal.vat_registration, legal.tax_reference, legal.eu_identifier) == (
        "BE0123456789",
        "0123456789",
        "BEKBOBCE.0123456789",
    )
    assert (legal.lei, legal.eori, legal.seed, legal.sic) == (
        "5493001KJTIIGC8Y1R12",
        "BE0123456789",
        "BE00000123456",
        "4120",
    )


def test_the_names_older_nodes_give_the_vat_number_and_the_legal_address_are_read_too():
    address = base64.b64encode(b"<eidas:PostName>Gent</eidas:PostName>").decode()
    legal = _read(
        _set(LEGAL, COMPANY | {"VATRegistration": "BE0123456789", "LegalAddress": address})
    ).legal_person
    assert legal is not None
    assert legal.vat_registration == "BE0123456789"
    assert legal.legal_address is not None and legal.legal_address.post_name == "Gent"


def test_the_two_data_sets_and_the_representation_attributes_give_the_same_identity():
    two_sets = _read(_set(NATURAL, PERSON) | _set(LEGAL, COMPANY))
    representation = _read(_set(REPRESENTATIVE, PERSON) | _set(LEGAL, COMPANY))
    assert two_sets == representation
    assert two_sets.kind == "representative"
    assert two_sets.natural_person is None
    assert two_sets.representative is not None and two_sets.representative.given_name == "Els"
    assert two_sets.uid == "BE/BE/90010100042"  # the account of the person acting
    assert two_sets.display_names == ("Els", "Janssens")


def test_a_person_represented_by_another_is_the_subject_with_the_other_as_representative():
    child = {
        **PERSON,
        "PersonIdentifier": "BE/BE/15010100042",
        "CurrentGivenName": "Lotte",
        "DateOfBirth": "2015-01-01",
    }
    identity = _read(_set(NATURAL, child) | _set(REPRESENTATIVE, PERSON))
    assert identity.kind == "natural_representative"
    assert identity.natural_person is not None and identity.natural_person.given_name == "Lotte"
    assert identity.representative is not None
    assert identity.representative.date_of_birth == datetime.date(1990, 1, 1)
    assert identity.uid == "BE/BE/90010100042"


def test_a_required_natural_person_attribute_may_come_as_the_representatives():
    required = requested_attributes_parse(["PersonIdentifier!", "FamilyName!", "FirstName!", "DateOfBirth!"])
    assert _read(_set(REPRESENTATIVE, PERSON) | _set(LEGAL, COMPANY), required).kind == "representative"
    _refused(_set(LEGAL, COMPANY), "missing_attribute", required)


def test_a_legal_person_acting_as_representative_is_refused():
    _refused(_set(NATURAL, PERSON) | _set(LEGAL + "representative/", COMPANY), "representation_unsupported")


def test_a_representative_without_anyone_represented_is_refused():
    _refused(_set(REPRESENTATIVE, PERSON), "missing_attribute")


def test_half_a_representative_is_refused():
    half = {k: v for k, v in PERSON.items() if k != "DateOfBirth"}
    _refused(_set(LEGAL, COMPANY) | _set(REPRESENTATIVE, half), "missing_attribute")


def test_a_natural_and_a_legal_person_besides_a_representative_is_refused_as_ambiguous():
    _refused(_set(NATURAL, PERSON) | _set(LEGAL, COMPANY) | _set(REPRESENTATIVE, PERSON), "invalid_attribute")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Gender", "Other"),
        ("Nationality", "Belgium"),
        ("CountryOfResidence", "B1"),
        ("PlaceOfBirth", "x" * 301),
        ("PhoneNumber", "1" * 65),
        ("CurrentAddress", "not an address"),
    ],
)
def test_an_attribute_that_cannot_be_read_is_refused(name, value):
    _refused(_set(NATURAL, PERSON | {name: value}), "invalid_attribute")


def test_the_representatives_date_of_birth_is_checked_too():
    _refused(
        _set(LEGAL, COMPANY) | _set(REPRESENTATIVE, PERSON | {"DateOfBirth": "01/01/1990"}),
        "invalid_attribute",
    )


def test_gender_in_the_spelling_of_profile_1_0_is_read_as_unspecified():
    person = _read(_set(NATURAL, PERSON | {"Gender": "Not Specified"})).natural_person
    assert person is not None and person.gender == "Unspecified"


def test_the_representatives_attributes_cannot_be_requested():
    with pytest.raises(ValueError, match="must not be requested"):
        requested_attributes_parse(["RepresentativePersonIdentifier"])

"""The eIDAS test IdP: its personas, its metadata, and the AuthnRequests it refuses.
(The full login through it is in tests/accounts/test_eidas_login_flow.py.)"""

from __future__ import annotations

import base64

import pytest
from lxml import etree

from accounts.eidas.address import address_parse
from simulators.eidas_idp.attribute_maps.eidas_uri import MAP
from simulators.eidas_idp.idp import loa_reached
from simulators.eidas_idp.personas import PERSONAS

pytestmark = pytest.mark.filterwarnings("ignore:datetime.datetime.utc:DeprecationWarning:(onelogin|saml2)")
MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
NATURAL = "http://eidas.europa.eu/attributes/naturalperson/"
LEGAL = "http://eidas.europa.eu/attributes/legalperson/"


def test_there_are_at_least_eight_personas_from_five_countries():
    assert len(PERSONAS) >= 8
    assert len({persona.country for persona in PERSONAS.values()}) >= 5


def test_a_legal_person_comes_with_its_natural_person_representative():
    representatives = [p for p in PERSONAS.values() if p.legal_person_identifier and p.person_identifier]
    assert representatives
    assert {"LegalName", "LegalPersonIdentifier", "FamilyName", "FirstName"} <= set(
        representatives[0].attributes()
    )


def test_a_legal_person_has_every_identifier_of_the_eidas_attributes_and_its_address():
    complete = [p for p in PERSONAS.values() if p.legal_address and p.sic]
    assert complete
    assert {
        "VATRegistration",
        "TaxReference",
        "D-2012-17-EUIdentifier",
        "LEI",
        "EORI",
        "SEED",
        "SIC",
        "LegalAddress",
    } <= set(complete[0].attributes())


def test_a_natural_person_has_every_optional_attribute():
    optional = {"BirthName", "PlaceOfBirth", "CurrentAddress", "Gender", "Nationality", "CountryOfBirth"}
    optional |= {"TownOfBirth", "CountryOfResidence", "PhoneNumber", "EmailAddress"}
    assert any(optional <= set(p.attributes()) for p in PERSONAS.values())


def test_representatives_are_sent_with_the_representation_attributes_for_a_company_and_for_a_person():
    represented = [p for p in PERSONAS.values() if p.representative is not None]
    assert {bool(p.legal_name) for p in represented} == {True, False}
    for persona in represented:
        names = {MAP["to"][friendly] for friendly in persona.attributes()}
        assert {
            NATURAL + "representative/PersonIdentifier",
            NATURAL + "representative/CurrentFamilyName",
        } <= names
        assert persona.name_id == persona.representative.person_identifier  # who logs in


def test_every_attribute_a_persona_sends_has_its_eidas_name():
    for persona in PERSONAS.values():
        for friendly in persona.attributes():
            assert MAP["to"][friendly].startswith("http://eidas.europa.eu/attributes/")
    assert MAP["to"]["LegalAddress"] == LEGAL + "LegalPersonAddress"
    assert MAP["to"]["VATRegistration"] == LEGAL + "VATRegistrationNumber"


def test_an_address_is_sent_as_nodes_send_it_base64_of_parts_with_an_undeclared_prefix():
    persona = PERSONAS["fr-camille"]
    fragment = base64.b64decode(persona.attributes()["CurrentAddress"]).decode()
    assert fragment.startswith("<eidas:LocatorDesignator>12</eidas:LocatorDesignator>\r\n")
    assert "xmlns" not in fragment
    parsed = address_parse(persona.attributes()["CurrentAddress"])  # the portal reads what the IdP wrote
    assert parsed.as_dict() == {**dict.fromkeys(parsed.as_dict(), ""), **persona.current_address.parts()}


def test_one_persona_has_a_non_latin_name():
    assert any(all(ord(c) > 0x370 for c in persona.family_name) for persona in PERSONAS.values())


def test_a_persona_limited_to_low_authenticates_at_low_whatever_is_chosen():
    limited = next(p for p in PERSONAS.values() if p.max_loa == "low")
    assert loa_reached(limited, "high") == "low"
    assert loa_reached(PERSONAS["be-jan"], "high") == "high"


@pytest.mark.django_db
def test_the_idp_serves_metadata_with_a_signing_key_and_an_http_post_sso(client):
    answer = client.get("/sim/eidas/metadata/")
    assert answer.status_code == 200
    root = etree.fromstring(answer.content)
    assert root.get("entityID") == "http://testserver/sim/eidas/metadata/"
    descriptor = root.find(f"{MD}IDPSSODescriptor")
    assert descriptor.find(f"{MD}KeyDescriptor") is not None
    sso = descriptor.find(f"{MD}SingleSignOnService")
    assert (sso.get("Binding"), sso.get("Location")) == (
        "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
        "http://testserver/sim/eidas/sso/",
    )


def _post_unsigned_authn_request(client, *, issuer: str):
    request = (
        '<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" '
        'xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_x" Version="2.0" '
        f'IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>{issuer}</saml:Issuer></samlp:AuthnRequest>'
    )
    return client.post("/sim/eidas/sso/", {"SAMLRequest": base64.b64encode(request.encode()).decode()})


@pytest.mark.django_db
def test_the_idp_refuses_an_authn_request_from_an_sp_other_than_the_portal(client):
    answer = _post_unsigned_authn_request(client, issuer="https://elsewhere.example/metadata")
    assert answer.status_code == 400
    assert "only trusts the portal&#x27;s SP" in answer.content.decode()


@pytest.mark.django_db
def test_the_idp_trusts_the_portal_at_its_configured_address_when_served_apart(client, settings):
    settings.OOTS_PUBLIC_BASE_URL = "http://127.0.0.1:9"  # the portal on another server (nothing listens)
    answer = _post_unsigned_authn_request(client, issuer="http://127.0.0.1:9/accounts/saml/eidas/metadata/")
    # Trusted, so its metadata is fetched (and that fails here); an untrusted Issuer is never fetched.
    assert answer.status_code == 400
    assert "cannot be fetched" in answer.content.decode()


@pytest.mark.django_db
def test_the_idp_refuses_a_request_that_is_not_saml(client):
    answer = client.post("/sim/eidas/sso/", {"SAMLRequest": "bm90IHhtbA=="})
    assert answer.status_code == 400


@pytest.mark.django_db
def test_the_idp_login_step_needs_a_pending_request(client):
    assert client.post("/sim/eidas/authenticate/", {"persona": "be-jan", "loa": "low"}).status_code == 400

"""The AuthnRequest the SP sends: signed, ForceAuthn, the requested LoA (minimum), the eIDAS
extensions, and valid against the SAML 2.0 protocol schema shipped with python3-saml."""

from __future__ import annotations

from pathlib import Path

import onelogin.saml2
import pytest
import xmlsec
from lxml import etree

from accounts.eidas.authn_request import EIDAS_NS
from accounts.eidas.config import sp_keys
from tests.accounts.conftest import authn_request_xml
from tests.accounts.forge import ACS_URL, IDP_SSO_URL, SP_ENTITY_ID

SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"
SCHEMAS = Path(onelogin.saml2.__file__).parent / "schemas"


def test_the_authn_request_is_valid_against_the_saml_protocol_schema(portal_client):
    request = authn_request_xml(portal_client)
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "saml-schema-protocol-2.0.xsd")))
    assert schema.validate(request), schema.error_log


def test_the_authn_request_signature_verifies_with_the_sp_certificate(portal_client):
    request = authn_request_xml(portal_client)
    signature = request.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
    assert signature is not None
    assert request.index(signature) == 1  # right after Issuer, as the schema requires
    context = xmlsec.SignatureContext()
    context.register_id(request, "ID")
    context.key = xmlsec.Key.from_memory(sp_keys().cert_pem, xmlsec.KeyFormat.CERT_PEM)
    context.verify(signature)  # raises on a bad signature


def test_the_authn_request_forces_authentication_and_targets_the_idp(portal_client):
    request = authn_request_xml(portal_client)
    assert request.get("ForceAuthn") == "true"
    assert request.get("IsPassive") == "false"
    assert request.get("Destination") == IDP_SSO_URL
    assert request.get("AssertionConsumerServiceURL") == ACS_URL
    assert request.get("ProtocolBinding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    assert request.findtext(f"{SAML}Issuer") == SP_ENTITY_ID


@pytest.mark.parametrize("loa", ["low", "substantial", "high"])
def test_the_authn_request_asks_for_the_chosen_loa_as_a_minimum(portal_client, loa):
    context = authn_request_xml(portal_client, loa).find(f"{SAMLP}RequestedAuthnContext")
    assert context.get("Comparison") == "minimum"
    assert [ref.text for ref in context] == [f"http://eidas.europa.eu/LoA/{loa}"]


def test_the_authn_request_asks_for_the_default_loa_when_none_is_chosen(portal_client, settings):
    settings.EIDAS_DEFAULT_LOA = "high"
    context = authn_request_xml(portal_client).find(f"{SAMLP}RequestedAuthnContext")
    assert context.findtext(f"{SAML}AuthnContextClassRef") == "http://eidas.europa.eu/LoA/high"


def test_the_authn_request_carries_the_sp_type_and_the_requested_attributes(portal_client, settings):
    settings.EIDAS_SP_TYPE = "private"
    settings.EIDAS_REQUESTED_ATTRIBUTES = ["PersonIdentifier!", "FamilyName!", "Gender"]
    extensions = authn_request_xml(portal_client).find(f"{SAMLP}Extensions")
    assert extensions.findtext(f"{{{EIDAS_NS}}}SPType") == "private"
    requested = extensions.findall(f"{{{EIDAS_NS}}}RequestedAttributes/{{{EIDAS_NS}}}RequestedAttribute")
    assert [(a.get("Name"), a.get("isRequired")) for a in requested] == [
        ("http://eidas.europa.eu/attributes/naturalperson/PersonIdentifier", "true"),
        ("http://eidas.europa.eu/attributes/naturalperson/CurrentFamilyName", "true"),
        ("http://eidas.europa.eu/attributes/naturalperson/Gender", "false"),
    ]


def test_a_get_on_the_login_path_does_not_start_a_login(portal_client):
    answer = portal_client.get("/accounts/saml/eidas/login/?next=/")
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")

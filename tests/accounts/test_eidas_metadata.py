"""The SP's metadata: signed, with validUntil, both key uses and the eIDAS SP type."""

from __future__ import annotations

import datetime

import xmlsec
from lxml import etree

from accounts.eidas.authn_request import EIDAS_NS
from accounts.eidas.config import sp_keys
from tests.accounts.forge import ACS_URL, SP_ENTITY_ID

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"


def _metadata(client) -> etree._Element:
    answer = client.get("/accounts/saml/eidas/metadata/")
    assert answer.status_code == 200
    return etree.fromstring(answer.content)


def test_the_sp_metadata_is_signed_by_the_sp_key(portal_client):
    root = _metadata(portal_client)
    signature = root.find("{http://www.w3.org/2000/09/xmldsig#}Signature")
    context = xmlsec.SignatureContext()
    context.register_id(root, "ID")
    context.key = xmlsec.Key.from_memory(sp_keys().cert_pem, xmlsec.KeyFormat.CERT_PEM)
    context.verify(signature)


def test_the_sp_metadata_expires_after_the_configured_validity(portal_client, settings):
    settings.EIDAS_METADATA_VALIDITY_HOURS = 24
    valid_until = datetime.datetime.strptime(_metadata(portal_client).get("validUntil"), "%Y-%m-%dT%H:%M:%SZ")
    expected = datetime.datetime.now(datetime.UTC).replace(tzinfo=None) + datetime.timedelta(hours=24)
    assert abs((valid_until - expected).total_seconds()) < 120


def test_the_sp_metadata_names_the_acs_keys_and_sp_type(portal_client):
    root = _metadata(portal_client)
    assert root.get("entityID") == SP_ENTITY_ID
    assert root.findtext(f"{MD}Extensions/{{{EIDAS_NS}}}SPType") == "public"
    descriptor = root.find(f"{MD}SPSSODescriptor")
    assert descriptor.get("AuthnRequestsSigned") == "true"
    assert descriptor.find(f"{MD}AssertionConsumerService").get("Location") == ACS_URL
    assert {key.get("use") for key in descriptor.findall(f"{MD}KeyDescriptor")} == {"signing", "encryption"}

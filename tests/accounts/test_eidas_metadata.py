"""The SP's metadata: signed (RSASSA-PSS or ECDSA, checked by signxml too), with validUntil, both key uses,
the algorithms it signs with and the eIDAS SP type."""

from __future__ import annotations

import datetime
from pathlib import Path

import onelogin.saml2
import xmlsec
from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier

from accounts.eidas.authn_request import EIDAS_NS
from accounts.eidas.config import sp_keys, sp_signing_key
from tests.accounts.forge import ACS_URL, SP_ENTITY_ID

MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
ALG = "{urn:oasis:names:tc:SAML:metadata:algsupport}"
SCHEMAS = Path(onelogin.saml2.__file__).parent / "schemas"


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


def _signxml_verify(root: etree._Element, cert_pem: str, method: SignatureMethod) -> etree._Element:
    config = SignatureConfiguration(
        require_x509=True,
        signature_methods=frozenset({method}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    return XMLVerifier().verify(etree.tostring(root), x509_cert=cert_pem, expect_config=config).signed_xml


def _certificate(descriptor: etree._Element) -> str:
    return descriptor.findtext(f"{DS}KeyInfo/{DS}X509Data/{DS}X509Certificate").strip()


def _base64(cert_pem: str) -> str:
    return "".join(line for line in cert_pem.strip().splitlines() if not line.startswith("-----"))


def test_the_sp_metadata_is_signed_with_rsassa_pss_as_signxml_verifies(portal_client):
    root = _metadata(portal_client)
    signed = _signxml_verify(root, sp_keys().cert_pem, SignatureMethod.SHA256_RSA_MGF1)
    assert signed.get("entityID") == SP_ENTITY_ID
    assert (
        root.find(f"{MD}Extensions/{ALG}SigningMethod").get("Algorithm")
        == SignatureMethod.SHA256_RSA_MGF1.value
    )
    assert root.find(f"{MD}Extensions/{ALG}DigestMethod").get("Algorithm") == DigestAlgorithm.SHA256.value


def test_with_ecdsa_the_metadata_names_the_ec_certificate_for_signing_and_the_rsa_one_for_encryption(
    portal_client, settings, tmp_path
):
    settings.EIDAS_SP_SIGNATURE_ALGORITHM = "ecdsa"
    settings.EIDAS_SP_EC_CERT = str(tmp_path / "sp-ec-cert.pem")
    settings.EIDAS_SP_EC_KEY = str(tmp_path / "sp-ec-key.pem")
    root = _metadata(portal_client)
    ec_cert = sp_signing_key().cert_pem
    _signxml_verify(root, ec_cert, SignatureMethod.ECDSA_SHA256)
    descriptors = {
        d.get("use"): _certificate(d) for d in root.findall(f"{MD}SPSSODescriptor/{MD}KeyDescriptor")
    }
    assert descriptors == {"signing": _base64(ec_cert), "encryption": _base64(sp_keys().cert_pem)}
    assert (
        root.find(f"{MD}Extensions/{ALG}SigningMethod").get("Algorithm") == SignatureMethod.ECDSA_SHA256.value
    )


def test_the_signed_metadata_is_valid_against_the_saml_metadata_schema(portal_client):
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "saml-schema-metadata-2.0.xsd")))
    root = _metadata(portal_client)
    assert schema.validate(root), schema.error_log

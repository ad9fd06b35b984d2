"""The AuthnRequest the SP sends: signed, ForceAuthn, the requested LoA (minimum), the eIDAS
extensions, and valid against the SAML 2.0 protocol schema shipped with python3-saml. Signed with RSASSA-PSS
or ECDSA in both bindings, each signature checked by an implementation other than the one that made it
(signxml for the XML signature, ``cryptography`` for the redirect's)."""

from __future__ import annotations

import base64
import zlib
from pathlib import Path
from urllib.parse import parse_qs

import onelogin.saml2
import pytest
import xmlsec
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier

from accounts.certificates import self_signed_certificate
from accounts.eidas.authn_request import EIDAS_NS
from accounts.eidas.config import sp_keys, sp_signing_key
from accounts.eidas.errors import EidasConfigurationError
from tests.accounts.conftest import authn_request_xml
from tests.accounts.forge import ACS_URL, IDP_SSO_URL, SP_ENTITY_ID

SAMLP = "{urn:oasis:names:tc:SAML:2.0:protocol}"
SAML = "{urn:oasis:names:tc:SAML:2.0:assertion}"
DS = "{http://www.w3.org/2000/09/xmldsig#}"
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


# --- signatures an eIDAS node accepts (RSASSA-PSS, ECDSA), checked by another implementation ----------------


def _signxml_verify(document: etree._Element, cert_pem: str, method: SignatureMethod) -> etree._Element:
    """signxml (its own c14n and ``cryptography``) verifies the enveloped signature with ``cert_pem`` only."""
    config = SignatureConfiguration(
        require_x509=True,
        signature_methods=frozenset({method}),
        digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
    )
    result = XMLVerifier().verify(etree.tostring(document), x509_cert=cert_pem, expect_config=config)
    return result.signed_xml


def _ec_keys(settings, tmp_path) -> None:
    settings.EIDAS_SP_SIGNATURE_ALGORITHM = "ecdsa"
    settings.EIDAS_SP_EC_CERT = str(tmp_path / "sp-ec-cert.pem")
    settings.EIDAS_SP_EC_KEY = str(tmp_path / "sp-ec-key.pem")


def test_by_default_the_authn_request_is_signed_with_rsassa_pss(portal_client):
    request = authn_request_xml(portal_client)
    method = request.find(f"{DS}Signature/{DS}SignedInfo/{DS}SignatureMethod").get("Algorithm")
    assert method == "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"
    signed = _signxml_verify(request, sp_keys().cert_pem, SignatureMethod.SHA256_RSA_MGF1)
    assert signed.get("ID") == request.get("ID")  # the signature covers the whole request


def test_with_ecdsa_the_authn_request_is_signed_by_the_ec_key(portal_client, settings, tmp_path):
    _ec_keys(settings, tmp_path)
    request = authn_request_xml(portal_client)
    method = request.find(f"{DS}Signature/{DS}SignedInfo/{DS}SignatureMethod").get("Algorithm")
    assert method == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
    ec_cert = sp_signing_key().cert_pem
    assert isinstance(
        x509.load_pem_x509_certificate(ec_cert.encode()).public_key(), ec.EllipticCurvePublicKey
    )
    signed = _signxml_verify(request, ec_cert, SignatureMethod.ECDSA_SHA256)
    assert signed.find(f"{SAMLP}Extensions") is not None  # the eIDAS extensions are covered too
    stranger = self_signed_certificate(ec.generate_private_key(ec.SECP256R1()), common_name="another SP")
    with pytest.raises(InvalidSignature):
        _signxml_verify(request, stranger.decode(), SignatureMethod.ECDSA_SHA256)


def test_a_changed_authn_request_no_longer_verifies(portal_client):
    request = authn_request_xml(portal_client)
    request.set("ForceAuthn", "false")
    with pytest.raises(InvalidSignature):
        _signxml_verify(request, sp_keys().cert_pem, SignatureMethod.SHA256_RSA_MGF1)


def test_an_ecdsa_setting_with_an_rsa_key_is_refused_as_a_configuration_error(settings, tmp_path):
    _ec_keys(settings, tmp_path)
    settings.EIDAS_SP_GENERATE_KEYS = False
    rsa_keys = sp_keys()
    (tmp_path / "sp-ec-cert.pem").write_text(rsa_keys.cert_pem)
    (tmp_path / "sp-ec-key.pem").write_text(rsa_keys.key_pem)
    with pytest.raises(EidasConfigurationError, match="ecdsa signs with an EC key"):
        sp_signing_key()


def test_a_signing_key_that_is_not_the_certificates_is_refused(settings, tmp_path):
    _ec_keys(settings, tmp_path)
    sp_signing_key()  # generates the EC pair
    other = tmp_path / "other"
    other.mkdir()
    settings.EIDAS_SP_EC_KEY = str(other / "key.pem")
    settings.EIDAS_SP_EC_CERT = str(other / "cert.pem")
    sp_signing_key()
    settings.EIDAS_SP_EC_CERT = str(tmp_path / "sp-ec-cert.pem")
    with pytest.raises(EidasConfigurationError, match="not the signing key's"):
        sp_signing_key()


def _redirect_metadata(forged_sp, settings, tmp_path) -> None:
    """The forge IdP offering an HTTP-Redirect SSO (at the same address) beside its HTTP-POST one."""
    post = '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"'
    redirect = post.replace("HTTP-POST", "HTTP-Redirect")
    metadata = forged_sp.metadata.replace(post, f'{redirect} Location="{IDP_SSO_URL}"/>{post}')
    path = tmp_path / "idp-metadata-redirect.xml"
    path.write_text(metadata, encoding="utf-8")
    settings.EIDAS_IDP_METADATA = str(path)
    settings.EIDAS_AUTHN_REQUEST_BINDING = "redirect"


def _redirected(client) -> tuple[str, dict[str, str], str]:
    """Start a login; the raw query of the redirect to the IdP, its parameters decoded, and its address."""
    answer = client.post("/accounts/saml/eidas/login/")
    assert answer.status_code == 302, answer.content[:300]
    address, _, query = answer["Location"].partition("?")
    return query, {name: values[0] for name, values in parse_qs(query, strict_parsing=True).items()}, address


def _signed_octets(query: str) -> bytes:
    """SAML Bindings §3.4.4.1: the URL-encoded SAMLRequest, RelayState (if any) and SigAlg, as sent."""
    raw = dict(part.split("=", 1) for part in query.split("&"))
    return "&".join(f"{n}={raw[n]}" for n in ("SAMLRequest", "RelayState", "SigAlg") if n in raw).encode()


@pytest.mark.parametrize("algorithm", ["rsa-pss", "ecdsa"])
def test_with_the_redirect_binding_the_signature_is_in_the_query(
    portal_client, forged_sp, settings, tmp_path, algorithm
):
    _redirect_metadata(forged_sp, settings, tmp_path)
    if algorithm == "ecdsa":
        _ec_keys(settings, tmp_path)
    query, params, address = _redirected(portal_client)
    assert address == IDP_SSO_URL
    request = etree.fromstring(zlib.decompress(base64.b64decode(params["SAMLRequest"]), -15))
    assert request.find(f"{DS}Signature") is None  # §3.4.4.1: no XML signature in a redirected request
    assert request.find(f"{SAMLP}Extensions") is not None
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "saml-schema-protocol-2.0.xsd")))
    assert schema.validate(request), schema.error_log

    signature = base64.b64decode(params["Signature"])
    public_key = x509.load_pem_x509_certificate(sp_signing_key().cert_pem.encode()).public_key()
    if algorithm == "rsa-pss":
        assert params["SigAlg"] == "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"
        # An explicit salt length: PSS.AUTO would accept any, the XML Signature URI fixes it at 32 octets.
        pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
        public_key.verify(signature, _signed_octets(query), pss, hashes.SHA256())
    else:
        assert params["SigAlg"] == "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"
        assert len(signature) == 64  # r || s of P-256, as XML Signature defines the ecdsa-sha256 value
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        public_key.verify(der, _signed_octets(query), ec.ECDSA(hashes.SHA256()))
        with pytest.raises(InvalidSignature):
            public_key.verify(
                der, _signed_octets(query).replace(b"SigAlg", b"SigAlh"), ec.ECDSA(hashes.SHA256())
            )

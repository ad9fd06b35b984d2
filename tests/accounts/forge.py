"""Crafted SAML responses for the SP's tests: a trusted "forge" IdP (RSA and EC keys in its
metadata), an untrusted key, and a response builder whose output each test then bends.

Signatures and encryption are real (python-xmlsec, through the test IdP's ``xmlcrypto``).
"""

from __future__ import annotations

import base64
import datetime
import uuid
from dataclasses import dataclass, field, replace
from functools import cached_property

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree

from accounts.certificates import private_key_pem, self_signed_certificate
from simulators.eidas_idp.xmlcrypto import SAML_NS, SAMLP_NS, assertion_encrypt, element_sign

IDP_ENTITY_ID = "https://idp.forge.example/metadata"
IDP_SSO_URL = "https://idp.forge.example/sso"
PORTAL_HOST = "portal.example.eu"
ACS_URL = f"http://{PORTAL_HOST}/accounts/saml/eidas/acs/"
SP_ENTITY_ID = f"http://{PORTAL_HOST}/accounts/saml/eidas/metadata/"
LOA = "http://eidas.europa.eu/LoA/"
NATURAL = "http://eidas.europa.eu/attributes/naturalperson/"
LEGAL = "http://eidas.europa.eu/attributes/legalperson/"


@dataclass(frozen=True)
class KeyPair:
    key_pem: bytes
    cert_pem: bytes

    @property
    def cert_base64(self) -> str:
        return "".join(line for line in self.cert_pem.decode().splitlines() if not line.startswith("-----"))


def key_pair_create(kind: str = "rsa") -> KeyPair:
    key = ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa.generate_private_key(65537, 2048)
    certificate = self_signed_certificate(key, common_name=f"forge {kind}", days=30)
    return KeyPair(private_key_pem(key), certificate)


@dataclass
class ForgeIdp:
    rsa: KeyPair = field(default_factory=key_pair_create)
    ec: KeyPair = field(default_factory=lambda: key_pair_create("ec"))
    untrusted: KeyPair = field(default_factory=key_pair_create)

    @cached_property
    def metadata(self) -> str:
        descriptors = "".join(
            f'<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{pair.cert_base64}'
            "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            for pair in (self.rsa, self.ec)
        )
        return (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{IDP_ENTITY_ID}">'
            '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol" '
            f'WantAuthnRequestsSigned="true">{descriptors}'
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" '
            f'Location="{IDP_SSO_URL}"/></md:IDPSSODescriptor></md:EntityDescriptor>'
        )


def _instant(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


NATURAL_PERSON = {
    NATURAL + "PersonIdentifier": "BE/BE/90010100042",
    NATURAL + "CurrentFamilyName": "Janssens",
    NATURAL + "CurrentGivenName": "Els",
    NATURAL + "DateOfBirth": "1990-01-01",
}


@dataclass(frozen=True)
class ResponseSpec:
    in_response_to: str | None
    loa: str = "substantial"
    attributes: dict[str, str] = field(default_factory=lambda: dict(NATURAL_PERSON))
    issuer: str = IDP_ENTITY_ID
    destination: str = ACS_URL
    recipient: str = ACS_URL
    audience: str = SP_ENTITY_ID
    not_before_offset: int = -60  # seconds from now
    not_on_or_after_offset: int = 300
    status: str = "urn:oasis:names:tc:SAML:2.0:status:Success"
    response_id: str = field(default_factory=lambda: "_r" + uuid.uuid4().hex)
    assertion_id: str = field(default_factory=lambda: "_a" + uuid.uuid4().hex)

    def but(self, **changes: object) -> ResponseSpec:
        return replace(self, **changes)  # type: ignore[arg-type]


def response_build(spec: ResponseSpec) -> etree._Element:
    now = datetime.datetime.now(datetime.UTC)
    not_before = _instant(now + datetime.timedelta(seconds=spec.not_before_offset))
    not_after = _instant(now + datetime.timedelta(seconds=spec.not_on_or_after_offset))
    in_response_to = f' InResponseTo="{spec.in_response_to}"' if spec.in_response_to else ""
    attributes = "".join(
        f'<saml:Attribute Name="{name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">'
        f'<saml:AttributeValue xsi:type="xs:string">{value}</saml:AttributeValue></saml:Attribute>'
        for name, value in spec.attributes.items()
    )
    name_id = spec.attributes.get(NATURAL + "PersonIdentifier") or spec.attributes.get(
        LEGAL + "LegalPersonIdentifier", "nobody"
    )
    xml = f"""<samlp:Response xmlns:samlp="{SAMLP_NS}" xmlns:saml="{SAML_NS}"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 ID="{spec.response_id}" Version="2.0" IssueInstant="{_instant(now)}"
 Destination="{spec.destination}"{in_response_to}>
<saml:Issuer>{spec.issuer}</saml:Issuer>
<samlp:Status><samlp:StatusCode Value="{spec.status}"/></samlp:Status>
<saml:Assertion ID="{spec.assertion_id}" Version="2.0" IssueInstant="{_instant(now)}">
<saml:Issuer>{spec.issuer}</saml:Issuer>
<saml:Subject>
<saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{name_id}</saml:NameID>
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
<saml:SubjectConfirmationData{in_response_to} NotOnOrAfter="{not_after}" Recipient="{spec.recipient}"/>
</saml:SubjectConfirmation></saml:Subject>
<saml:Conditions NotBefore="{not_before}" NotOnOrAfter="{not_after}">
<saml:AudienceRestriction><saml:Audience>{spec.audience}</saml:Audience></saml:AudienceRestriction>
</saml:Conditions>
<saml:AuthnStatement AuthnInstant="{_instant(now)}" SessionIndex="_s{uuid.uuid4().hex}">
<saml:AuthnContext><saml:AuthnContextClassRef>{LOA}{spec.loa}</saml:AuthnContextClassRef></saml:AuthnContext>
</saml:AuthnStatement>
<saml:AttributeStatement>{attributes}</saml:AttributeStatement>
</saml:Assertion>
</samlp:Response>"""
    return etree.fromstring(xml.encode("utf-8"), etree.XMLParser(remove_blank_text=True))


def assertion_of(root: etree._Element) -> etree._Element:
    found = root.find(f"{{{SAML_NS}}}Assertion")
    assert found is not None
    return found


def sign(
    root: etree._Element,
    pair: KeyPair,
    *,
    method: str = "rsa-sha256",
    assertion: bool = True,
    response: bool = True,
) -> etree._Element:
    """Sign the assertion and then the response (eIDAS signs both), in place."""
    if assertion:
        element_sign(assertion_of(root), key_pem=pair.key_pem, cert_pem=pair.cert_pem, method=method)
    if response:
        element_sign(root, key_pem=pair.key_pem, cert_pem=pair.cert_pem, method=method)
    return root


def encrypt(root: etree._Element, recipient_cert_pem: bytes, method: str = "aes256-gcm") -> etree._Element:
    assertion_encrypt(assertion_of(root), recipient_cert_pem=recipient_cert_pem, method=method)
    return root


def encode(document: etree._Element | bytes) -> str:
    raw = document if isinstance(document, bytes) else etree.tostring(document)
    return base64.b64encode(raw).decode("ascii")

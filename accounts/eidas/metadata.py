"""The SP's SAML metadata, signed, with ``validUntil`` and the eIDAS ``SPType`` extension (eIDAS
SAML Message Format v1.2 §2.3: nodes read the SP type from the metadata).

Signed like the AuthnRequests (RSASSA-PSS or ECDSA, ``accounts.eidas.signing``), and saying so: the signing
key's certificate is the ``signing`` KeyDescriptor, the RSA certificate the ``encryption`` one (assertions are
encrypted to an RSA key, RSA-OAEP), and ``alg:SigningMethod``/``alg:DigestMethod`` (SAML v2.0 Metadata Profile
for Algorithm Support) name the algorithms the SP signs with."""

from __future__ import annotations

import datetime

from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.metadata import OneLogin_Saml2_Metadata
from onelogin.saml2.settings import OneLogin_Saml2_Settings
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from accounts.eidas.authn_request import EIDAS_NS
from accounts.eidas.config import sp_signing_key
from accounts.eidas.signing import DS_NS, SHA256_DIGEST, SigningKey, xml_sign

_MD = f"{{{C.NS_MD}}}"
ALG_NS = "urn:oasis:names:tc:SAML:metadata:algsupport"


def _key_descriptor(use: str, cert_pem: str) -> etree._Element:
    descriptor = etree.Element(_MD + "KeyDescriptor", use=use, nsmap={"md": C.NS_MD, "ds": DS_NS})
    data = etree.SubElement(etree.SubElement(descriptor, f"{{{DS_NS}}}KeyInfo"), f"{{{DS_NS}}}X509Data")
    body = "".join(line for line in cert_pem.strip().splitlines() if not line.startswith("-----"))
    etree.SubElement(data, f"{{{DS_NS}}}X509Certificate").text = body
    return descriptor


def sp_metadata_build(
    saml_settings: OneLogin_Saml2_Settings,
    *,
    sp_type: str,
    valid_hours: int,
    signing_key: SigningKey | None = None,
) -> bytes:
    """The signed metadata; ``signing_key`` defaults to the configured one (``config.sp_signing_key``)."""
    if signing_key is None:
        signing_key = sp_signing_key()
    sp = saml_settings.get_sp_data()
    security = saml_settings.get_security_data()
    valid_until = datetime.datetime.now(datetime.UTC) + datetime.timedelta(hours=valid_hours)
    xml = OneLogin_Saml2_Metadata.builder(
        sp,
        authnsign=True,
        wsign=security["wantAssertionsSigned"],
        valid_until=valid_until.strftime("%Y-%m-%dT%H:%M:%SZ"),
        cache_duration="PT1H",
    )
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    descriptor = root.find(_MD + "SPSSODescriptor")
    assert descriptor is not None
    # KeyDescriptors come first in an SSODescriptor (after Extensions, which python3-saml does not write).
    descriptor.insert(0, _key_descriptor("encryption", sp["x509cert"]))
    descriptor.insert(0, _key_descriptor("signing", signing_key.cert_pem))
    extensions = etree.Element(_MD + "Extensions", nsmap={"md": C.NS_MD, "eidas": EIDAS_NS, "alg": ALG_NS})
    etree.SubElement(extensions, f"{{{EIDAS_NS}}}SPType").text = sp_type
    etree.SubElement(extensions, f"{{{ALG_NS}}}DigestMethod", Algorithm=SHA256_DIGEST)
    etree.SubElement(extensions, f"{{{ALG_NS}}}SigningMethod", Algorithm=signing_key.algorithm.uri)
    root.insert(0, extensions)
    if not root.get("ID"):
        root.set("ID", OneLogin_Saml2_Utils.generate_unique_id())
    return xml_sign(root, signing_key)

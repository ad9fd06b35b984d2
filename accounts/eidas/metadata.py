"""The SP's SAML metadata, signed, with ``validUntil`` and the eIDAS ``SPType`` extension (eIDAS
SAML Message Format v1.2 §2.3: nodes read the SP type from the metadata)."""

from __future__ import annotations

import datetime

from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.metadata import OneLogin_Saml2_Metadata
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from accounts.eidas.authn_request import EIDAS_NS

_MD = f"{{{C.NS_MD}}}"


def sp_metadata_build(saml_settings: OneLogin_Saml2_Settings, *, sp_type: str, valid_hours: int) -> bytes:
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
    # Both key uses: the node encrypts assertions to the SP whether or not we insist on it.
    xml = OneLogin_Saml2_Metadata.add_x509_key_descriptors(xml, sp["x509cert"], add_encryption=True)
    root = etree.fromstring(xml.encode() if isinstance(xml, str) else xml)
    extensions = etree.Element(_MD + "Extensions", nsmap={"md": C.NS_MD, "eidas": EIDAS_NS})
    etree.SubElement(extensions, f"{{{EIDAS_NS}}}SPType").text = sp_type
    root.insert(0, extensions)
    signed = OneLogin_Saml2_Metadata.sign_metadata(
        etree.tostring(root),
        sp["privateKey"],
        sp["x509cert"],
        security["signatureAlgorithm"],
        security["digestAlgorithm"],
    )
    return signed if isinstance(signed, bytes) else signed.encode("utf-8")

"""XML encryption and signing with python-xmlsec, for what pysaml2 cannot do right here.

pysaml2's own assertion encryption rewrites namespace prefixes, which then breaks the SP's check of
the signature (TOOLING.md, SAML). So the IdP lets pysaml2 sign the assertion, encrypts it here
(AES-GCM, key transported with RSA-OAEP) keeping the Response's prefixes, and signs the Response
here afterwards. The tests' crafted responses use the same two functions.
"""

from __future__ import annotations

import xmlsec
from lxml import etree

SAML_NS = "urn:oasis:names:tc:SAML:2.0:assertion"
SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol"

SIGNATURE_METHODS = {
    "rsa-sha256": (xmlsec.Transform.RSA_SHA256, "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"),
    # RSASSA-PSS (RFC 6931): libxmlsec 1.3 implements it, python-xmlsec has no constant for it, so
    # the template is made for RSA-SHA256 and its Algorithm rewritten (xmlsec reads it from there).
    "rsa-pss-sha256": (xmlsec.Transform.RSA_SHA256, "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1"),
    "ecdsa-sha256": (xmlsec.Transform.ECDSA_SHA256, "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256"),
}
ENCRYPTION_METHODS = {"aes128-gcm": xmlsec.Transform.AES128_GCM, "aes256-gcm": xmlsec.Transform.AES256_GCM}


def element_sign(
    element: etree._Element, *, key_pem: bytes, cert_pem: bytes, method: str = "rsa-sha256"
) -> None:
    """Enveloped signature over ``element`` (by its ID), placed right after its Issuer as SAML requires."""
    transform, algorithm = SIGNATURE_METHODS[method]
    signature = xmlsec.template.create(element, xmlsec.Transform.EXCL_C14N, transform, ns="ds")
    signature_method = signature.find(".//{http://www.w3.org/2000/09/xmldsig#}SignatureMethod")
    assert signature_method is not None
    signature_method.set("Algorithm", algorithm)
    issuer = element.find(f"{{{SAML_NS}}}Issuer")
    if issuer is not None:
        issuer.addnext(signature)
    else:
        element.insert(0, signature)
    reference = xmlsec.template.add_reference(signature, xmlsec.Transform.SHA256, uri="#" + element.get("ID"))
    xmlsec.template.add_transform(reference, xmlsec.Transform.ENVELOPED)
    xmlsec.template.add_transform(reference, xmlsec.Transform.EXCL_C14N)
    xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
    context = xmlsec.SignatureContext()
    context.register_id(element, "ID")
    key = xmlsec.Key.from_memory(key_pem, xmlsec.KeyFormat.PEM)
    key.load_cert_from_memory(cert_pem, xmlsec.KeyFormat.CERT_PEM)
    context.key = key
    context.sign(signature)


def assertion_encrypt(
    assertion: etree._Element, *, recipient_cert_pem: bytes, method: str = "aes256-gcm"
) -> etree._Element:
    """Replace ``assertion`` in its tree by a ``saml:EncryptedAssertion``; return the latter."""
    parent = assertion.getparent()
    assert parent is not None
    index = parent.index(assertion)
    encrypted_assertion = etree.Element(f"{{{SAML_NS}}}EncryptedAssertion")
    parent.insert(index, encrypted_assertion)
    encrypted_assertion.append(assertion)  # moved inside, so the EncryptedData takes its place there

    template = xmlsec.template.encrypted_data_create(
        encrypted_assertion, ENCRYPTION_METHODS[method], type=xmlsec.EncryptionType.ELEMENT, ns="xenc"
    )
    xmlsec.template.encrypted_data_ensure_cipher_value(template)
    key_info = xmlsec.template.encrypted_data_ensure_key_info(template, ns="ds")
    encrypted_key = xmlsec.template.add_encrypted_key(key_info, xmlsec.Transform.RSA_OAEP)
    xmlsec.template.encrypted_data_ensure_cipher_value(encrypted_key)

    manager = xmlsec.KeysManager()
    manager.add_key(xmlsec.Key.from_memory(recipient_cert_pem, xmlsec.KeyFormat.CERT_PEM))
    context = xmlsec.EncryptionContext(manager)
    size = 128 if method == "aes128-gcm" else 256
    context.key = xmlsec.Key.generate(xmlsec.KeyData.AES, size, xmlsec.KeyDataType.SESSION)
    context.encrypt_xml(template, assertion)
    return encrypted_assertion

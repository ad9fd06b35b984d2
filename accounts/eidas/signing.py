"""The SP's signatures in the algorithms the eIDAS network accepts: RSASSA-PSS or ECDSA, never PKCS#1 v1.5.

The eIDAS cryptographic requirements exclude RSA PKCS#1 v1.5 (``rsa-sha256``) for the network's SAML messages;
a node that applies them refuses an AuthnRequest so signed. The SP signs with one of:

* ``rsa-pss``: RSASSA-PSS with SHA-256 and MGF1-SHA-256, salt of the hash's length (RFC 6931 §2.3.10),
  ``http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1``, with an RSA key;
* ``ecdsa``: ECDSA with SHA-256, ``http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256``, with an EC key
  (P-256 for the generated demo key).

Two forms, one per SAML binding (SAML 2.0 Bindings):

* HTTP-POST and the metadata: an enveloped XML signature (exclusive c14n, SHA-256 digest, the certificate in
  KeyInfo). python3-saml's ``add_sign`` knows only the PKCS#1 algorithms (it silently falls back to
  ``rsa-sha256`` for any other), so the template is built here and libxmlsec, which implements both
  algorithms, signs it.
* HTTP-Redirect (§3.4.4.1): the request DEFLATE-compressed without a signature, and the signature over the
  URL-encoded ``SAMLRequest=…&RelayState=…&SigAlg=…`` octets in the ``Signature`` parameter, made here with
  ``cryptography``. For ECDSA the value is ``r || s`` (XML Signature 1.1 §6.4.3 defines the ``ecdsa-sha256``
  value so, and ``SigAlg`` names that algorithm), not the DER form.
"""

from __future__ import annotations

import base64
import enum
import zlib
from dataclasses import dataclass
from functools import cached_property
from typing import Final
from urllib.parse import quote

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from lxml import etree

DS_NS: Final = "http://www.w3.org/2000/09/xmldsig#"
SHA256_DIGEST: Final = "http://www.w3.org/2001/04/xmlenc#sha256"
_DS = f"{{{DS_NS}}}"


class SignatureAlgorithm(enum.StrEnum):
    """``EIDAS_SP_SIGNATURE_ALGORITHM``: which algorithm (and hence which key) signs."""

    RSA_PSS = "rsa-pss"
    ECDSA = "ecdsa"

    @property
    def uri(self) -> str:
        return _URIS[self]


_URIS: Final = {
    SignatureAlgorithm.RSA_PSS: "http://www.w3.org/2007/05/xmldsig-more#sha256-rsa-MGF1",
    SignatureAlgorithm.ECDSA: "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256",
}
ALGORITHM_URIS: Final = frozenset(_URIS.values())


class SigningKeyError(ValueError):
    """A key that cannot sign with the configured algorithm (wrong type, or not the certificate's key)."""


@dataclass(frozen=True)
class SigningKey:
    """The SP's signing key and certificate (PEM) for one algorithm, checked to belong together."""

    algorithm: SignatureAlgorithm
    key_pem: str
    cert_pem: str

    def __post_init__(self) -> None:
        expected = (
            rsa.RSAPrivateKey if self.algorithm is SignatureAlgorithm.RSA_PSS else ec.EllipticCurvePrivateKey
        )
        if not isinstance(self.private_key, expected):
            kind = "an RSA" if expected is rsa.RSAPrivateKey else "an EC"
            raise SigningKeyError(f"{self.algorithm} signs with {kind} key; the configured key is not one")
        if self.certificate.public_key() != self.private_key.public_key():
            raise SigningKeyError("the signing certificate is not the signing key's")

    @cached_property
    def private_key(self) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
        try:
            key = serialization.load_pem_private_key(self.key_pem.encode("ascii"), password=None)
        except ValueError as exc:
            raise SigningKeyError(f"the signing key is not a PEM private key: {exc}") from None
        if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
            raise SigningKeyError("the signing key is neither RSA nor EC")
        return key

    @cached_property
    def certificate(self) -> x509.Certificate:
        try:
            return x509.load_pem_x509_certificate(self.cert_pem.encode("ascii"))
        except ValueError as exc:
            raise SigningKeyError(f"the signing certificate is not a PEM certificate: {exc}") from None

    def sign(self, data: bytes) -> bytes:
        """The raw signature value of ``data`` (what XML Signature and the redirect binding carry)."""
        key = self.private_key
        if isinstance(key, rsa.RSAPrivateKey):
            return key.sign(
                data,
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=hashes.SHA256.digest_size),
                hashes.SHA256(),
            )
        r, s = utils.decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        size = (key.curve.key_size + 7) // 8
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def xml_sign(root: etree._Element, key: SigningKey, *, after: etree._Element | None = None) -> bytes:
    """Sign ``root`` with an enveloped signature placed right after ``after`` (the Issuer, as the SAML
    protocol schema orders it) or first (metadata's EntityDescriptor); the signed document."""
    element_id = root.get("ID")
    if not element_id:
        raise ValueError("the element to sign has no ID")
    # Any PKCS#1 transform gives the template's shape; the algorithm is what SignatureMethod names, and
    # libxmlsec signs with the one named there.
    signature = xmlsec.template.create(root, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256, ns="ds")
    method = signature.find(f"{_DS}SignedInfo/{_DS}SignatureMethod")
    assert method is not None
    method.set("Algorithm", key.algorithm.uri)
    if after is not None:
        after.addnext(signature)
    else:
        root.insert(0, signature)
    reference = xmlsec.template.add_reference(signature, xmlsec.Transform.SHA256, uri=f"#{element_id}")
    xmlsec.template.add_transform(reference, xmlsec.Transform.ENVELOPED)
    xmlsec.template.add_transform(reference, xmlsec.Transform.EXCL_C14N)
    key_info = xmlsec.template.ensure_key_info(signature)
    xmlsec.template.add_x509_data(key_info)
    xmlsec.tree.add_ids(root, ["ID"])
    context = xmlsec.SignatureContext()
    context.key = xmlsec.Key.from_memory(key.key_pem, xmlsec.KeyFormat.PEM)
    context.key.load_cert_from_memory(key.cert_pem, xmlsec.KeyFormat.CERT_PEM)
    context.sign(signature)
    return etree.tostring(root)


def redirect_query(xml: bytes, key: SigningKey, *, relay_state: str = "") -> str:
    """The HTTP-Redirect query string (SAML Bindings §3.4.4.1) for an unsigned request: ``SAMLRequest``
    (DEFLATE, base64), ``RelayState``, ``SigAlg`` and the ``Signature`` over exactly those encoded octets."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)  # raw DEFLATE (RFC 1951), no zlib header
    deflated = compressor.compress(xml) + compressor.flush()
    pairs = [("SAMLRequest", base64.b64encode(deflated).decode("ascii"))]
    if relay_state:
        pairs.append(("RelayState", relay_state))
    pairs.append(("SigAlg", key.algorithm.uri))
    signed = "&".join(f"{name}={quote(value, safe='')}" for name, value in pairs)
    signature = base64.b64encode(key.sign(signed.encode("ascii"))).decode("ascii")
    return f"{signed}&Signature={quote(signature, safe='')}"

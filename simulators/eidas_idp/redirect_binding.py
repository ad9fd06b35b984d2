"""The test IdP's side of the signatures an eIDAS node accepts on AuthnRequests (RSASSA-PSS, ECDSA).

pysaml2 7.4 checks an HTTP-Redirect signature only for the PKCS#1 algorithms (``rsa-sha*``), which the
eIDAS network excludes; so the query's ``Signature`` is checked here, with ``cryptography``, against the
signing certificates of the SP's metadata, as SAML Bindings §3.4.4.1 says: over the octets of
``SAMLRequest``, ``RelayState`` (if any) and ``SigAlg`` exactly as they arrived URL-encoded. HTTP-POST
signatures are checked by pysaml2 through ``saml_crypto`` (libxmlsec knows both algorithms);
``signature_algorithm_check`` refuses there, before it, the algorithms a strict eIDAS node refuses.
"""

from __future__ import annotations

import base64
from urllib.parse import unquote, unquote_plus

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils
from django.utils.translation import gettext as _
from lxml import etree

from accounts.eidas.signing import ALGORITHM_URIS, DS_NS, SignatureAlgorithm


class RedirectSignatureError(Exception):
    """The redirect's signature is missing, of a refused algorithm, or does not verify."""


def _not_accepted(algorithm: str) -> RedirectSignatureError:
    return RedirectSignatureError(
        _("The signature algorithm %(algorithm)s is not one the eIDAS network accepts (RSASSA-PSS, ECDSA).")
        % {"algorithm": algorithm or "(none)"}
    )


def signature_algorithm_check(root: etree._Element) -> None:
    """An HTTP-POST request's enveloped signature must use an algorithm the eIDAS network accepts."""
    method = root.find(f"{{{DS_NS}}}Signature/{{{DS_NS}}}SignedInfo/{{{DS_NS}}}SignatureMethod")
    algorithm = method.get("Algorithm", "") if method is not None else ""
    if algorithm not in ALGORITHM_URIS:
        raise _not_accepted(algorithm)


def redirect_signature_verify(query_string: str, certificates: list[x509.Certificate]) -> None:
    """Check the ``Signature`` of a redirect's raw query string with one of ``certificates``."""
    raw: dict[str, str] = {}
    for part in query_string.split("&"):
        name, _sep, value = part.partition("=")
        if name in raw:
            raise RedirectSignatureError(_("The request repeats the parameter %(name)s.") % {"name": name})
        raw[name] = value
    if "SAMLRequest" not in raw or "Signature" not in raw:
        raise RedirectSignatureError(_("The redirected AuthnRequest is not signed."))
    algorithm = unquote_plus(raw.get("SigAlg", ""))
    if algorithm not in ALGORITHM_URIS:
        raise _not_accepted(algorithm)
    signed = "&".join(
        f"{name}={raw[name]}" for name in ("SAMLRequest", "RelayState", "SigAlg") if name in raw
    )
    try:
        signature = base64.b64decode(unquote(raw["Signature"]), validate=True)
    except ValueError:
        raise RedirectSignatureError(_("The Signature parameter is not base64.")) from None
    for certificate in certificates:
        if _verifies(
            certificate, SignatureAlgorithm(_ALGORITHMS[algorithm]), signed.encode("ascii"), signature
        ):
            return
    raise RedirectSignatureError(_("The signature does not verify with the SP's signing certificate."))


_ALGORITHMS = {algorithm.uri: algorithm.value for algorithm in SignatureAlgorithm}


def _verifies(
    certificate: x509.Certificate, algorithm: SignatureAlgorithm, data: bytes, signature: bytes
) -> bool:
    key = certificate.public_key()
    try:
        if algorithm is SignatureAlgorithm.RSA_PSS and isinstance(key, rsa.RSAPublicKey):
            key.verify(
                signature,
                data,
                padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=hashes.SHA256.digest_size),
                hashes.SHA256(),
            )
            return True
        if algorithm is SignatureAlgorithm.ECDSA and isinstance(key, ec.EllipticCurvePublicKey):
            size = (key.curve.key_size + 7) // 8
            if len(signature) != 2 * size:
                return False  # XML Signature's r || s, each of the curve's size
            r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
            key.verify(utils.encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
            return True
    except InvalidSignature:
        return False
    return False

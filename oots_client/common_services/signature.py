"""The detached JWS on Common Services API 2.0 answers (header ``oots-response-sig``).

What the real services send (checked on the captures in ``oots-spec/samples/oots-france-v2.0/
common_services``): a JAdES compact JWS with an empty payload part and the protected header
``{"alg": "ES256", "x5c": [...], "b64": false, "crit": ["b64", "sigD"],
"sigD": {"mId": "http://uri.etsi.org/19182/HttpHeaders", "pars": ["digest"]}, ...}``. The signed content is
the HTTP header lines named in ``sigD.pars`` (``digest: SHA-256=<base64>``, ETSI TS 119 182-1 §5.2.8), and
the ``digest`` header is the SHA-256 of the body: the body is covered through its digest, so a changed body
and a changed header both break the check.

``verify_answer`` checks all of that plus the certificate: the signing certificate (``x5c[0]``) must be
valid now and its chain must reach one of the configured certificates. ``sign_answer`` produces the same
form (used by the simulator and the tests).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any, Final

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa, utils

from oots_client.common_services.errors import SignatureError

SIGNATURE_HEADER: Final = "oots-response-sig"
DIGEST_HEADER: Final = "digest"
HTTP_HEADERS_MECHANISM: Final = "http://uri.etsi.org/19182/HttpHeaders"

_HASHES: Final[dict[str, type[hashes.HashAlgorithm]]] = {
    "256": hashes.SHA256,
    "384": hashes.SHA384,
    "512": hashes.SHA512,
}
_DIGESTS: Final = {"SHA-256": hashlib.sha256, "SHA-512": hashlib.sha512}


def _b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, TypeError):
        raise SignatureError("the signature is not base64url") from None


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def load_certificates(blobs: Sequence[bytes]) -> tuple[x509.Certificate, ...]:
    """PEM (one or several certificates per blob) or DER certificates."""
    certs: list[x509.Certificate] = []
    for blob in blobs:
        if b"-----BEGIN" in blob:
            certs.extend(x509.load_pem_x509_certificates(blob))
        else:
            certs.append(x509.load_der_x509_certificate(blob))
    return tuple(certs)


def body_digest(body: bytes, algorithm: str = "SHA-256") -> str:
    """The ``digest`` header value for a body (RFC 3230 form, ``SHA-256=<base64>``)."""
    return f"{algorithm}={base64.b64encode(_DIGESTS[algorithm](body).digest()).decode('ascii')}"


def _check_digest(body: bytes, header: str | None) -> None:
    if not header:
        raise SignatureError("the answer has no digest header")
    algorithm, _, value = header.strip().partition("=")
    if algorithm.upper() not in _DIGESTS:
        raise SignatureError(f"unsupported digest algorithm {algorithm!r}")
    if body_digest(body, algorithm.upper()) != f"{algorithm.upper()}={value}":
        raise SignatureError("the digest header does not match the body (the body was changed)")


def _verify_raw(cert: x509.Certificate, alg: str, signed: bytes, signature: bytes) -> None:
    key = cert.public_key()
    hash_cls = _HASHES.get(alg[2:])
    if hash_cls is None:
        raise SignatureError(f"unsupported JWS algorithm {alg!r}")
    try:
        if alg.startswith("ES") and isinstance(key, ec.EllipticCurvePublicKey):
            half = len(signature) // 2
            der = utils.encode_dss_signature(
                int.from_bytes(signature[:half], "big"), int.from_bytes(signature[half:], "big")
            )
            key.verify(der, signed, ec.ECDSA(hash_cls()))
        elif alg.startswith("RS") and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signed, padding.PKCS1v15(), hash_cls())
        elif alg.startswith("PS") and isinstance(key, rsa.RSAPublicKey):
            key.verify(
                signature,
                signed,
                padding.PSS(mgf=padding.MGF1(hash_cls()), salt_length=padding.PSS.DIGEST_LENGTH),
                hash_cls(),
            )
        else:
            raise SignatureError(f"JWS algorithm {alg!r} does not match the certificate's key")
    except InvalidSignature:
        raise SignatureError(
            "the signature does not verify (a signed header or the body was changed)"
        ) from None


def _chain_trusted(chain: Sequence[x509.Certificate], trusted: Sequence[x509.Certificate]) -> bool:
    trusted_der = {c.public_bytes(serialization.Encoding.DER) for c in trusted}
    for index, cert in enumerate(chain):
        if cert.public_bytes(serialization.Encoding.DER) in trusted_der:
            return True
        issuers = list(chain[index + 1 : index + 2]) or []
        for anchor in trusted:
            try:
                cert.verify_directly_issued_by(anchor)
                return True
            except (ValueError, TypeError, InvalidSignature):
                continue
        if not issuers:
            return False
        try:
            cert.verify_directly_issued_by(issuers[0])
        except (ValueError, TypeError, InvalidSignature):
            return False
    return False


def verify_answer(
    body: bytes,
    headers: Mapping[str, str],
    trusted: Sequence[x509.Certificate],
    *,
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """Check the detached JWS of an answer; return the signing certificate or raise :class:`SignatureError`.

    ``headers`` must be looked up case-insensitively (``requests``' headers are).
    """
    token = headers.get(SIGNATURE_HEADER)
    if not token:
        raise SignatureError(f"the answer has no {SIGNATURE_HEADER} header")
    parts = token.strip().split(".")
    if len(parts) != 3 or parts[1] != "":
        raise SignatureError("the signature is not a detached compact JWS")
    try:
        protected: Any = json.loads(_b64url_decode(parts[0]))
    except ValueError:
        raise SignatureError("the JWS protected header is not JSON") from None
    if not isinstance(protected, dict):
        raise SignatureError("the JWS protected header is not a JSON object")
    alg = str(protected.get("alg", ""))
    if alg == "none" or not alg:
        raise SignatureError("the JWS has no algorithm")
    sig_d = protected.get("sigD")
    if (
        protected.get("b64") is not False
        or not isinstance(sig_d, dict)
        or sig_d.get("mId") != HTTP_HEADERS_MECHANISM
        or not isinstance(sig_d.get("pars"), list)
    ):
        raise SignatureError("the JWS is not a JAdES detached signature over HTTP headers")
    crit = protected.get("crit", [])
    if not isinstance(crit, list) or not {"b64", "sigD"} <= set(crit):
        raise SignatureError("the JWS does not mark b64 and sigD as critical")
    pars = [str(p).lower() for p in sig_d["pars"]]
    if DIGEST_HEADER not in pars:
        raise SignatureError("the signature does not cover the digest header, hence not the body")
    _check_digest(body, headers.get(DIGEST_HEADER))
    lines = []
    for name in pars:
        value = headers.get(name)
        if value is None:
            raise SignatureError(f"the signed header {name!r} is missing")
        lines.append(f"{name}: {value.strip()}")
    signed = (parts[0] + "." + "\n".join(lines)).encode("utf-8")
    signature = _b64url_decode(parts[2])

    chain: list[x509.Certificate] = []
    for entry in protected.get("x5c") or []:
        try:
            chain.append(x509.load_der_x509_certificate(base64.b64decode(str(entry))))
        except ValueError:
            raise SignatureError("the JWS x5c holds an unreadable certificate") from None
    if not trusted:
        raise SignatureError("no trusted certificate is configured for the Common Services signature")
    if chain:
        leaf = chain[0]
        _verify_raw(leaf, alg, signed, signature)
        if not _chain_trusted(chain, trusted):
            raise SignatureError("the signing certificate is not issued by a trusted certificate")
    else:
        # No x5c: the key must be one of the configured certificates.
        for candidate in trusted:
            try:
                _verify_raw(candidate, alg, signed, signature)
                leaf = candidate
                break
            except SignatureError:
                continue
        else:
            raise SignatureError("the signature does not verify with any trusted certificate")
    moment = now or dt.datetime.now(dt.UTC)
    if not (leaf.not_valid_before_utc <= moment <= leaf.not_valid_after_utc):
        raise SignatureError("the signing certificate is not valid now")
    thumbprint = protected.get("x5t#o")
    if isinstance(thumbprint, dict) and chain:
        digest_name = {"S256": hashlib.sha256, "S512": hashlib.sha512}.get(str(thumbprint.get("digAlg")))
        if digest_name is not None:
            expected = digest_name(leaf.public_bytes(serialization.Encoding.DER)).digest()
            if _b64url_decode(str(thumbprint.get("digVal", ""))) != expected:
                raise SignatureError("the x5t#o thumbprint does not match the signing certificate")
    return leaf


def sign_answer(
    body: bytes,
    key: ec.EllipticCurvePrivateKey,
    chain: Sequence[x509.Certificate],
    *,
    now: dt.datetime | None = None,
) -> dict[str, str]:
    """The ``digest`` and ``oots-response-sig`` headers for an answer body (ES256, as the real services)."""
    digest = body_digest(body)
    leaf_der = chain[0].public_bytes(serialization.Encoding.DER)
    protected = {
        "alg": "ES256",
        "typ": "jose",
        "x5c": [base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode("ascii") for c in chain],
        "x5t#o": {"digAlg": "S512", "digVal": _b64url(hashlib.sha512(leaf_der).digest())},
        "b64": False,
        "iat": int((now or dt.datetime.now(dt.UTC)).timestamp()),
        "sigD": {"mId": HTTP_HEADERS_MECHANISM, "pars": [DIGEST_HEADER]},
        "crit": ["b64", "sigD"],
    }
    encoded = _b64url(json.dumps(protected, separators=(",", ":")).encode("utf-8"))
    der = key.sign(f"{encoded}.{DIGEST_HEADER}: {digest}".encode(), ec.ECDSA(hashes.SHA256()))
    r, s = utils.decode_dss_signature(der)
    size = (key.curve.key_size + 7) // 8
    raw = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return {DIGEST_HEADER: digest, SIGNATURE_HEADER: f"{encoded}..{_b64url(raw)}"}

"""The detached JWS on Common Services API 2.0 answers (header ``oots-response-sig``).

What the real services send (checked on the captures in ``oots-spec/samples/oots-france-v2.0/
common_services``): a JAdES compact JWS with an empty payload part and the protected header
``{"alg": "ES256", "x5c": [...], "b64": false, "crit": ["b64", "sigD"],
"sigD": {"mId": "http://uri.etsi.org/19182/HttpHeaders", "pars": ["digest"]}, ...}``. The signed content is
the HTTP header lines named in ``sigD.pars`` (``digest: SHA-256=<base64>``, ETSI TS 119 182-1 §5.2.8), and
the ``digest`` header is the SHA-256 of the body: the body is covered through its digest, so a changed body
and a changed header both break the check.

``verify_answer`` checks all of that plus the certificate: the signing certificate (``x5c[0]``) must be valid
now, have a signing key usage and not be a CA, and its path through the other ``x5c`` certificates to one of
the configured trust anchors must validate (RFC 5280, with ``cryptography.x509.verification``: every
certificate's validity period and signature, the CAs' basicConstraints and path length, the depth).
``sign_answer`` produces the same form (used by the simulator and the tests).
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
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    Policy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from oots_client.common_services.errors import SignatureError

SIGNATURE_HEADER: Final = "oots-response-sig"
DIGEST_HEADER: Final = "digest"
HTTP_HEADERS_MECHANISM: Final = "http://uri.etsi.org/19182/HttpHeaders"
# Certificates between the signing certificate and its anchor, the anchor included: the Commission's chain
# has 2 (an issuing CA and its root).
MAX_CHAIN_DEPTH: Final = 4

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


def _describe(cert: x509.Certificate) -> str:
    return cert.subject.rfc4514_string() or "(no subject)"


def _check_signing_certificate(cert: x509.Certificate, moment: dt.datetime) -> None:
    """What the signing certificate itself must be, checked first so that each refusal says why."""
    if moment < cert.not_valid_before_utc:
        raise SignatureError(
            f"the signing certificate {_describe(cert)} is not valid before "
            f"{cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC"
        )
    if moment > cert.not_valid_after_utc:
        expired = f"{cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC"
        raise SignatureError(f"the signing certificate {_describe(cert)} expired on {expired}")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        raise SignatureError(
            f"the signing certificate {_describe(cert)} has no key usage: it is not a signing certificate"
        ) from None
    _signing_key_usage(usage)
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return
    _not_a_ca(constraints)


def _signing_key_usage(usage: x509.KeyUsage) -> None:
    # RFC 5280 §4.2.1.3: a key that signs data other than certificates and CRLs has digitalSignature (or
    # nonRepudiation/contentCommitment, which the Commission's CS certificate also carries).
    if not (usage.digital_signature or usage.content_commitment):
        raise SignatureError(
            "the signing certificate's key usage does not allow signatures (digitalSignature is not set)"
        )


def _not_a_ca(constraints: x509.BasicConstraints) -> None:
    if constraints.ca:
        raise SignatureError("the answer is signed by a CA certificate, not by a signing certificate")


def _ee_key_usage(_policy: Policy, _cert: x509.Certificate, usage: x509.KeyUsage | None) -> None:
    if usage is None:
        raise SignatureError("the signing certificate has no key usage")
    _signing_key_usage(usage)


def _ee_basic_constraints(
    _policy: Policy, _cert: x509.Certificate, constraints: x509.BasicConstraints | None
) -> None:
    if constraints is not None:
        _not_a_ca(constraints)


def _validate_path(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    trusted: Sequence[x509.Certificate],
    moment: dt.datetime,
    max_chain_depth: int,
) -> None:
    """RFC 5280 path validation from the signing certificate to one of the configured anchors.

    ``cryptography.x509.verification`` builds the path from the ``x5c`` certificates, checks each one's
    validity period and signature, the CA certificates' basicConstraints (cA, pathLenConstraint) and
    keyCertSign, and the depth. The signing certificate is held to the OOTS profile rather than the Web PKI's:
    a signing key usage and no CA flag; no extended key usage or subject alternative name is required (the
    Commission's CS certificate has neither).
    """
    ee_policy = (
        ExtensionPolicy.permit_all()
        .require_present(x509.KeyUsage, Criticality.AGNOSTIC, _ee_key_usage)
        .may_be_present(x509.BasicConstraints, Criticality.AGNOSTIC, _ee_basic_constraints)
    )
    verifier = (
        PolicyBuilder()
        .store(Store(list(trusted)))
        .time(moment)
        .max_chain_depth(max_chain_depth)
        .extension_policies(ca_policy=ExtensionPolicy.webpki_defaults_ca(), ee_policy=ee_policy)
        .build_client_verifier()
    )
    try:
        verifier.verify(leaf, list(intermediates))
    except VerificationError as exc:
        if not _reaches_an_anchor([leaf, *intermediates], trusted):
            raise SignatureError(
                f"the signing certificate {_describe(leaf)} does not chain to a trusted certificate"
            ) from None
        raise SignatureError(
            f"the signing certificate {_describe(leaf)}'s path to a trusted certificate is not valid: {exc}"
        ) from None


def _reaches_an_anchor(certs: Sequence[x509.Certificate], trusted: Sequence[x509.Certificate]) -> bool:
    """Whether any presented certificate is an anchor or is signed by one: tells "issued by a stranger" from
    "a path to our root that breaks a rule" (cryptography reports both as exhausted candidates)."""
    anchors = {c.public_bytes(serialization.Encoding.DER) for c in trusted}
    for cert in certs:
        if cert.public_bytes(serialization.Encoding.DER) in anchors:
            return True
        for anchor in trusted:
            try:
                cert.verify_directly_issued_by(anchor)
                return True
            except (ValueError, TypeError, InvalidSignature):
                continue
    return False


def verify_answer(
    body: bytes,
    headers: Mapping[str, str],
    trusted: Sequence[x509.Certificate],
    *,
    now: dt.datetime | None = None,
    max_chain_depth: int = MAX_CHAIN_DEPTH,
) -> x509.Certificate:
    """Check the detached JWS of an answer; return the signing certificate or raise :class:`SignatureError`.

    ``trusted`` are the trust anchors (the Commission's root CA, or the simulator's demo root): the signing
    certificate must chain to one of them (:func:`_validate_path`). ``headers`` must be looked up
    case-insensitively (``requests``' headers are).
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

    x5c = protected.get("x5c") or []
    if not isinstance(x5c, list):
        raise SignatureError("the JWS x5c is not a list of certificates")
    chain: list[x509.Certificate] = []
    for entry in x5c:
        try:
            chain.append(x509.load_der_x509_certificate(base64.b64decode(str(entry))))
        except ValueError:
            raise SignatureError("the JWS x5c holds an unreadable certificate") from None
    if not trusted:
        raise SignatureError("no trusted certificate is configured for the Common Services signature")
    moment = now or dt.datetime.now(dt.UTC)
    if chain:
        leaf = chain[0]
        _verify_raw(leaf, alg, signed, signature)
        _check_signing_certificate(leaf, moment)
        _validate_path(leaf, chain[1:], trusted, moment, max_chain_depth)
    else:
        # No x5c: the key must be one of the configured certificates (pinned: no path to validate).
        for candidate in trusted:
            try:
                _verify_raw(candidate, alg, signed, signature)
                leaf = candidate
                break
            except SignatureError:
                continue
        else:
            raise SignatureError("the signature does not verify with any trusted certificate")
        _check_signing_certificate(leaf, moment)
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

"""The SP's demo key pairs, generated on first use into ``VAR_DIR`` (never committed).

Only when ``EIDAS_SP_GENERATE_KEYS`` is on (demo, tests): a production SP must be given the key
its eIDAS node knows, and a missing file there is an error, not a reason to invent a new key.

Two pairs: the RSA one (``EIDAS_SP_KEY``/``EIDAS_SP_CERT``, 3072 bits) decrypts assertions (RSA-OAEP key
transport) and signs when the algorithm is ``rsa-pss``; the EC one (``EIDAS_SP_EC_KEY``/``EIDAS_SP_EC_CERT``,
P-256) signs when it is ``ecdsa`` (``accounts.eidas.signing``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from cryptography.hazmat.primitives.asymmetric import ec, rsa

from accounts.certificates import private_key_pem, self_signed_certificate

KeyKind = Literal["rsa", "ec"]


def self_signed_pair_create(
    *, common_name: str, days: int = 3650, kind: KeyKind = "rsa"
) -> tuple[bytes, bytes]:
    """A 3072-bit RSA (or P-256 EC) key and a self-signed certificate for it, both PEM."""
    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if kind == "ec":
        key = ec.generate_private_key(ec.SECP256R1())
    else:
        key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    return self_signed_certificate(key, common_name=common_name, days=days), private_key_pem(key)


def demo_pair_ensure(*, cert_path: Path, key_path: Path, common_name: str, kind: KeyKind = "rsa") -> None:
    """Create the pair if either file is missing. Safe when several processes race: each writes
    to its own temporary file and the rename of the key comes last."""
    if cert_path.is_file() and key_path.is_file():
        return
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_pem, key_pem = self_signed_pair_create(common_name=common_name, kind=kind)
    suffix = f".tmp{os.getpid()}"
    tmp_cert, tmp_key = (
        cert_path.with_name(cert_path.name + suffix),
        key_path.with_name(key_path.name + suffix),
    )
    tmp_cert.write_bytes(cert_pem)
    tmp_key.write_bytes(key_pem)
    tmp_key.chmod(0o600)
    tmp_cert.replace(cert_path)
    tmp_key.replace(key_path)

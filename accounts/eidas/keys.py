"""The SP's demo key pair, generated on first use into ``VAR_DIR`` (never committed).

Only when ``EIDAS_SP_GENERATE_KEYS`` is on (demo, tests): a production SP must be given the key
its eIDAS node knows, and a missing file there is an error, not a reason to invent a new key.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import rsa

from accounts.certificates import private_key_pem, self_signed_certificate


def self_signed_pair_create(*, common_name: str, days: int = 3650) -> tuple[bytes, bytes]:
    """A 3072-bit RSA key and a self-signed certificate for it, both PEM."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    return self_signed_certificate(key, common_name=common_name, days=days), private_key_pem(key)


def demo_pair_ensure(*, cert_path: Path, key_path: Path, common_name: str) -> None:
    """Create the pair if either file is missing. Safe when several processes race: each writes
    to its own temporary file and the rename of the key comes last."""
    if cert_path.is_file() and key_path.is_file():
        return
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_pem, key_pem = self_signed_pair_create(common_name=common_name)
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

"""The simulator's signing key for CS API 2.0 answers: generated at first use into ``VAR_DIR`` (never
committed).

Key and self-signed certificate live in one PEM file written atomically, so concurrent first uses by several
processes never pair a key with another process's certificate. The certificate is served at
``/sim/cs/signing-certificate.pem`` for operators who configure a portal to trust this simulator.
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings

from accounts.certificates import private_key_pem, self_signed_certificate


def signing_file() -> Path:
    return Path(settings.VAR_DIR) / "sim-common-services" / "signing.pem"


def _generate(path: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = self_signed_certificate(
        key,
        common_name="Common Services simulator (not for production)",
        organisation="oots-portal simulators",
        leaf=True,
    )
    pem = private_key_pem(key) + certificate
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".signing-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    os.chmod(tmp, 0o600)
    try:
        os.link(tmp, path)  # atomic "create if absent": the first process to get there wins
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


def ensure_signing_material() -> Path:
    """The PEM file (key + certificate), created if missing; its path."""
    path = signing_file()
    if not path.exists():
        _generate(path)
    return path


@cache
def _material(path: str) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    data = Path(path).read_bytes()
    key = serialization.load_pem_private_key(data, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key, x509.load_pem_x509_certificates(data)[0]


def signing_material() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    return _material(str(ensure_signing_material()))


def certificate_pem() -> bytes:
    """The simulator's certificate (PEM), for a portal's trusted certificates."""
    return signing_material()[1].public_bytes(serialization.Encoding.PEM)

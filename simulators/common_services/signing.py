"""The simulator's signing key for CS API 2.0 answers: generated at first use into ``VAR_DIR`` (never
committed), with a proper chain.

A demo root CA issues the signing certificate (key usage ``digitalSignature``, not a CA), as the
Commission's PKI does for the real services: the answers carry ``x5c = [leaf, root]`` and a portal trusts
the **root**, so the portal's path validation (validity, key usage, path length;
``oots_client.common_services.signature``) runs on the simulator exactly as on the real services.

Key, leaf and root live in one PEM file written atomically, so concurrent first uses by several processes
never pair a key with another process's certificate. The root is served at
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

from accounts.certificates import ca_and_leaf_certificates, private_key_pem


def signing_file() -> Path:
    # Not the name of the former file (a key and a self-signed leaf): a machine that has one gets a chain.
    return Path(settings.VAR_DIR) / "sim-common-services" / "signing-chain.pem"


def _generate(path: Path) -> None:
    root_key = ec.generate_private_key(ec.SECP256R1())
    key = ec.generate_private_key(ec.SECP256R1())
    root, leaf = ca_and_leaf_certificates(
        root_key,
        key,
        ca_name="Common Services simulator demo root CA (not for production)",
        leaf_name="Common Services simulator (not for production)",
        organisation="oots-portal simulators",
    )
    # The root's key is not kept: nothing else is ever issued under this demo root.
    pem = private_key_pem(key) + b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, root))
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
    """The PEM file (key, leaf, root), created if missing; its path."""
    path = signing_file()
    if not path.exists():
        _generate(path)
    return path


@cache
def _material(path: str) -> tuple[ec.EllipticCurvePrivateKey, tuple[x509.Certificate, ...]]:
    data = Path(path).read_bytes()
    key = serialization.load_pem_private_key(data, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return key, tuple(x509.load_pem_x509_certificates(data))


def signing_material() -> tuple[ec.EllipticCurvePrivateKey, tuple[x509.Certificate, ...]]:
    """The signing key and its chain, leaf first (what goes into the JWS ``x5c``)."""
    return _material(str(ensure_signing_material()))


def certificate_pem() -> bytes:
    """The simulator's demo root CA (PEM): what a portal puts in its trusted certificates."""
    return signing_material()[1][-1].public_bytes(serialization.Encoding.PEM)

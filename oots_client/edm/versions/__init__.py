"""The EDM versions this package builds, one module each; :func:`get_version` picks one by name."""

from __future__ import annotations

from oots_client.edm.errors import UnsupportedVersionError
from oots_client.edm.versions.base import EdmVersion, ProcedureEncoding, XsdProfile
from oots_client.edm.versions.v1_0 import V1_0
from oots_client.edm.versions.v1_2 import V1_2
from oots_client.edm.versions.v2_0 import V2_0

VERSIONS: dict[str, EdmVersion] = {v.identifier: v for v in (V1_0, V1_2, V2_0)}

__all__ = ["V1_0", "V1_2", "V2_0", "VERSIONS", "EdmVersion", "ProcedureEncoding", "XsdProfile", "get_version"]


def get_version(name: str | EdmVersion) -> EdmVersion:
    """The profile for ``oots-edm:v1.2``, ``v1.2`` or ``1.2`` (what a DSD ``ConformsTo`` or a user gives)."""
    if isinstance(name, EdmVersion):
        return name
    key = name.strip()
    if not key.startswith("oots-edm:"):
        key = "oots-edm:" + (key if key.startswith("v") else "v" + key)
    try:
        return VERSIONS[key]
    except KeyError:
        known = ", ".join(VERSIONS)
        raise UnsupportedVersionError(f"unsupported EDM version {name!r} (known: {known})") from None

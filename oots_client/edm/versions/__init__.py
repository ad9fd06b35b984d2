"""The EDM versions this package builds, one module each; :func:`get_version` picks one by name and
:func:`choose_version` the one to ask a provider in."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final

from oots_client.edm.errors import UnsupportedVersionError
from oots_client.edm.versions.base import EdmVersion, ProcedureEncoding, XsdProfile
from oots_client.edm.versions.v1_0 import V1_0
from oots_client.edm.versions.v1_1 import V1_1
from oots_client.edm.versions.v1_2 import V1_2
from oots_client.edm.versions.v2_0 import V2_0

VERSIONS: dict[str, EdmVersion] = {v.identifier: v for v in (V1_0, V1_1, V1_2, V2_0)}

#: The order to prefer when a provider speaks several versions, unless the caller gives its own: v1.2, what
#: most of the network speaks; then v2.0; then the older 1.x versions, newest first.
DEFAULT_PREFERENCE: Final = ("oots-edm:v1.2", "oots-edm:v2.0", "oots-edm:v1.1", "oots-edm:v1.0")

__all__ = [
    "DEFAULT_PREFERENCE",
    "V1_0",
    "V1_1",
    "V1_2",
    "V2_0",
    "VERSIONS",
    "EdmVersion",
    "ProcedureEncoding",
    "XsdProfile",
    "choose_version",
    "get_version",
]


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


def choose_version(
    conforms_to: Iterable[str], preference: Sequence[str | EdmVersion] = DEFAULT_PREFERENCE
) -> EdmVersion | None:
    """The version to build a provider's request in: the first of ``preference`` that the provider's access
    service declares in its DSD ``ConformsTo`` (DIGEST §1 item 11, §10); None when it declares none of them.

    ``preference`` is the requester's order (a setting of the portal); every entry must be a version this
    package builds, else :class:`~oots_client.edm.errors.UnsupportedVersionError`, so that a mistyped
    setting fails loudly instead of never matching. What the provider declares is input from the network:
    values this package does not know are ignored, spaces around a value too.
    """
    wanted = [get_version(version) for version in preference]
    declared = {value.strip() for value in conforms_to}
    return next((version for version in wanted if version.identifier in declared), None)

"""The code lists of the Data Service Directory's jurisdiction question (``DSD:ERR:0005``, DIGEST §5.3): NUTS
regions and jurisdiction levels, from the copies shipped with the package.

Genericode itself is read by the package's one reader, :mod:`oots_client.edm.genericode` (re-exported here
for the DSD's value lists: ``parse_code_list``, ``CodeList``).
"""

from __future__ import annotations

from typing import Final

from oots_client.edm.genericode import CodeList, CodeListError, CodeValue, bundled, parse_code_list

__all__ = [
    "NUTS_LEVEL_LENGTH",
    "CodeList",
    "CodeListError",
    "CodeValue",
    "bundled",
    "nuts_codes",
    "nuts_in",
    "parse_code_list",
]


def nuts_codes() -> frozenset[str]:
    return bundled("NutsCodes.gc").codes()


# NUTS levels by code length: country (2) + 1, 2 or 3 characters (DIGEST §9: Greece is EL in NUTS).
NUTS_LEVEL_LENGTH: Final = {"NUTS1": 3, "NUTS2": 4, "NUTS3": 5}


def nuts_in(country: str, level: str) -> tuple[CodeValue, ...]:
    """The NUTS regions of ``country`` at ``level`` (``NUTS1``…``NUTS3``), for a picker."""
    length = NUTS_LEVEL_LENGTH.get(level)
    prefix = "EL" if country.upper() == "GR" else country.upper()
    return tuple(
        v
        for v in bundled("NutsCodes.gc").values
        if v.code.startswith(prefix) and (length is None or len(v.code) == length)
    )

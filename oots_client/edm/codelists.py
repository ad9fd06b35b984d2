"""Exact code-list checks (DIGEST §1 item 18): the official Schematron only tests substrings.

The Genericode files (2022-12) ship in ``oots_client/codelists/`` (origin and licence in its README). They
are read with a lenient pattern rather than an XML parser because ``EDMErrorCodes-CodeList.gc`` is malformed
upstream (an unclosed ``SimpleValue``). Values are stripped: upstream rows carry stray spaces and tabs.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Final

# Shared by every part of oots_client (EDM, Common Services) and the portal: one copy of each list.
_DIR: Final = Path(__file__).parent.parent / "codelists"
_ROW: Final = re.compile(r"<Row>(.*?)</Row>", re.DOTALL)
_VALUE: Final = re.compile(r'<Value\s+ColumnRef="([^"]+)">\s*<SimpleValue>([^<]*)', re.DOTALL)


def _rows(filename: str) -> list[dict[str, str]]:
    text = (_DIR / filename).read_text(encoding="utf-8")
    return [{column: value.strip() for column, value in _VALUE.findall(row)} for row in _ROW.findall(text)]


def _codes(filename: str, column: str = "code") -> frozenset[str]:
    return frozenset(row[column] for row in _rows(filename) if row.get(column))


@cache
def procedures() -> frozenset[str]:
    """Annex II procedure codes, plus ``00`` (production test procedure, TDD 1.1.2)."""
    return _codes("Procedures-CodeList.gc") | {"00"}


@cache
def countries() -> frozenset[str]:
    """Country codes as listed: ``EL`` for Greece (EU usage); ``GR`` is refused, as R-EDM-REQ-C067 does."""
    return _codes("CountryIdentificationCode-2.3.gc")


@cache
def languages() -> frozenset[str]:
    """Language codes, upper case as OOTS uses them (``EN``)."""
    return frozenset(code.upper() for code in _codes("LanguageCode-2.3.gc"))


@cache
def levels_of_assurance() -> frozenset[str]:
    return _codes("LevelsOfAssurance-CodeList.gc")


@cache
def media_types() -> frozenset[str]:
    return _codes("OOTSMediaTypes-CodeList.gc")


@cache
def identifier_schemes() -> frozenset[str]:
    """Legal-person identifier schemes (``VAT``, ``TAX``, ``LEI``, …), R-EDM-REQ-C055."""
    return _codes("IdentifierSchemes-CodeList.gc")


@cache
def nuts() -> frozenset[str]:
    """NUTS 2016 region codes of every level (``BE``, ``BE1``, ``BE10``, ``BE100``)."""
    return _codes("NutsCodes.gc")


@cache
def agent_classifications() -> frozenset[str]:
    return _codes("AgentClassification-CodeList.gc")


@cache
def eas_schemes() -> frozenset[str]:
    return _codes("EAS.gc", "Code")


@cache
def edm_error_types() -> dict[str, str]:
    """EDM error code → the ``xsi:type`` local name it must be sent with ."""
    return {
        row["code"]: row["name-Type"].rpartition(":")[2]
        for row in _rows("EDMErrorCodes-CodeList.gc")
        if row.get("code") and row.get("name-Type")
    }


@cache
def error_severities() -> frozenset[str]:
    """Severities, in the new SR domain spelling (the 2022-12 list still has the old one, DIGEST §9)."""
    from oots_client.edm.namespaces import to_new_sr_domain

    return frozenset(to_new_sr_domain(code) for code in _codes("ErrorSeverity-CodeList.gc"))


def is_organisation_scheme(scheme_id: str | None) -> bool:
    """DIGEST §1 item 15: an EAS scheme ``urn:cef.eu:names:identifier:EAS:<code>`` or an unregistered one."""
    if not scheme_id:
        return False
    if scheme_id.startswith("urn:oasis:names:tc:ebcore:partyid-type:unregistered"):
        return True
    prefix = "urn:cef.eu:names:identifier:EAS:"
    return scheme_id.startswith(prefix) and scheme_id[len(prefix) :] in eas_schemes()

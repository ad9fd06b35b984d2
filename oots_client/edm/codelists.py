"""Exact code-list checks (DIGEST §1 item 18): the official Schematron only tests substrings.

The Genericode files (2022-12) ship in ``codelists/`` (origins in its README), read by the package's one
Genericode reader (:func:`oots_client.edm.genericode.bundled`). Values are stripped: upstream rows carry stray
spaces and tabs.
"""

from __future__ import annotations

from functools import cache

from oots_client.edm.genericode import bundled
from oots_client.edm.namespaces import to_new_sr_domain


@cache
def procedures() -> frozenset[str]:
    """Annex II procedure codes, plus ``00`` (production test procedure, TDD 1.1.2)."""
    return bundled("Procedures-CodeList.gc").codes() | {"00"}


@cache
def countries() -> frozenset[str]:
    """Country codes as listed: ``EL`` for Greece (EU usage); ``GR`` is refused, as R-EDM-REQ-C067 does."""
    return bundled("CountryIdentificationCode-2.3.gc").codes()


@cache
def languages() -> frozenset[str]:
    """Language codes, upper case as OOTS uses them (``EN``)."""
    return frozenset(code.upper() for code in bundled("LanguageCode-2.3.gc").codes())


@cache
def levels_of_assurance() -> frozenset[str]:
    return bundled("LevelsOfAssurance-CodeList.gc").codes()


@cache
def media_types() -> frozenset[str]:
    return bundled("OOTSMediaTypes-CodeList.gc").codes()


@cache
def identifier_schemes() -> frozenset[str]:
    """Legal-person identifier schemes (``VAT``, ``TAX``, ``LEI``, …), R-EDM-REQ-C055."""
    return bundled("IdentifierSchemes-CodeList.gc").codes()


@cache
def nuts() -> frozenset[str]:
    """NUTS 2016 region codes of every level (``BE``, ``BE1``, ``BE10``, ``BE100``)."""
    return bundled("NutsCodes.gc").codes()


@cache
def agent_classifications() -> frozenset[str]:
    return bundled("AgentClassification-CodeList.gc").codes()


@cache
def eas_schemes() -> frozenset[str]:
    return bundled("EAS.gc").codes()


@cache
def edm_error_types() -> dict[str, str]:
    """EDM error code → the ``xsi:type`` local name it must be sent with ."""
    return {
        value.code: value.columns["name-Type"].rpartition(":")[2]
        for value in bundled("EDMErrorCodes-CodeList.gc").values
        if value.columns.get("name-Type")
    }


@cache
def error_severities() -> frozenset[str]:
    """Severities, in the new SR domain spelling (the 2022-12 list still has the old one, DIGEST §9)."""
    return frozenset(to_new_sr_domain(code) for code in bundled("ErrorSeverity-CodeList.gc").codes())


def is_organisation_scheme(scheme_id: str | None) -> bool:
    """DIGEST §1 item 15: an EAS scheme ``urn:cef.eu:names:identifier:EAS:<code>`` or an unregistered one."""
    if not scheme_id:
        return False
    if scheme_id.startswith("urn:oasis:names:tc:ebcore:partyid-type:unregistered"):
        return True
    prefix = "urn:cef.eu:names:identifier:EAS:"
    return scheme_id.startswith(prefix) and scheme_id[len(prefix) :] in eas_schemes()

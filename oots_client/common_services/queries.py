"""The three OOTS Common Services queries and their parameters per CS API version (DIGEST §5).

Parameter sets follow the CS API versions as the public ``oots-cs-query-validator`` encodes them for 1.0-1.2
(``specification`` from 1.1; ``evidence-type-id`` and the EB evidence-type NUTS/LAU parameters gone in 1.2)
and
the TDD 2.0 interface (``return-incomplete`` on the requirements query). A parameter the configured version
does not
define is refused before anything is sent (:class:`QueryParameterError`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from oots_client.common_services.config import CsApiVersion
from oots_client.common_services.errors import QueryParameterError

REQUIREMENTS_QUERY: Final = "urn:fdc:oots:eb:ebxml-regrep:queries:requirements-by-procedure-and-jurisdiction"
EVIDENCE_TYPES_QUERY: Final = (
    "urn:fdc:oots:eb:ebxml-regrep:queries:evidence-types-by-requirement-and-jurisdiction"
)
DATA_SERVICES_QUERY: Final = (
    "urn:fdc:oots:dsd:ebxml-regrep:queries:dataservices-by-evidencetype-and-jurisdiction"
)

ACCEPT: Final = "application/x-ebrs+xml"
CS_V2_SPECIFICATION: Final = "oots-cs:v2.0"

_V1 = (CsApiVersion.V1_0, CsApiVersion.V1_1, CsApiVersion.V1_2)
_ALL = (*_V1, CsApiVersion.V2_0)

#: parameter → the API versions that define it, per query
PARAMETERS: Final[dict[str, dict[str, tuple[CsApiVersion, ...]]]] = {
    REQUIREMENTS_QUERY: {
        "procedure-id": _ALL,
        "country-code": _ALL,
        "jurisdiction-admin-l2": _V1,
        "jurisdiction-admin-l3": _V1,
        "return-incomplete": (CsApiVersion.V2_0,),
    },
    EVIDENCE_TYPES_QUERY: {
        "requirement-id": _ALL,
        "country-code": _ALL,
        "jurisdiction-admin-l2": (CsApiVersion.V1_0, CsApiVersion.V1_1),
        "jurisdiction-admin-l3": (CsApiVersion.V1_0, CsApiVersion.V1_1),
    },
    DATA_SERVICES_QUERY: {
        "evidence-type-classification": _ALL,
        "country-code": _ALL,
        "jurisdiction-admin-l2": _ALL,
        "jurisdiction-admin-l3": _ALL,
        "jurisdiction-context-id": _ALL,
        "evidence-type-id": (CsApiVersion.V1_0, CsApiVersion.V1_1),
        "specification": (CsApiVersion.V1_1, CsApiVersion.V1_2, CsApiVersion.V2_0),
    },
}

_COUNTRY: Final = re.compile(r"^[A-Z]{2}$")
_UUID: Final = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SPECIFICATION: Final = re.compile(r"^oots-edm:v\d+\.\d+$")


def build_parameters(
    query_id: str,
    version: CsApiVersion,
    params: Iterable[tuple[str, str | None]],
    classification_answers: Iterable[tuple[str, str]] = (),
) -> list[tuple[str, str]]:
    """The query string pairs, ``queryId`` first; ``None`` values are left out."""
    allowed = PARAMETERS[query_id]
    pairs: list[tuple[str, str]] = [("queryId", query_id)]
    for name, value in params:
        if value is None or value == "":
            continue
        if version not in allowed.get(name, ()):
            raise QueryParameterError(f"CS API {version} has no parameter {name!r} for this query")
        if name == "country-code" and not _COUNTRY.fullmatch(value):
            raise QueryParameterError(f"{value!r} is not a two-letter country code")
        if name == "specification" and not _SPECIFICATION.fullmatch(value):
            raise QueryParameterError(f"{value!r} is not an EDM specification identifier (oots-edm:vX.Y)")
        pairs.append((name, value))
    for identifier, value in classification_answers:
        # The v1.0 DSD README passes each answer as "<classification identifier>=<value>" (DIGEST §5.3).
        if not _UUID.fullmatch(identifier):
            raise QueryParameterError(f"{identifier!r} is not a classification concept identifier (UUID)")
        pairs.append((identifier, value))
    return pairs

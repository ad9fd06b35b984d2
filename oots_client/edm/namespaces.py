"""Namespace URIs, fixed identifiers and Semantic Repository domains of the OOTS EDM (DIGEST §2, §9).

Everything is bound by namespace URI, never by prefix: the Common Services answer with ``oots:`` where the TDD
samples use ``sdg:`` for the same namespace.
"""

from __future__ import annotations

from typing import Final

QUERY: Final = "urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"
RIM: Final = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0"
RS: Final = "urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0"
SDG: Final = "http://data.europa.eu/p4s"
XLINK: Final = "http://www.w3.org/1999/xlink"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
XML: Final = "http://www.w3.org/XML/1998/namespace"

#: The prefixes the builders emit (canonical output); parsers accept any prefix.
PREFIXES: Final[dict[str, str]] = {
    "query": QUERY,
    "rim": RIM,
    "rs": RS,
    "sdg": SDG,
    "xlink": XLINK,
    "xsi": XSI,
}


def q(namespace: str, local: str) -> str:
    """Clark notation ``{uri}local`` for lxml."""
    return f"{{{namespace}}}{local}"


XSI_TYPE: Final = q(XSI, "type")
XML_LANG: Final = q(XML, "lang")
XSI_LANG: Final = q(XSI, "lang")  # a deviation seen in copied v1.2 samples; read, never written

STATUS_PREFIX: Final = "urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:"
STATUS_SUCCESS: Final = STATUS_PREFIX + "Success"
STATUS_FAILURE: Final = STATUS_PREFIX + "Failure"
STATUS_UNAVAILABLE: Final = STATUS_PREFIX + "Unavailable"

COLLECTION_SET: Final = "urn:oasis:names:tc:ebxml-regrep:CollectionType:Set"
RETURN_TYPE: Final = "LeafClassWithRepositoryItem"  # DIGEST §1 item 4
QUERY_DEFINITION: Final = "DocumentQuery"

SEVERITY_ERROR: Final = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"

#: Semantic Repository domains (DIGEST §9): the builders emit the new one, the parsers accept both.
SR_DOMAIN_NEW: Final = "sr.oots.tech.ec.europa.eu"
SR_DOMAIN_OLD: Final = "sr.oots.tech.europa.eu"

SEVERITY_PREVIEW_REQUIRED: Final = f"urn:{SR_DOMAIN_NEW}:codes:ErrorSeverity:EDMErrorResponse:PreviewRequired"

#: The v2.0 evidence classification scheme (the RegistryPackage's ExtrinsicObjects carry a node of it).
EDM_CLASSIFICATION_SCHEME: Final = "urn:fdc:oots:classification:edm"


def to_new_sr_domain(value: str) -> str:
    """Rewrite a Semantic Repository URI/URN of the old domain to the new one (DIGEST §9)."""
    if SR_DOMAIN_OLD in value:
        return value.replace("//" + SR_DOMAIN_OLD, "//" + SR_DOMAIN_NEW).replace(
            "urn:" + SR_DOMAIN_OLD, "urn:" + SR_DOMAIN_NEW
        )
    return value

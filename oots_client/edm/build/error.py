"""The Evidence Error Response (``query:QueryResponse`` with status Failure, EP → ER) of every EDM version.

The portal never sends one; the Evidence Provider simulator and the tests do. Rule ids are those of the
v1.0 business rules (EDM-ERR-S structure, EDM-ERR-C content).
"""

from __future__ import annotations

from oots_client.edm import codelists
from oots_client.edm import namespaces as ns
from oots_client.edm.build.checks import BARE_UUID, URN_UUID, check_code, require
from oots_client.edm.build.markup import Node, query, rs
from oots_client.edm.build.parts import (
    agent,
    any_slot,
    datetime_slot,
    international_string_slot,
    string_slot,
)
from oots_client.edm.locations import is_secure_location
from oots_client.edm.model import EdmException, ErrorResponse, ResponseStatus
from oots_client.edm.versions import EdmVersion

_PREVIEW_REQUIRED = "EDM:ERR:0002"
#: the exception types the query schema defines (EDM:ERR:0008, DIGEST §8); the rs schema defines the others
_QUERY_TYPES = frozenset({"QueryExceptionType"})
_AT = "rs:Exception"


def error_response(error: ErrorResponse, version: EdmVersion) -> Node:
    """The whole error response: its slots, then every exception (more than one since TDD 1.1.2)."""
    require(error.exceptions, "an error response needs at least one exception", "/")  # R-EDM-ERR-S08
    if error.request_id is None:  # R-EDM-ERR-S003: the EP may not have been able to read the request
        require(
            all(e.type == "InvalidRequestExceptionType" for e in error.exceptions),
            "requestId may only be missing for InvalidRequest errors",
            "/@requestId",
        )
    else:  # R-EDM-ERR-S004
        require(URN_UUID.fullmatch(error.request_id), "requestId must be urn:uuid:<UUID>", "/@requestId")
    if error.response_id is not None:  # R-EDM-ERR-C002
        require(BARE_UUID.fullmatch(error.response_id), "EvidenceResponseIdentifier must be a UUID", "/")
    return query.QueryResponse(
        string_slot("SpecificationIdentifier", version.identifier),  # R-EDM-ERR-S09, S18, C001
        string_slot("EvidenceResponseIdentifier", error.response_id),  # R-EDM-ERR-S10, S19
        # R-EDM-ERR-S11, S020, S026: the party that found the error, in full, classified ERRP (C007, C008)
        any_slot("ErrorProvider", agent(error.error_provider, "ErrorProvider", full=True)),
        # R-EDM-ERR-S021: the requester, Identifier and Name only (C009, C010)
        any_slot("EvidenceRequester", agent(error.evidence_requester, "EvidenceRequester", full=False)),
        *(_exception(exception) for exception in error.exceptions),  # R-EDM-ERR-S08, C011
        status=ns.STATUS_PREFIX + ResponseStatus.FAILURE.value,  # R-EDM-ERR-S06; no object list (S07)
        requestId=error.request_id,
    )


def _exception(exception: EdmException) -> Node:
    """One ``rs:Exception``: its type must be the one its code is listed with (R-EDM-ERR-C012, C013, C017),
    a severity from its list (C014), a message (C016), a Timestamp (S12, C018), and for a preview the
    location, description and method (S15, S16, S23 … S25, C019 … C022)."""
    code, severity = exception.code, exception.severity
    location, method = exception.preview_location, exception.preview_method
    expected = codelists.edm_error_types().get(code or "")
    require(expected is not None, f"unknown EDM error code {code!r}", _AT + "/@code")
    require(expected == exception.type, f"{code} must be sent as {expected}", _AT + "/@xsi:type")
    check_code(severity, codelists.error_severities(), "severity", _AT + "/@severity")
    if location is not None:  # R-EDM-ERR-C019, C022
        require(code == _PREVIEW_REQUIRED, "a PreviewLocation needs EDM:ERR:0002", _AT)
        require(severity == ns.SEVERITY_PREVIEW_REQUIRED, "a PreviewLocation needs PreviewRequired", _AT)
        require(is_secure_location(location), "PreviewLocation must be https", _AT)
    elif severity != ns.SEVERITY_ERROR:  # R-EDM-ERR-C015
        require(code == _PREVIEW_REQUIRED, "only EDM:ERR:0002 may use another severity", _AT)
    require(method in (None, "GET", "POST"), "PreviewMethod must be GET or POST", _AT)  # R-EDM-ERR-C021
    require(exception.timestamp is not None, "an exception needs a Timestamp", _AT)  # R-EDM-ERR-S12
    prefix = "query" if exception.type in _QUERY_TYPES else "rs"
    return rs.Exception(
        datetime_slot("Timestamp", exception.timestamp),
        string_slot("PreviewLocation", location),
        international_string_slot("PreviewDescription", exception.preview_description, "PreviewDescription"),
        string_slot("PreviewMethod", method),
        xsi_type=f"{prefix}:{exception.type}",
        severity=severity,
        message=exception.message,
        detail=exception.detail,
        code=code,
    )

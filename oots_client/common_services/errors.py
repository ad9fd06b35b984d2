"""Typed errors of the Common Services client.

Two families, as everywhere in ``oots_client``:

* :class:`CsUnavailableError` (a :class:`~oots_client.errors.TransientError`): the service could not be
reached or
  answered 5xx/429/408 — worth trying again later;
* everything else is a :class:`~oots_client.errors.PermanentError`: an ``EB:ERR:*`` / ``DSD:ERR:*`` answer
(one class
  per code, DIGEST §8 and the EB/DSD error code lists), an answer that is not a RegRep ``QueryResponse``, a
  failed
  signature check, or a query the configured API version cannot express.
"""

from __future__ import annotations

from typing import Final

from oots_client.errors import PermanentError, TransientError


class CsUnavailableError(TransientError):
    """Timeout, refused connection, HTTP 5xx/408/429: the service may answer later."""


class CsProtocolError(PermanentError):
    """The service answered something that is not a readable Common Services answer."""


class SignatureError(PermanentError):
    """An API 2.0 answer whose detached JWS signature is missing, invalid or not from a trusted
    certificate."""


class DiscoveryError(PermanentError):
    """No usable NAPTR record names the Common Services instance of a country (TDD chapter 3.4): the name
    does not exist, or its records give no URL this client accepts."""


class QueryParameterError(PermanentError, ValueError):
    """The caller asked for a query the configured CS API version cannot express (or gave a malformed
    value)."""


class InvalidAnswerError(PermanentError, ValueError):
    """An answer to a ``DSD:ERR:0005`` question that the question does not allow."""


class CommonServicesError(PermanentError):
    """An ``EB:ERR:*`` or ``DSD:ERR:*`` exception answered by the service.

    ``code`` is the OOTS code (``EB:ERR:0005``), ``message``/``detail`` the exception's attributes and
    ``exception_type`` its ``xsi:type`` local name (``InvalidRequestExceptionType``).
    """

    default_message = "The Common Services refused the query"

    def __init__(
        self, code: str, message: str = "", detail: str | None = None, exception_type: str = ""
    ) -> None:
        self.code = code
        self.message = message or self.default_message
        self.detail = detail
        self.exception_type = exception_type
        text = f"{code}: {self.message}"
        if detail:
            text += f" ({detail})"
        super().__init__(text)


# --- Evidence Broker (EBErrorCodes-CodeList 2022-12) ------------------------------------------------


class EmptyResultError(CommonServicesError):
    """EB:ERR:0001 — nothing matches (no requirement for this procedure/country, no evidence type)."""

    default_message = "The result set is empty"


class UnknownRequirementError(CommonServicesError):
    """EB:ERR:0002 — the requirement URI is unknown to the Evidence Broker."""

    default_message = "The requirement requested does not exist"


class InvalidParametersError(CommonServicesError):
    """EB:ERR:0003 / DSD:ERR:0003 — the query parameters do not follow the query specification."""

    default_message = "The query parameters do not follow the query specification"


class InvalidJurisdictionLevelError(CommonServicesError):
    """EB:ERR:0004 — the jurisdiction (NUTS/LAU) parameter is invalid or unknown."""

    default_message = "The jurisdiction level code query parameter is invalid or unknown"


class UnknownProcedureError(CommonServicesError):
    """EB:ERR:0005 — the procedure-id is not a known procedure code."""

    default_message = "The value of the procedure-id query parameter is invalid or unknown"


class UnknownCountryError(CommonServicesError):
    """EB:ERR:0006 — the country-code is invalid or unknown."""

    default_message = "The value of the country-code query parameter is invalid or unknown"


class UnknownQueryError(CommonServicesError):
    """EB:ERR:0007 / DSD:ERR:0004 — the queryId does not exist."""

    default_message = "The requested Query does not exist"


# --- Data Service Directory (DSDErrorCodes-CodeList 2022-12) -----------------------------------------


class NoDataServiceError(CommonServicesError):
    """DSD:ERR:0001 — no data service for this evidence type and country (or none speaks
    ``specification``)."""

    default_message = "No Data Services were found based on the given parameters"


class UnknownEvidenceTypeError(CommonServicesError):
    """DSD:ERR:0002 — the evidence type classification is unknown to the DSD."""

    default_message = "The Evidence Type requested cannot be found"


class AdditionalInputError(CommonServicesError):
    """DSD:ERR:0005 reached a caller that cannot ask the user (normally returned as a result, not raised)."""

    default_message = "The query requires extra attributes to be provided by the user"


class InvalidParameterValueError(CommonServicesError):
    """DSD:ERR:0006 — a parameter value is wrong (e.g. an answer the question does not allow)."""

    default_message = "Incorrect provided value for requested parameters"


class UnknownCsError(CommonServicesError):
    """An exception code that is not in the EB/DSD code lists."""


ERROR_CLASSES: Final[dict[str, type[CommonServicesError]]] = {
    "EB:ERR:0001": EmptyResultError,
    "EB:ERR:0002": UnknownRequirementError,
    "EB:ERR:0003": InvalidParametersError,
    "EB:ERR:0004": InvalidJurisdictionLevelError,
    "EB:ERR:0005": UnknownProcedureError,
    "EB:ERR:0006": UnknownCountryError,
    "EB:ERR:0007": UnknownQueryError,
    "DSD:ERR:0001": NoDataServiceError,
    "DSD:ERR:0002": UnknownEvidenceTypeError,
    "DSD:ERR:0003": InvalidParametersError,
    "DSD:ERR:0004": UnknownQueryError,
    "DSD:ERR:0005": AdditionalInputError,
    "DSD:ERR:0006": InvalidParameterValueError,
}


def error_for(
    code: str, message: str = "", detail: str | None = None, exception_type: str = ""
) -> CommonServicesError:
    """The typed error for an exception code (``UnknownCsError`` for codes outside the lists)."""
    cls = ERROR_CLASSES.get(code, UnknownCsError)
    return cls(code, message, detail, exception_type)

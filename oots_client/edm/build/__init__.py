"""Builders: the typed model → the EDM XML of a chosen version, one builder per message.

* :func:`build_request` — the Evidence Request (``build/request.py``), what the portal sends;
* :func:`build_response` — the Evidence Response, Success or Unavailable (``build/response.py``);
* :func:`build_error` — the Evidence Error Response (``build/error.py``); these two for the Evidence
  Provider simulator and the tests.

Each builder's source reads as the message it writes (lxml's ``ElementMaker`` notation, see
:mod:`oots_client.edm.build.markup`), and cites the business rules each part satisfies. Strict: a value
with a code list is checked exactly, identifiers must have their required form, and what the requested
version cannot carry is left out only where its profile (``oots_client.edm.versions``) says so. Everything
else that is wrong raises :class:`~oots_client.edm.errors.BuildError`. Deterministic: the same model gives
the same bytes (ids and times are part of the model). Semantic Repository URIs are written in the new
domain (DIGEST §9). ``xsd=True`` parses the written bytes once with the hardened parser and validates them
against the version's XSD profile.
"""

from __future__ import annotations

from oots_client.edm.build.checks import check_xsd
from oots_client.edm.build.error import error_response
from oots_client.edm.build.markup import write_document
from oots_client.edm.build.request import query_request
from oots_client.edm.build.response import query_response
from oots_client.edm.locations import is_secure_location
from oots_client.edm.model import ErrorResponse, EvidenceRequest, EvidenceResponse
from oots_client.edm.versions import EdmVersion, get_version

__all__ = ["build_error", "build_request", "build_response", "is_secure_location"]


def build_request(request: EvidenceRequest, version: str | EdmVersion, *, xsd: bool = False) -> bytes:
    """The Evidence Request (``query:QueryRequest``) in EDM ``version`` (``oots-edm:v1.2``, ``v2.0``, …).

    Raises :class:`~oots_client.edm.errors.BuildError` when the model cannot make a valid message (with
    ``xsd=True``, also when the result fails the version's XSD profile) and
    :class:`~oots_client.edm.errors.UnsupportedVersionError` for an unknown version.
    """
    profile = get_version(version)
    return _finish(write_document(query_request(request, profile)), profile, xsd=xsd)


def build_response(response: EvidenceResponse, *, package_id: str | None = None, xsd: bool = False) -> bytes:
    """A Success/Unavailable ``query:QueryResponse`` in ``response.version``; ``package_id`` names the
    ``rim:RegistryPackage`` that v2.0 puts around the evidence objects."""
    profile = get_version(response.version)
    return _finish(write_document(query_response(response, profile, package_id)), profile, xsd=xsd)


def build_error(error: ErrorResponse, *, xsd: bool = False) -> bytes:
    """A Failure ``query:QueryResponse`` in ``error.version``."""
    profile = get_version(error.version)
    return _finish(write_document(error_response(error, profile)), profile, xsd=xsd)


def _finish(data: bytes, version: EdmVersion, *, xsd: bool) -> bytes:
    if xsd:
        check_xsd(data, version)
    return data

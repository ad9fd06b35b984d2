"""HTTP query interface of the simulated Evidence Broker and Data Service Directory (CS API 1.x and 2.0).

``GET /sim/cs/eb/rest/search`` and ``GET /sim/cs/dsd/rest/search`` with the real parameter checks and error
answers (unknown query, missing/repeated/unknown parameter, bad country, bad procedure, unknown requirement or
evidence type, wrong answer to a question). ``Accept-Version: oots-cs:v2.0`` selects API 2.0: the answer
carries
the ``SpecificationIdentifier`` slot and is signed (detached JWS). Every answer is HTTP 200, as the real
services.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from oots_client.common_services import genericode
from oots_client.common_services.queries import DATA_SERVICES_QUERY, EVIDENCE_TYPES_QUERY, REQUIREMENTS_QUERY
from oots_client.common_services.signature import sign_answer
from simulators.common_services import answers
from simulators.common_services.catalogue import catalogue, code_list_path
from simulators.common_services.signing import certificate_pem, signing_material

CONTENT_TYPE: Final = "application/x-ebrs+xml"
_UUID: Final = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
_COUNTRY: Final = re.compile(r"^[A-Z]{2}$")
_EDM_SPEC: Final = re.compile(r"^oots-edm:v\d+\.\d+$")


class QueryError(Exception):
    def __init__(self, code: str, detail: str | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.detail = detail


def _answer(body: bytes, v2: bool) -> HttpResponse:
    response = HttpResponse(body, content_type=CONTENT_TYPE)
    if v2:
        key, chain = signing_material()
        for name, value in sign_answer(body, key, chain).items():
            response[name] = value
    return response


def _params(request: HttpRequest, allowed: set[str], code: str, *, uuid_keys: bool = False) -> dict[str, str]:
    params: dict[str, str] = {}
    for name in request.GET:
        values = request.GET.getlist(name)
        if len(values) != 1:
            raise QueryError(code, f"{name} given more than once")
        if name not in allowed and not (uuid_keys and _UUID.fullmatch(name)):
            raise QueryError(code, name)
        params[name] = values[0].strip()
    return params


def _country(value: str | None, code: str, *, required: bool, missing_code: str) -> str | None:
    if value is None:
        if required:
            raise QueryError(missing_code, "country-code")
        return None
    # A well-formed code of a country that is not in the catalogue answers "nothing found", as the real
    # service
    # does for a country without data; a malformed one is refused.
    if not _COUNTRY.fullmatch(value) or value not in genericode.nuts_codes() | {"EL", "GR"}:
        raise QueryError(code, value)
    return value


def _requirements(params: dict[str, str], v2: bool) -> bytes:
    procedure = params.get("procedure-id")
    if procedure is not None and procedure not in _procedure_codes():
        raise QueryError("EB:ERR:0005", procedure)
    country = _country(params.get("country-code"), "EB:ERR:0006", required=False, missing_code="EB:ERR:0003")
    for name in ("jurisdiction-admin-l2", "jurisdiction-admin-l3"):
        value = params.get(name)
        if value is not None and (not country or not value.startswith(country) or not value.isalnum()):
            raise QueryError("EB:ERR:0004", value)
    if params.get("return-incomplete") not in (None, "true", "false"):
        raise QueryError("EB:ERR:0003", "return-incomplete")
    found = []
    for req in catalogue().requirements:
        codes = [c for c in req["procedures"] if procedure in (None, c)]
        countries = [c for c in req["countries"] if country in (None, c)]
        if codes and countries:
            found.append((req, codes, countries))
    if not found:
        raise QueryError("EB:ERR:0001")
    return answers.requirements(found, v2=v2)


def _evidence_types(params: dict[str, str], v2: bool) -> bytes:
    uri = params.get("requirement-id")
    if not uri:
        raise QueryError("EB:ERR:0003", "requirement-id")
    country = _country(params.get("country-code"), "EB:ERR:0006", required=True, missing_code="EB:ERR:0003")
    req = catalogue().requirement(uri)
    if req is None:
        raise QueryError("EB:ERR:0002", uri)
    lists = catalogue().evidence_lists(uri, country or "")
    if not lists:
        raise QueryError("EB:ERR:0001")
    return answers.evidence_types(req, lists, country or "", v2=v2)


def _jurisdiction_matches(wanted: str, publisher: dict[str, Any]) -> bool:
    j = publisher["jurisdiction"]
    held = j.get("nuts") or j.get("lau") or ""
    return bool(held) and (wanted.startswith(held) or held.startswith(wanted))


def _data_services(request: HttpRequest, params: dict[str, str], v2: bool) -> bytes:
    classification = params.get("evidence-type-classification")
    if not classification:
        raise QueryError("DSD:ERR:0003", "evidence-type-classification")
    country = _country(params.get("country-code"), "DSD:ERR:0006", required=True, missing_code="DSD:ERR:0003")
    specification = params.get("specification")
    if specification is not None and not _EDM_SPEC.fullmatch(specification):
        raise QueryError("DSD:ERR:0006", specification)
    if not catalogue().classification_known(classification):
        raise QueryError("DSD:ERR:0002", classification)
    service = catalogue().data_service(classification, country or "")
    if service is None:
        raise QueryError("DSD:ERR:0001")

    def value_list_url(concept: dict[str, Any]) -> str:
        path = reverse("sim_common_services:dsd-codelist", args=[concept["value_list"]])
        return request.build_absolute_uri(path)

    access = list(service["access_services"])
    determination = service.get("jurisdiction_determination")
    concepts = service.get("classification_concepts", [])
    if determination or concepts:
        asked_id = params.get("evidence-type-id")
        if asked_id is not None and asked_id != service["id"]:
            raise QueryError("DSD:ERR:0006", "evidence-type-id")
        answered_jurisdiction = params.get("jurisdiction-context-id") is not None
        answered_concepts = all(c["id"] in params for c in concepts)
        if (determination and not answered_jurisdiction) or not answered_concepts:
            return answers.additional_input(service, value_list_url, v2=v2)
        if determination:
            if params["jurisdiction-context-id"] != determination["context_id"]:
                raise QueryError("DSD:ERR:0006", "jurisdiction-context-id")
            wanted = params.get(
                "jurisdiction-admin-l3" if determination["level"] == "LAU" else "jurisdiction-admin-l2"
            )
            if not wanted or not wanted.startswith(country or "") or wanted not in genericode.nuts_codes():
                raise QueryError("DSD:ERR:0006", "jurisdiction-admin-l2")
            access = [a for a in access if _jurisdiction_matches(wanted, a["publisher"])]
        for concept in concepts:
            value = params[concept["id"]]
            allowed = _value_list(concept["value_list"])
            if value not in allowed:
                raise QueryError("DSD:ERR:0006", concept["id"])
            access = [
                a
                for a in access
                if any(
                    value in c.get("supported_values", [])
                    for c in a["publisher"].get("classification_concepts", [])
                    if c["id"] == concept["id"]
                )
            ]
    elif any(k in params for k in ("jurisdiction-context-id", "evidence-type-id")):
        raise QueryError("DSD:ERR:0006", "no additional input was asked for")
    if specification:
        access = [a for a in access if specification in a["conforms_to"]]
    if not access:
        raise QueryError("DSD:ERR:0001")
    return answers.data_services(service, access, value_list_url, v2=v2)


def _value_list(name: str) -> frozenset[str]:
    path = code_list_path(name)
    return genericode.parse_code_list(path.read_bytes()).codes() if path else frozenset()


def _procedure_codes() -> frozenset[str]:
    return genericode.bundled("Procedures-CodeList.gc").codes()


_EB_QUERIES: Final[dict[str, tuple[set[str], set[str], Callable[[dict[str, str], bool], bytes]]]] = {
    # query id: (1.x parameters, 2.0 parameters, handler)
    REQUIREMENTS_QUERY: (
        {"procedure-id", "country-code", "jurisdiction-admin-l2", "jurisdiction-admin-l3"},
        {"procedure-id", "country-code", "return-incomplete"},
        _requirements,
    ),
    EVIDENCE_TYPES_QUERY: (
        {"requirement-id", "country-code", "jurisdiction-admin-l2", "jurisdiction-admin-l3"},
        {"requirement-id", "country-code"},
        _evidence_types,
    ),
}
_DSD_V1: Final = {
    "evidence-type-classification",
    "country-code",
    "jurisdiction-admin-l2",
    "jurisdiction-admin-l3",
    "jurisdiction-context-id",
    "evidence-type-id",
    "specification",
}
_DSD_V2: Final = _DSD_V1 - {"evidence-type-id"}


def _api_v2(request: HttpRequest, code: str) -> bool:
    version = request.headers.get("Accept-Version")
    if version is None:
        return False
    if version.strip() == "oots-cs:v2.0":
        return True
    raise QueryError(code, f"Accept-Version {version}")


@require_GET
def eb_search(request: HttpRequest) -> HttpResponse:
    v2 = False
    try:
        v2 = _api_v2(request, "EB:ERR:0003")
        query_id = request.GET.get("queryId")
        if query_id not in _EB_QUERIES:
            raise QueryError("EB:ERR:0007", query_id)
        v1_params, v2_params, handler = _EB_QUERIES[query_id]
        params = _params(request, (v2_params if v2 else v1_params) | {"queryId"}, "EB:ERR:0003")
        return _answer(handler(params, v2), v2)
    except QueryError as exc:
        return _answer(answers.error(exc.code, exc.detail, v2=v2), v2)


@require_GET
def dsd_search(request: HttpRequest) -> HttpResponse:
    v2 = False
    try:
        v2 = _api_v2(request, "DSD:ERR:0003")
        if request.GET.get("queryId") != DATA_SERVICES_QUERY:
            raise QueryError("DSD:ERR:0004", request.GET.get("queryId"))
        params = _params(request, (_DSD_V2 if v2 else _DSD_V1) | {"queryId"}, "DSD:ERR:0003", uuid_keys=True)
        return _answer(_data_services(request, params, v2), v2)
    except QueryError as exc:
        return _answer(answers.error(exc.code, exc.detail, v2=v2), v2)


@require_GET
def dsd_codelist(request: HttpRequest, name: str) -> HttpResponse:
    """A classification value list (Genericode), as the DSD's ``/rest/codelists/<CC>/<name>``."""
    path = code_list_path(name)
    if path is None:
        raise Http404("no such code list")
    return HttpResponse(path.read_bytes(), content_type="application/xml")


@require_GET
def signing_certificate(request: HttpRequest) -> HttpResponse:
    """The demo root CA the API 2.0 answers' signing certificate chains to (PEM), for a portal's trusted
    certificates."""
    return HttpResponse(certificate_pem(), content_type="application/x-pem-file")

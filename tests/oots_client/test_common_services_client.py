"""The Common Services client against the simulator over real HTTP (pytest-django's live server): every query,
every error, the DSD:ERR:0005 loop, both API versions, signatures, cache and retries, and the command line."""

from __future__ import annotations

import datetime as dt
import json
import logging
import subprocess
import sys

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from oots_client.common_services import (
    AdditionalInputRequired,
    CommonServicesClient,
    CommonServicesConfig,
    CsApiVersion,
    CsProtocolError,
    CsUnavailableError,
    DataServicesResult,
    EmptyResultError,
    InvalidAnswerError,
    InvalidParametersError,
    InvalidParameterValueError,
    MemoryCache,
    NoDataServiceError,
    QueryParameterError,
    RetryPolicy,
    SignatureError,
    SignatureMode,
    UnknownCountryError,
    UnknownEvidenceTypeError,
    UnknownProcedureError,
    UnknownQueryError,
    UnknownRequirementError,
)
from oots_client.common_services.queries import REQUIREMENTS_QUERY
from simulators.common_services.catalogue import catalogue
from simulators.common_services.signing import certificate_pem

VERSIONS = [CsApiVersion.V1_2, CsApiVersion.V2_0]
BIRTH = next(r["id"] for r in catalogue().requirements if r["key"] == "birth")
RESIDENCE = next(r["id"] for r in catalogue().requirements if r["key"] == "residence")


def classification(title: str, country: str) -> str:
    return next(
        t["classification"]
        for e in catalogue().evidence_types
        if e["country"] == country
        for lst in e["lists"]
        for t in lst["types"]
        if t["titles"]["EN"] == title
    )


def make_client(live_server, version=CsApiVersion.V2_0, **overrides) -> CommonServicesClient:
    options = {
        "eb_url": f"{live_server.url}/sim/cs/eb",
        "dsd_url": f"{live_server.url}/sim/cs/dsd",
        "api_version": version,
        "signature_mode": SignatureMode.REQUIRED,
        "trusted_certificates": (certificate_pem(),),
        "retry": RetryPolicy(attempts=2, backoff_seconds=0),
        "timeout_seconds": 5,
        **overrides,
    }
    return CommonServicesClient(CommonServicesConfig(**options), cache=overrides.pop("cache", None))


@pytest.fixture(params=VERSIONS, ids=lambda v: f"api{v}")
def client(request, live_server) -> CommonServicesClient:
    return make_client(live_server, request.param)


# --- the three queries --------------------------------------------------------------------------------------


def test_requirements_of_a_procedure_come_with_names_per_language(client):
    found = client.requirements(procedure="T2", country="DE")
    assert len(found) >= 2
    assert all(r.identifier.startswith("https://sr.oots.tech.ec.europa.eu/requirements/") for r in found)
    assert all(r.name("FR") and r.name("DE") for r in found)


def test_evidence_types_come_as_alternative_sets(client):
    result = client.evidence_types(requirement=RESIDENCE, country="BE")
    assert result.requirement.identifier == RESIDENCE
    assert [len(a.evidence_types) for a in result.alternatives] == [1, 2]


def catalogue_offers(offers):
    """The offers of the simulator's catalogue, without the test provider per EDM version that the Directory
    simulator adds for Germany after them (simulators.common_services.catalogue.VERSION_PROVIDERS)."""
    return [o for o in offers if not o.access_service.identifier.startswith("AP_DE_SIM_V")]


def test_data_services_give_two_providers_for_the_german_birth_certificate(client):
    result = client.data_services(evidence_type=classification("Birth certificate", "DE"), country="DE")
    assert isinstance(result, DataServicesResult)
    offers = catalogue_offers(result.offers)
    assert [o.publisher.name() for o in offers] == [
        "Civil Registration Office Berlin",
        "Civil Registration Office Hamburg",
    ]
    assert offers[1].access_service.conforms_to == ("oots-edm:v1.2", "oots-edm:v2.0")


def test_specification_filter_keeps_only_services_speaking_that_version(client):
    result = client.data_services(
        evidence_type=classification("Birth certificate", "DE"), country="DE", specification="oots-edm:v2.0"
    )
    assert [o.access_service.identifier for o in result.offers] == ["AP_DE_SIM_2", "AP_DE_SIM_V20"]


def test_germany_has_a_test_provider_per_edm_version_speaking_only_that_version(client):
    result = client.data_services(evidence_type=classification("Birth certificate", "DE"), country="DE")
    by_access_point = {o.access_service.identifier: o for o in result.offers}
    for version, suffix in (("v1.0", "V10"), ("v1.1", "V11"), ("v1.2", "V12"), ("v2.0", "V20")):
        offer = by_access_point[f"AP_DE_SIM_{suffix}"]
        assert offer.access_service.conforms_to == (f"oots-edm:{version}",)
        assert offer.publisher.name().endswith(f"(EDM {version})")


def test_specification_nobody_speaks_answers_no_data_service(client):
    with pytest.raises(NoDataServiceError):
        client.data_services(
            evidence_type=classification("Birth certificate", "FR"),
            country="FR",
            specification="oots-edm:v1.2",
        )


def test_high_loa_data_service_says_so(client):
    result = client.data_services(
        evidence_type=classification("Tax clearance certificate", "BE"), country="BE"
    )
    assert result.offers[0].evidence_type.level_of_assurance == "High"


# --- DSD:ERR:0005 -------------------------------------------------------------------------------------------


def test_nuts_question_loop_finds_the_regional_provider(client):
    evidence_type = classification("Certificate of residence", "AT")
    question = client.data_services(evidence_type=evidence_type, country="AT")
    assert isinstance(question, AdditionalInputRequired)
    assert question.jurisdiction.level == "NUTS1"
    assert question.jurisdiction.label("DE") == "Wohnort"
    result = client.data_services(
        evidence_type=evidence_type, country="AT", answers=question.answer(jurisdiction="AT2")
    )
    assert [o.publisher.jurisdiction.nuts for o in result.offers] == ["AT2"]


def test_classification_question_carries_the_allowed_values_of_its_list(client):
    question = client.data_services(
        evidence_type=classification("Secondary school leaving certificate", "DE"), country="DE"
    )
    (asked,) = question.classification_questions
    assert {"HH", "BY", "BE"} <= {v.code for v in asked.allowed_values}
    assert asked.allowed_values[0].label("DE") == "Baden-Württemberg"
    assert "federal state" in asked.question()


def test_classification_answer_loop_finds_the_provider_of_that_state(client):
    evidence_type = classification("Secondary school leaving certificate", "DE")
    question = client.data_services(evidence_type=evidence_type, country="DE")
    answers = question.answer(classifications={question.classification_questions[0].identifier: "HH"})
    result = client.data_services(evidence_type=evidence_type, country="DE", answers=answers)
    assert [o.publisher.name() for o in catalogue_offers(result.offers)] == [
        "Authority for Schools and Vocational Training Hamburg"
    ]


def test_answer_outside_the_allowed_values_is_refused_before_sending(client):
    question = client.data_services(
        evidence_type=classification("Secondary school leaving certificate", "DE"), country="DE"
    )
    with pytest.raises(InvalidAnswerError):
        question.answer(classifications={question.classification_questions[0].identifier: "XX"})


def test_nuts_region_of_another_country_is_refused_by_the_dsd(client):
    evidence_type = classification("Certificate of residence", "AT")
    question = client.data_services(evidence_type=evidence_type, country="AT")
    answers = question.answer(jurisdiction="BE1")
    with pytest.raises(InvalidParameterValueError):
        client.data_services(evidence_type=evidence_type, country="AT", answers=answers)


# --- errors ------------------------------------------------------------------------------------------


def test_unknown_procedure_is_eb_err_0005(client):
    with pytest.raises(UnknownProcedureError) as caught:
        client.requirements(procedure="Z9", country="DE")
    assert caught.value.code == "EB:ERR:0005"


def test_bad_country_is_eb_err_0006(client):
    with pytest.raises(UnknownCountryError):
        client.requirements(procedure="T2", country="QQ")


def test_country_without_requirements_is_eb_err_0001(client):
    with pytest.raises(EmptyResultError):
        client.requirements(procedure="T2", country="IT")


def test_unknown_requirement_is_eb_err_0002(client):
    with pytest.raises(UnknownRequirementError):
        client.evidence_types(
            requirement="https://sr.oots.tech.ec.europa.eu/requirements/00000000-0000-0000-0000-000000000001",
            country="FR",
        )


def test_unknown_evidence_type_is_dsd_err_0002(client):
    with pytest.raises(UnknownEvidenceTypeError):
        client.data_services(
            evidence_type="https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/FR/00000000-0000-0000-0000-000000000001",
            country="FR",
        )


def test_alternative_without_data_service_is_dsd_err_0001(client):
    with pytest.raises(NoDataServiceError):
        client.data_services(
            evidence_type=classification("Extract from the civil register", "CZ"), country="CZ"
        )


@pytest.mark.parametrize("service", ["eb", "dsd"])
def test_unknown_query_is_refused_with_the_service_code(live_server, service):
    response = requests.get(f"{live_server.url}/sim/cs/{service}/rest/search?queryId=urn:nope", timeout=5)
    assert {"eb": b"EB:ERR:0007", "dsd": b"DSD:ERR:0004"}[service] in response.content


def test_missing_parameter_is_refused(live_server):
    response = requests.get(
        f"{live_server.url}/sim/cs/eb/rest/search",
        params={
            "queryId": "urn:fdc:oots:eb:ebxml-regrep:queries:evidence-types-by-requirement-and-jurisdiction",
            "country-code": "FR",
        },
        timeout=5,
    )
    assert b'code="EB:ERR:0003"' in response.content and b'detail="requirement-id"' in response.content


def test_unknown_query_answer_maps_to_its_typed_error(live_server):
    from oots_client.common_services.parse import raise_for_failure

    client = make_client(live_server, CsApiVersion.V1_2)
    # An EB query id sent to the DSD: the DSD answers DSD:ERR:0004 (unknown query).
    answer = client._query(f"{live_server.url}/sim/cs/dsd", REQUIREMENTS_QUERY, [], refresh=True)
    with pytest.raises(UnknownQueryError) as caught:
        raise_for_failure(answer)
    assert caught.value.code == "DSD:ERR:0004"


def test_parameter_the_api_version_lacks_is_refused_before_sending(live_server):
    client = make_client(live_server, CsApiVersion.V1_0)
    with pytest.raises(QueryParameterError):
        client.data_services(evidence_type="https://x", country="FR", specification="oots-edm:v1.2")


def test_v1_parameter_sent_to_a_v2_service_is_refused_by_it(live_server):
    response = requests.get(
        f"{live_server.url}/sim/cs/eb/rest/search",
        params={
            "queryId": REQUIREMENTS_QUERY,
            "procedure-id": "T2",
            "country-code": "AT",
            "jurisdiction-admin-l2": "AT1",
        },
        headers={"Accept-Version": "oots-cs:v2.0"},
        timeout=5,
    )
    assert b"EB:ERR:0003" in response.content


def test_invalid_parameters_error_is_typed(live_server):
    client = make_client(live_server, CsApiVersion.V1_2)
    with pytest.raises(InvalidParametersError):
        client.evidence_types(requirement="", country="FR")


# --- API 2.0 signature, version, transport, cache ---------------------------------------------------------


def test_v2_answer_from_an_untrusted_signer_is_rejected_when_required(live_server, tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "not the simulator")])
    now = dt.datetime.now(dt.UTC)
    stranger = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(2)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    client = make_client(
        live_server, trusted_certificates=(stranger.public_bytes(serialization.Encoding.PEM),)
    )
    with pytest.raises(SignatureError):
        client.requirements(procedure="T2", country="DE")


def test_v2_untrusted_signer_is_only_logged_in_warn_mode(live_server, caplog):
    client = make_client(live_server, signature_mode=SignatureMode.WARN, trusted_certificates=())
    with caplog.at_level(logging.WARNING, logger="oots_client.common_services.client"):
        assert client.requirements(procedure="T2", country="DE")
    assert "signature not verified" in caplog.text


def test_v1_answer_to_a_v2_client_is_refused(live_server):
    class NoVersionSession(requests.Session):
        def get(self, url, **kwargs):
            kwargs["headers"] = {k: v for k, v in kwargs["headers"].items() if k != "Accept-Version"}
            return super().get(url, **kwargs)

    client = CommonServicesClient(
        CommonServicesConfig(eb_url=f"{live_server.url}/sim/cs/eb", signature_mode=SignatureMode.OFF),
        session=NoVersionSession(),
    )
    with pytest.raises(CsProtocolError, match=r"oots-cs:v2\.0"):
        client.requirements(procedure="T2", country="DE")


def test_unreachable_service_is_transient_after_bounded_retries(live_server):
    waits: list[float] = []
    client = CommonServicesClient(
        CommonServicesConfig(
            eb_url="http://127.0.0.1:9/eb", retry=RetryPolicy(attempts=3, backoff_seconds=0.01)
        ),
        sleep=waits.append,
    )
    with pytest.raises(CsUnavailableError):
        client.requirements(procedure="T2", country="DE")
    assert len(waits) == 2


def test_cached_answer_is_used_until_refresh(live_server):
    cache = MemoryCache()
    client = CommonServicesClient(make_client(live_server).config, cache=cache)
    first = client.requirements(procedure="T2", country="DE")
    offline = CommonServicesClient(
        CommonServicesConfig(**{**_fields(client.config), "eb_url": "http://127.0.0.1:9/eb"}), cache=cache
    )
    # The cache is keyed by URL: the same query against the same base is answered without the network.
    assert client.requirements(procedure="T2", country="DE") == first
    assert len(cache.entries) == 1
    with pytest.raises(CsUnavailableError):
        offline.requirements(procedure="T2", country="DE", refresh=True)


def _fields(config: CommonServicesConfig) -> dict:
    return {f: getattr(config, f) for f in config.__dataclass_fields__}


# --- command line ------------------------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "oots_client.common_services", "--signature", "off", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_cli_prints_requirements_as_json(live_server):
    done = cli("--eb", f"{live_server.url}/sim/cs/eb", "requirements", "--procedure", "T2", "--country", "DE")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert {"identifier", "names"} <= set(rows[0])


def test_cli_runs_the_additional_input_loop_with_a_jurisdiction(live_server):
    base = [
        "--dsd",
        f"{live_server.url}/sim/cs/dsd",
        "data-services",
        "--evidence-type",
        classification("Certificate of residence", "AT"),
        "--country",
        "AT",
    ]
    asked = json.loads(cli(*base).stdout)
    assert asked["additional_input"]["jurisdiction_level"] == "NUTS1"
    done = cli(*base, "--jurisdiction", "AT3")
    offers = json.loads(done.stdout)
    assert offers[0]["publisher"]["name"] == "Registration authority Western Austria"
    assert {
        "evidence_type_id",
        "classification",
        "formats",
        "access_service",
        "publisher",
        "level_of_assurance",
    } <= set(offers[0])


def test_cli_exits_1_with_the_error_code(live_server):
    done = cli("--eb", f"{live_server.url}/sim/cs/eb", "requirements", "--procedure", "Z9", "--country", "DE")
    assert done.returncode == 1
    assert "EB:ERR:0005" in done.stderr

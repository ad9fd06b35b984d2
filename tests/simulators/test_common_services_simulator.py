"""The Common Services simulator's answers are valid RegRep (XSD) and pass the official EB/DSD Schematron v1.0
(SR domain normalised to the old one the April-2023 rules expect, DIGEST §9), for each kind of answer."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
import requests

from oots_client.common_services.queries import DATA_SERVICES_QUERY, EVIDENCE_TYPES_QUERY, REQUIREMENTS_QUERY
from oots_client.edm import namespaces as ns
from oots_client.edm.schematron import compile_schematron
from oots_client.edm.validate import SCHEMATRON_DIR, xsd_schema
from oots_client.edm.versions import XsdProfile
from oots_client.edm.xmlsafe import parse_xml
from simulators.common_services.catalogue import catalogue
from tests.factories import SDG_CODES

# Rules of the April-2023 (EDM v1.0) Schematron that later TDD releases relaxed, so a current answer must
# fail them: C015 wants every access service to speak only oots-edm:v1.0 (TDD 1.0.6/1.1.1 allow v1.2 and
# v2.0); C010/C038 want data models under /distributions/ (v1.2 uses /datamodels/).
OUTDATED_RULES = {"R-DSD-RESP-C015", "R-DSD-RESP-C010", "R-DSD-RESP-C038"}

BIRTH = next(r for r in catalogue().requirements if r["key"] == "birth")


def classification(kind_title: str, country: str) -> str:
    for entry in catalogue().evidence_types:
        for lst in entry["lists"]:
            for t in lst["types"]:
                if t["titles"]["EN"] == kind_title and entry["country"] == country:
                    return t["classification"]
    raise LookupError(kind_title)


def fetch(live_server, service: str, params: dict[str, str], v2: bool = False) -> bytes:
    headers = {"Accept-Version": "oots-cs:v2.0"} if v2 else {}
    response = requests.get(
        f"{live_server.url}/sim/cs/{service}/rest/search?{urlencode(params)}", headers=headers, timeout=10
    )
    assert response.status_code == 200
    return response.content


def schematron_errors(body: bytes, *files: str) -> list[str]:
    rules = compile_schematron(*(SCHEMATRON_DIR / "edm-v1.0" / f for f in files))
    old_domain = body.replace(ns.SR_DOMAIN_NEW.encode(), ns.SR_DOMAIN_OLD.encode())
    return [
        f"{f.rule_id}: {f.message}"
        for f in rules.run(old_domain)
        if f.flag.lower() not in ("info", "warning") and f.rule_id not in OUTDATED_RULES
    ]


CASES = {
    "requirements": (
        "eb",
        {"queryId": REQUIREMENTS_QUERY, "procedure-id": "T2", "country-code": "DE"},
        ("EB-REQ-S.sch", "EB-REQ-C.sch"),
    ),
    "evidence types": (
        "eb",
        {"queryId": EVIDENCE_TYPES_QUERY, "requirement-id": BIRTH["id"], "country-code": "FR"},
        ("EB-EVI-S.sch", "EB-EVI-C.sch"),
    ),
    "eb error": (
        "eb",
        {"queryId": REQUIREMENTS_QUERY, "procedure-id": "Z9", "country-code": "DE"},
        ("EB-ERR.sch",),
    ),
    "data services, two providers": (
        "dsd",
        {
            "queryId": DATA_SERVICES_QUERY,
            "evidence-type-classification": "@Birth certificate@DE",
            "country-code": "DE",
        },
        ("DSD-RESP-S.sch", "DSD-RESP-C.sch"),
    ),
    "dsd additional input (NUTS)": (
        "dsd",
        {
            "queryId": DATA_SERVICES_QUERY,
            "evidence-type-classification": "@Certificate of residence@AT",
            "country-code": "AT",
        },
        ("DSD-ERR-S.sch", "DSD-ERR-C.sch"),
    ),
    "dsd additional input (classification)": (
        "dsd",
        {
            "queryId": DATA_SERVICES_QUERY,
            "evidence-type-classification": "@Secondary school leaving certificate@DE",
            "country-code": "DE",
        },
        ("DSD-ERR-S.sch", "DSD-ERR-C.sch"),
    ),
    "dsd error": (
        "dsd",
        {"queryId": DATA_SERVICES_QUERY, "country-code": "DE"},
        ("DSD-ERR-S.sch", "DSD-ERR-C.sch"),
    ),
}


def resolved(params: dict[str, str]) -> dict[str, str]:
    value = params.get("evidence-type-classification", "")
    if value.startswith("@"):
        _, title, country = value.split("@")
        params = {**params, "evidence-type-classification": classification(title, country)}
    return params


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("v2", [False, True], ids=["api1", "api2"])
def test_simulator_answer_is_valid_regrep(live_server, case, v2):
    service, params, _ = CASES[case]
    body = fetch(live_server, service, resolved(params), v2=v2)
    schema = xsd_schema(XsdProfile.SDG_V1_0)
    assert schema.validate(parse_xml(body)), schema.error_log


@pytest.mark.parametrize("case", list(CASES))
def test_simulator_api1_answer_passes_the_official_schematron(live_server, case):
    service, params, files = CASES[case]
    body = fetch(live_server, service, resolved(params))
    assert schematron_errors(body, *files) == []


def test_catalogue_covers_all_21_procedures_with_several_requirements():
    for code in SDG_CODES:
        assert len([r for r in catalogue().requirements if code in r["procedures"]]) >= 2, code


def test_catalogue_covers_at_least_six_countries():
    assert len(catalogue().countries) >= 6


def test_signing_certificate_is_served(live_server):
    response = requests.get(f"{live_server.url}/sim/cs/signing-certificate.pem", timeout=10)
    assert response.content.startswith(b"-----BEGIN CERTIFICATE-----")


def test_classification_value_list_is_served_as_genericode(live_server):
    response = requests.get(f"{live_server.url}/sim/cs/dsd/rest/codelists/DE/regionalStates", timeout=10)
    assert b"<SimpleValue>HH</SimpleValue>" in response.content

"""The Common Services parser over the official EB/DSD samples and the CS API 2.0 captures of ``tests/data``,
and the detached JWS check over those captures (signed by the Commission's acceptance services)."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest
from cryptography import x509

from oots_client.common_services import (
    AdditionalInputRequired,
    DataServicesResult,
    EmptyResultError,
    InvalidJurisdictionLevelError,
    InvalidParametersError,
    NoDataServiceError,
    SignatureError,
    UnknownEvidenceTypeError,
    UnknownRequirementError,
)
from oots_client.common_services.parse import (
    data_services_from,
    evidence_types_from,
    read_answer,
    requirements_from,
)
from oots_client.common_services.signature import verify_answer
from tests.conftest import DATA_DIR

EB = "edm-v1.0/EB/Complete XML examples (EB)"
DSD = "edm-v1.0/DSD/Complete XML examples (DSD)"
V2 = "oots-france-v2.0/common_services"


def answer(relative: str):
    return read_answer((DATA_DIR / relative).read_bytes(), max_bytes=2_000_000)


@pytest.mark.parametrize(
    ("relative", "identifier"),
    [
        (
            f"{EB}/4.2. Get List of Requirements Query - Birth Certificate.xml",
            "315cfd75-6605-49c4-b0fe-799833b41099",
        ),
        (
            f"{EB}/4.2. Get List of Requirements Query - Secondary Education.xml",
            "cfcd4e22-30f1-48fa-93e4-6cf98cedbf40",
        ),
        (f"{V2}/eb_requirements_fr.xml", "00000000-0000-0000-0000-000000000000"),
    ],
)
def test_requirement_answers_give_the_requirement_uri(relative, identifier):
    requirements = requirements_from(answer(relative))
    assert len(requirements) == 1
    assert requirements[0].identifier.endswith(identifier)


def test_requirement_answer_gives_names_per_language_and_procedure():
    (requirement,) = requirements_from(
        answer(f"{EB}/4.2. Get List of Requirements Query - Birth Certificate.xml")
    )
    assert requirement.name("EN") == "Proof of Birth"
    assert requirement.name("DE") == "Geburtsnachweis"
    assert requirement.reference_frameworks[0].procedure_codes == ("R1",)
    assert requirement.reference_frameworks[0].jurisdictions[0].country == "DE"


def test_v2_catalogue_answer_lists_every_requirement():
    assert len(requirements_from(answer(f"{V2}/eb_requirements_catalogue.xml"))) == 53


def test_v2_answer_carries_its_specification_identifier():
    assert answer(f"{V2}/eb_requirements_fr.xml").specification == "oots-cs:v2.0"


def test_evidence_type_answer_gives_alternative_sets():
    result = evidence_types_from(
        answer(f"{EB}/4.3. Get Evidence Types for Requirement Query - Secondary Education.xml")
    )
    assert [len(a.evidence_types) for a in result.alternatives] == [3, 2]


@pytest.mark.parametrize(
    ("relative", "classification_end"),
    [
        (
            f"{EB}/4.3. Get Evidence Types for Requirement Query - Birth Certificate.xml",
            "DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e",
        ),
        (f"{V2}/eb_evidence_types_fi.xml", "FI/19f0783e-7cdc-4146-9ff9-e331514ffb74"),
        (f"{V2}/eb_evidence_types_fr.xml", "FR/869a6748-bfc5-4de6-a0b4-ec0420f6b6a4"),
    ],
)
def test_evidence_type_answers_give_the_classification(relative, classification_end):
    result = evidence_types_from(answer(relative))
    assert result.alternatives[0].evidence_types[0].classification.endswith(classification_end)


@pytest.mark.parametrize(
    ("relative", "error", "code"),
    [
        (
            f"{EB}/4.4. Query Error Response of the Evidence Broker - Birth.xml",
            InvalidParametersError,
            "EB:ERR:0003",
        ),
        (
            f"{EB}/4.4. Query Error Response of the Evidence Broker - Secondary Education.xml",
            InvalidJurisdictionLevelError,
            "EB:ERR:0004",
        ),
        (
            f"{EB}/4.4. Query Error Response of the Evidence Broker - Social Security Contributions.xml",
            UnknownRequirementError,
            "EB:ERR:0002",
        ),
        (f"{V2}/eb_requirements_vides.xml", EmptyResultError, "EB:ERR:0001"),
    ],
)
def test_eb_error_answers_raise_their_typed_error(relative, error, code):
    with pytest.raises(error) as caught:
        requirements_from(answer(relative))
    assert caught.value.code == code


@pytest.mark.parametrize(
    ("relative", "error"),
    [
        (f"{DSD}/4.4.1 Query Error Response of the DSD - Birth Certificate.xml", InvalidParametersError),
        (f"{DSD}/4.4.1 Query Error Response of the DSD - Secondary Education.xml", UnknownEvidenceTypeError),
        (
            f"{DSD}/4.4.1 Query Error Response of the DSD - Social Security Contributions.xml",
            NoDataServiceError,
        ),
        (f"{V2}/dsd_aucun_service_fr.xml", NoDataServiceError),
    ],
)
def test_dsd_error_answers_raise_their_typed_error(relative, error):
    with pytest.raises(error):
        data_services_from(answer(relative))


def test_dsd_answer_with_two_access_services_gives_two_offers():
    result = data_services_from(answer(f"{DSD}/4.3. Query Response of the DSD - Birth Certificate.xml"))
    assert isinstance(result, DataServicesResult)
    offers = result.offers
    assert [o.access_service.identifier for o in offers] == ["8889909098", "8889909099"]
    assert offers[0].publisher.name() == "Civil Registration Office Berlin I"
    assert offers[0].evidence_type.level_of_assurance == "High"
    assert offers[0].publisher.classification_concepts[0].supported_values == (
        "ApplicantHasNeverBeenResidentInGermany",
        "ApplicantHasBeenResidentInGermany",
    )


@pytest.mark.parametrize(
    "relative",
    [
        f"{DSD}/4.3. Query Response of the DSD - Birth Certificate Simple Flow.xml",
        f"{DSD}/4.3. Query Response of the DSD - Secondary Education.xml",
        f"{DSD}/4.3. Query Response of the DSD - Social Security Contributions.xml",
        f"{V2}/dsd_data_services_fi.xml",
    ],
)
def test_dsd_success_answers_give_an_access_service_and_its_edm_version(relative):
    result = data_services_from(answer(relative))
    assert isinstance(result, DataServicesResult)
    service = result.offers[0].access_service
    assert service.identifier and service.scheme_id
    assert service.conforms_to[0].startswith("oots-edm:v")


def test_additional_input_asks_for_the_nuts1_region() -> None:
    result = data_services_from(
        answer(
            f"{DSD}/4.4.3. Query Error Response of the DSD requesting additional User Provided Attributes"
            " - Secondary Education - DSD-ERR005.xml"
        )
    )
    assert isinstance(result, AdditionalInputRequired)
    assert result.jurisdiction is not None
    assert result.jurisdiction.level == "NUTS1"
    assert result.jurisdiction.context_id == "9be524c1-6efe-417a-974c-088f54f0bcae"
    assert result.jurisdiction.label() == "Place Of Education Organisation"
    assert result.evidence_type.identifier == "487fdfdc-7f92-42bb-a690-dcbd3d65f435"


def test_additional_input_sample_asks_both_questions():
    result = data_services_from(
        answer(
            f"{DSD}/4.4.3. Query Error Response of the DSD requesting additional User Provided Attributes"
            " - Birth Certificate - DSD-ERR005.xml",
        )
    )
    assert result.jurisdiction.level == "LAU"
    assert result.jurisdiction.label("DE") == "Geburtsort"
    assert [q.identifier for q in result.classification_questions] == ["b07146b6-1468-41a7-a10f-ee2a61429dbc"]
    assert result.classification_questions[0].concept.value_expression.endswith(
        "ep-classification/de/countryresidence"
    )


# --- the detached JWS of the real CS v2 answers ------------------------------------------------------------


def capture(name: str) -> tuple[bytes, dict[str, str]]:
    body = (DATA_DIR / V2 / f"{name}.xml").read_bytes()
    lines = (DATA_DIR / V2 / f"{name}.headers").read_text().splitlines()
    headers = dict(line.split(": ", 1) for line in lines if line)
    return body, headers


def commission_root(headers: dict[str, str]) -> x509.Certificate:
    protected = headers["oots-response-sig"].split(".")[0]
    chain = json.loads(base64.urlsafe_b64decode(protected + "=" * (-len(protected) % 4)))["x5c"]
    return x509.load_der_x509_certificate(base64.b64decode(chain[-1]))


SIGNED_AT = dt.datetime(2026, 8, 1, tzinfo=dt.UTC)  # within the acceptance certificate's validity


@pytest.mark.parametrize("name", ["dsd_data_services_fi", "eb_requirements_fr", "dsd_aucun_service_fr"])
def test_real_v2_answer_signature_verifies_against_the_commission_root(name):
    body, headers = capture(name)
    leaf = verify_answer(body, headers, [commission_root(headers)], now=SIGNED_AT)
    assert "EC-OOTS-CS-ACC" in leaf.subject.rfc4514_string()


def test_real_v2_answer_with_a_changed_body_is_rejected():
    body, headers = capture("dsd_data_services_fi")
    with pytest.raises(SignatureError, match="body"):
        verify_answer(
            body.replace(b"AP_FI_03", b"AP_XX_66"), headers, [commission_root(headers)], now=SIGNED_AT
        )


def test_real_v2_answer_with_a_changed_digest_header_is_rejected():
    body, headers = capture("dsd_data_services_fi")
    forged = body.replace(b"AP_FI_03", b"AP_XX_66")
    from oots_client.common_services.signature import body_digest

    headers = {**headers, "digest": body_digest(forged)}
    with pytest.raises(SignatureError, match="does not verify"):
        verify_answer(forged, headers, [commission_root(headers)], now=SIGNED_AT)


def test_real_v2_answer_is_rejected_when_its_root_is_not_trusted(tmp_path):
    body, headers = capture("eb_requirements_fr")
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "someone else")])
    stranger = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(SIGNED_AT - dt.timedelta(days=1))
        .not_valid_after(SIGNED_AT + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    with pytest.raises(SignatureError, match="trusted"):
        verify_answer(body, headers, [stranger], now=SIGNED_AT)

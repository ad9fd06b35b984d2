"""Every EDM message among the sample messages (``tests/data``) parses to the right kind; chosen ones to the
right values."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from oots_client.edm import (
    EdmError,
    ErrorResponse,
    EvidenceResponse,
    LegalPerson,
    MessageKind,
    NotEdmMessageError,
    QueryRequest,
    ResponseStatus,
    parse_message,
)
from oots_client.edm.xmlsafe import parse_xml
from tests.conftest import DATA_DIR

_SAMPLES = sorted(DATA_DIR.rglob("*.xml"))
_EDM_V10 = "edm-v1.0/Request-Response Samples/4.5.4 - OOTS-EDM XML Examples of the Evidence Exchange"


def _expected_kind(path: Path) -> MessageKind | None:
    """The kind, found without the parser under test: the root, its status, EDM-only slots or codes."""
    root = parse_xml(path.read_bytes())
    local = root.tag.rpartition("}")[2]
    text = path.read_text(encoding="utf-8", errors="replace")
    if local == "QueryRequest":
        return MessageKind.REQUEST
    edm_version = re.search(r'name="SpecificationIdentifier".{0,400}?Value>\s*oots-edm:', text, re.DOTALL)
    edm_only = 'name="EvidenceResponseIdentifier"' in text or "EDM:ERR:" in text
    if local != "QueryResponse" or not (edm_version or edm_only):
        return None
    return MessageKind.ERROR if (root.get("status") or "").endswith("Failure") else MessageKind.RESPONSE


@pytest.mark.parametrize("path", _SAMPLES, ids=lambda p: str(p.relative_to(DATA_DIR)))
def test_every_sample_parses_to_its_kind_or_is_refused_as_not_edm(path: Path) -> None:
    expected = _expected_kind(path)
    if expected is None:
        with pytest.raises(NotEdmMessageError):
            parse_message(path.read_bytes())
    else:
        assert parse_message(path.read_bytes()).kind is expected


def test_the_sample_folder_holds_all_three_versions_and_kinds() -> None:
    seen = set()
    for path in _SAMPLES:
        try:
            message = parse_message(path.read_bytes())
        except EdmError:
            continue
        seen.add((message.kind, message.version))
    for version in ("oots-edm:v1.0", "oots-edm:v1.2", "oots-edm:v2.0"):
        for kind in MessageKind:
            assert (kind, version) in seen


def _parse(relative: str) -> object:
    return parse_message((DATA_DIR / relative).read_bytes())


def test_v10_legal_person_request_reads_company_representative_and_procedure() -> None:
    message = _parse(
        f"{_EDM_V10}/4 Example for requesting an Extract of a Commercial Register/"
        "4.1 Step 1  Evidence Request  - Tax - full example.xml",
    )
    assert isinstance(message, QueryRequest)
    request = message.request
    assert message.version == "oots-edm:v1.0"
    assert request.request_id == "urn:uuid:361e43b5-bd1b-4eb5-9b1f-93971ce2e811"
    assert request.procedure == "X4"
    assert isinstance(request.subject, LegalPerson)
    assert request.subject.legal_name == "Sweden ltd"
    assert request.subject.legal_person_identifier is not None
    assert request.subject.legal_person_identifier.value == "SE/DE/12132123Y"
    assert request.authorized_representative is not None
    assert request.authorized_representative.family_name == "Doe"
    assert request.evidence_provider.identifier.scheme_id == "urn:cef.eu:names:identifier:EAS:9930"
    # old SR domain in the file, new domain in the model (DIGEST §9)
    assert request.requirements[0].identifier.startswith("https://sr.oots.tech.ec.europa.eu/requirements/")


def test_v12_second_request_reads_preview_location_and_v12_person_attributes() -> None:
    message = _parse("edm-v1.2/education-preview-flow/EDM_Second_Request.xml")
    assert isinstance(message, QueryRequest)
    request = message.request
    assert message.version == "oots-edm:v1.2"
    assert request.procedure == "T2"  # xsi:lang instead of xml:lang on the LocalizedString is tolerated
    assert request.preview_location == (
        "https://preview.space.example.com/requests?session=d36af8bc-fea6-4ee5-a32d-5bef82cdb071"
    )
    assert request.natural_person is not None
    assert request.natural_person.nationality == "DE"
    assert request.natural_person.email_address == "jack.smith@mail.com"
    assert request.evidence_provider_classifications[0].supported_values == ("HH",)
    assert request.requirements[0].descriptions[0].lang == "EN"


def test_v12_first_response_is_a_preview_required_error_with_location_and_method() -> None:
    message = _parse("edm-v1.2/education-preview-flow/EDM_Ferst_Response.xml")
    assert isinstance(message, ErrorResponse)
    (exception,) = message.exceptions
    assert exception.code == "EDM:ERR:0002"
    assert exception.type == "AuthorizationExceptionType"
    assert exception.is_preview_required
    assert exception.preview_method == "GET"
    assert exception.preview_location is not None and exception.preview_location.startswith("https://")
    assert {t.lang for t in exception.preview_description} == {"NL", "RO", "EN"}


def test_v20_request_reads_procedure_sent_as_plain_string() -> None:
    message = _parse("oots-france-v2.0/reference/messages/requete.xml")
    assert isinstance(message, QueryRequest)
    assert message.version == "oots-edm:v2.0"
    assert message.request.procedure == "T3"
    assert message.request.intermediary_platform is not None
    assert message.request.intermediary_platform.classification == "IP"
    assert message.request.evidence.distribution.languages == ("EN",)


def test_v20_response_reads_evidence_inside_registry_package() -> None:
    message = _parse("oots-france-v2.0/reference/messages/reponse.xml")
    assert isinstance(message, EvidenceResponse)
    assert message.status is ResponseStatus.SUCCESS
    (item,) = message.evidences
    assert item.classification_node == "MainEvidence"
    assert item.attachment is not None
    assert item.attachment.href == "cid:1a2b3c4d-0000-4000-8000-000000000003@pdf.oots.fr"
    assert item.metadata.distribution.format == "application/pdf"
    assert item.metadata.issuing_date == dt.date(1970, 3, 3)


def test_timeout_error_reads_code_and_type() -> None:
    message = _parse("oots-france-v2.0/reference/messages/erreurExpiration.xml")
    assert isinstance(message, ErrorResponse)
    assert [(e.code, e.type) for e in message.exceptions] == [("EDM:ERR:0005", "TimeoutExceptionType")]


def test_v10_response_reads_attachment_references() -> None:
    message = _parse(
        f"{_EDM_V10}/3 Example for requesting Secondary Education Completion Evidence/Old samples/"
        "3.4 Step 4 Evidence Response - Education.xml",
    )
    assert isinstance(message, EvidenceResponse)
    assert message.version == "oots-edm:v1.0"
    assert message.request_id == "urn:uuid:bc2842c1-6625-450d-a7c6-7d692230b753"
    assert [item.attachment.href for item in message.evidences if item.attachment is not None] == [
        "cid:attachment100001@example.oots.eu",
        "cid:attachment100002@example.oots.eu",
    ]

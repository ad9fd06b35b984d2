"""The project's own business-rule checks (``oots_client.edm.rules``): the rules the official Schematron
cannot fire, reported by their workbook id on messages that break them, for every EDM version."""

from __future__ import annotations

import dataclasses

import pytest
from lxml import etree

from oots_client.edm import ErrorResponse, build_error, build_request, validate_message
from oots_client.edm import namespaces as ns
from oots_client.edm.examples import EXAMPLE_REQUEST_ID, EXAMPLE_TIME, PROVIDER, REQUESTER, example_request
from oots_client.edm.model import EdmException, LocalizedText
from oots_client.edm.validate import Finding
from oots_client.edm.xmlsafe import parse_xml

VERSIONS = ("oots-edm:v1.0", "oots-edm:v1.2", "oots-edm:v2.0")
PREVIEW = "https://preview.provider.example/session/42"


def _exception(**changes: object) -> EdmException:
    plain = EdmException(
        type="ObjectNotFoundExceptionType",
        code="EDM:ERR:0004",
        severity=ns.SEVERITY_ERROR,
        message="Object not found",
        timestamp=EXAMPLE_TIME,
    )
    return dataclasses.replace(plain, **changes)  # type: ignore[arg-type]


def _preview_exception() -> EdmException:
    return _exception(
        type="AuthorizationExceptionType",
        code="EDM:ERR:0002",
        severity=ns.SEVERITY_PREVIEW_REQUIRED,
        message="Preview required",
        preview_location=PREVIEW,
        preview_description=(LocalizedText("Please preview the evidence", "EN"),),
        preview_method="GET",
    )


def _error(version: str, *exceptions: EdmException, request_id: str | None = EXAMPLE_REQUEST_ID) -> bytes:
    return build_error(
        ErrorResponse(
            version=version,
            request_id=request_id,
            response_id="530ad1e2-5eaf-4a9a-8192-227432eea95d",
            exceptions=exceptions,
            error_provider=dataclasses.replace(PROVIDER, classification="ERRP"),
            evidence_requester=dataclasses.replace(REQUESTER, classification=None, address=None),
        )
    )


def _rule_errors(data: bytes) -> set[tuple[str, str]]:
    return {(f.rule_id, f.source) for f in validate_message(data).errors}


def _without_request_id(data: bytes) -> bytes:
    root = parse_xml(data)
    del root.attrib["requestId"]
    return etree.tostring(root)


@pytest.mark.parametrize("version", VERSIONS)
def test_well_formed_errors_break_no_rule(version: str) -> None:
    for exception in (_exception(), _preview_exception()):
        report = validate_message(_error(version, exception))
        assert report.errors == (), report.errors


@pytest.mark.parametrize("version", VERSIONS)
def test_error_without_request_id_breaks_s003_unless_the_request_was_invalid(version: str) -> None:
    not_found = _without_request_id(_error(version, _exception()))
    assert ("R-EDM-ERR-S003", "rules") in _rule_errors(not_found)
    invalid_request = _without_request_id(
        _error(version, _exception(type="InvalidRequestExceptionType", code="EDM:ERR:0003", message="Bad"))
    )
    assert "R-EDM-ERR-S003" not in {rule for rule, _ in _rule_errors(invalid_request)}


def test_s003_finding_names_the_response_root() -> None:
    data = _without_request_id(_error("oots-edm:v1.2", _exception()))
    [finding] = [f for f in validate_message(data).errors if f.rule_id == "R-EDM-ERR-S003"]
    assert finding.location == "/query:QueryResponse"
    assert finding.as_dict() == {
        "rule_id": "R-EDM-ERR-S003",
        "severity": "error",
        "location": "/query:QueryResponse",
        "message": finding.message,
        "source": "rules",
    }
    assert "InvalidRequestExceptionType" in finding.message


# The builders refuse these mistakes; a received message can still carry them, so the tests edit the bytes.
_SEVERITY_ERROR = ns.SEVERITY_ERROR.encode()
_PREVIEW_REQUIRED = ns.SEVERITY_PREVIEW_REQUIRED.encode()


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("old", "new"),
    [
        (_PREVIEW_REQUIRED, _SEVERITY_ERROR),  # a preview location on a plain error
        (b"rs:AuthorizationExceptionType", b"rs:InvalidRequestExceptionType"),  # on another exception type
    ],
)
def test_preview_location_outside_a_preview_required_authorisation_breaks_c022(
    version: str, old: bytes, new: bytes
) -> None:
    data = _error(version, _preview_exception())
    assert old in data
    assert ("R-EDM-ERR-C022", "rules") in _rule_errors(data.replace(old, new))


def test_c022_reads_the_old_sr_domain_spelling_of_preview_required() -> None:
    data = _error("oots-edm:v1.2", _preview_exception())
    old = data.replace(ns.SR_DOMAIN_NEW.encode(), ns.SR_DOMAIN_OLD.encode())
    assert "R-EDM-ERR-C022" not in {rule for rule, _ in _rule_errors(old)}


@pytest.mark.parametrize("version", VERSIONS)
def test_preview_method_post_is_accepted_and_anything_else_breaks_c021(version: str) -> None:
    post = _error(version, dataclasses.replace(_preview_exception(), preview_method="POST"))
    assert validate_message(post).errors == ()  # the official v1.0 rule refuses POST: its finding is dropped
    put = post.replace(b">POST<", b">PUT<")
    assert ("R-EDM-ERR-C021", "rules") in _rule_errors(put)


@pytest.mark.parametrize("version", VERSIONS)
def test_plain_error_with_a_preview_severity_breaks_c015(version: str) -> None:
    data = _error(version, _exception()).replace(_SEVERITY_ERROR, _PREVIEW_REQUIRED)
    assert ("R-EDM-ERR-C015", "rules") in _rule_errors(data)


@pytest.mark.parametrize("version", ["oots-edm:v1.2", "oots-edm:v2.0"])
def test_rules_official_for_v10_only_are_checked_on_later_versions(version: str) -> None:
    http_preview = _error(version, _preview_exception()).replace(PREVIEW.encode(), b"http://x.example/")
    assert ("R-EDM-ERR-C019", "rules") in _rule_errors(http_preview)
    loopback = _error(version, _preview_exception()).replace(PREVIEW.encode(), b"http://127.0.0.1:8000/p")
    assert "R-EDM-ERR-C019" not in {
        rule for rule, _ in _rule_errors(loopback)
    }  # the builders' test exception
    bad_id = _error(version, _exception()).replace(EXAMPLE_REQUEST_ID.encode(), b"urn:uuid:not-a-uuid")
    assert ("R-EDM-ERR-S004", "rules") in _rule_errors(bad_id)


def test_v10_rules_are_not_reported_twice_when_the_official_schematron_ran() -> None:
    bad_id = _error("oots-edm:v1.0", _exception()).replace(
        EXAMPLE_REQUEST_ID.encode(), b"urn:uuid:not-a-uuid"
    )
    report = validate_message(bad_id)
    assert [f.source for f in report.errors if f.rule_id == "R-EDM-ERR-S004"] == ["schematron"]
    alone = validate_message(bad_id, schematron=False)
    assert [f.source for f in alone.errors if f.rule_id == "R-EDM-ERR-S004"] == ["rules"]


@pytest.mark.parametrize("version", VERSIONS)
def test_structured_evidence_requested_without_its_data_model_breaks_c070(version: str) -> None:
    request = example_request()
    xml = dataclasses.replace(request.evidence.distribution, format="application/xml", conforms_to=None)
    data = build_request(
        dataclasses.replace(request, evidence=dataclasses.replace(request.evidence, distribution=xml)),
        version,
    )
    assert ("R-EDM-REQ-C070", "rules") in _rule_errors(data)


@pytest.mark.parametrize("version", VERSIONS)
def test_subject_identifier_naming_an_unknown_country_breaks_c040(version: str) -> None:
    data = build_request(example_request(), version)
    subject = example_request().natural_person
    assert subject is not None and subject.identifier is not None
    value = subject.identifier.value
    wrong = data.replace(value.encode(), b"XX/" + value.split("/", 1)[1].encode())
    assert ("R-EDM-REQ-C040", "rules") in _rule_errors(wrong)


@pytest.mark.parametrize("version", ["oots-edm:v1.2", "oots-edm:v2.0"])
def test_message_without_version_names_every_missing_mandatory_slot(version: str) -> None:
    root = parse_xml(_error(version, _exception()))
    for slot in root.findall(f"{{{ns.RIM}}}Slot"):
        if slot.get("name") in ("SpecificationIdentifier", "ErrorProvider"):
            root.remove(slot)
    report = validate_message(etree.tostring(root))
    assert report.version == ""
    assert report.missing_slots == ("SpecificationIdentifier", "ErrorProvider")
    assert {"R-EDM-ERR-S009", "R-EDM-ERR-S011"} <= {f.rule_id for f in report.errors}


def test_every_finding_is_plain_data() -> None:
    data = _without_request_id(
        _error("oots-edm:v1.0", _exception()).replace(_SEVERITY_ERROR, _PREVIEW_REQUIRED)
    )
    report = validate_message(data)
    assert report.errors
    for finding in report.findings:
        assert isinstance(finding, Finding)
        assert set(finding.as_dict()) == {"rule_id", "severity", "location", "message", "source"}
        assert all(isinstance(value, str) and value for value in finding.as_dict().values())

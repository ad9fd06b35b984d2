"""The builders: every message of every version and variant is valid; v1.2 and v2.0 match their references."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from oots_client.edm import (
    Address,
    Agent,
    AttachmentRef,
    BuildError,
    Distribution,
    EdmException,
    ErrorResponse,
    EvidenceItem,
    EvidenceMetadata,
    EvidenceProviderClassification,
    EvidenceRequest,
    EvidenceResponse,
    Identifier,
    LocalizedText,
    NaturalPerson,
    QueryRequest,
    Requirement,
    ResponseStatus,
    UnsupportedVersionError,
    build_error,
    build_request,
    build_response,
    parse_message,
    validate_message,
)
from oots_client.edm import namespaces as ns
from oots_client.edm.build.checks import check_xsd
from oots_client.edm.examples import COMPANY, EVIDENCE, PERSON, PROVIDER, REQUESTER, example_request
from oots_client.edm.regrep import format_datetime
from oots_client.edm.validate import xsd_findings
from oots_client.edm.versions import V1_0, VERSIONS, get_version
from oots_client.edm.xmlsafe import parse_xml

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
#: the versions the official Schematron applies to (v1.0's rules; v1.1 under them, see its profile)
WITH_SCHEMATRON = sorted(v for v, profile in VERSIONS.items() if profile.schematron_folder)
TIME = dt.datetime(2026, 8, 6, 10, 0, tzinfo=dt.UTC)
# Data models under ".../distributions/": the v1.0 rules want that path (R-EDM-REQ-C034, R-EDM-RESP-C022)
DATA_MODEL = "https://sr.oots.tech.ec.europa.eu/distributions/secondary-education-evidence-1.0.0"
#: the requester as an answer names it: Identifier and Name only (R-EDM-RESP-S028)
REQUESTER_NAMED = Agent(identifier=REQUESTER.identifier, names=REQUESTER.names)
UUIDS = iter(f"urn:uuid:0a2b3c4d-0000-4000-8000-{n:012d}" for n in range(1, 1000))


# --- requests: every variant, every version -------------------------------------------------------


def _full_person() -> NaturalPerson:
    return dataclasses.replace(
        PERSON,
        birth_name="Smith",
        place_of_birth="Duesseldorf",
        current_address=Address(
            admin_unit_level1="DE",
            admin_unit_level2="DEA2",
            full_address="Lansstraße 81, 50825 Koeln",
            locator_designator="81",
            post_code="50825",
            post_city_name="Koeln",
            thoroughfare="Lansstraße",
        ),
        gender="Male",
        nationality="DE",
        country_of_birth="DE",
        town_of_birth="Koeln",
        country_of_residence="DE",
        phone_number="+49912739000",
        email_address="jack.smith@mail.example",
    )


def _request_variants() -> dict[str, EvidenceRequest]:
    base = example_request("T2")
    structured = dataclasses.replace(
        EVIDENCE,
        descriptions=(*EVIDENCE.descriptions, LocalizedText("Geburtsurkunde", "DE")),
        distribution=Distribution(
            format="application/xml",
            conforms_to=DATA_MODEL,
            transformation=DATA_MODEL + "/passed",
            languages=("EN", "DE"),
        ),
    )
    platform = dataclasses.replace(
        REQUESTER,
        identifier=Identifier("NL111222333", "urn:cef.eu:names:identifier:EAS:0190"),
        names=(LocalizedText("National portal", "EN"),),
        classification="IP",
    )
    classification = EvidenceProviderClassification(
        identifier=Identifier(
            "9be524c1-6efe-417a-974c-088f54f0bcae",
            "https://sr.oots.tech.ec.europa.eu/codelists/DE/federalStates",
        ),
        type="codelist",
        value_expression="https://query.cs.oots.tech.ec.europa.eu/dsd/rest/codelists/DE/federalStates",
        descriptions=(LocalizedText("Where did you finish school?", "EN"), LocalizedText("Wo?", "DE")),
        supported_values=("HH",),
    )
    return {
        "natural-person": base,
        "natural-person-represented": example_request("T2", representative=True),
        "legal-person": example_request("T2", legal_person=True),
        "legal-person-represented": example_request("T2", legal_person=True, representative=True),
        "every-person-attribute": dataclasses.replace(base, subject=_full_person()),
        "legal-person-every-attribute": dataclasses.replace(
            base,
            subject=dataclasses.replace(
                COMPANY,
                identifiers=(Identifier("SE730757727", "VAT"), Identifier("5493001KJTIIGC8Y1R12", "LEI")),
                registered_address=Address(admin_unit_level1="SE", post_city_name="Stockholm"),
            ),
        ),
        # the second request of the preview flow; v2.0 also carries the return address (DIGEST §7)
        "preview-second-request": dataclasses.replace(
            base,
            possibility_for_preview=True,
            preview_location="https://preview.example.org/session?id=1",
            return_location="https://portal.example.org/preview/return/1",
        ),
        "classifications": dataclasses.replace(base, evidence_provider_classifications=(classification,)),
        "structured-distribution": dataclasses.replace(base, evidence=structured),
        "intermediary-platform": dataclasses.replace(base, intermediary_platform=platform),
        "several-requirements": dataclasses.replace(
            base,
            requirements=(
                *base.requirements,
                Requirement(
                    identifier="https://sr.oots.tech.ec.europa.eu/requirements/99a0a5d4-10ba-42c3-a0be-5566b441cbb6",
                    names=(LocalizedText("Proof of a diploma", "EN"), LocalizedText("Nachweis", "DE")),
                    descriptions=(LocalizedText("Upper secondary education", "EN"),),
                ),
            ),
        ),
        "no-procedure-no-requirements": dataclasses.replace(base, procedure=None, requirements=()),
        "test-procedure": example_request("00"),  # production test procedure (TDD 1.1.2)
    }


REQUESTS = _request_variants()


@pytest.mark.parametrize("version", sorted(VERSIONS))
@pytest.mark.parametrize("variant", sorted(REQUESTS))
def test_built_request_passes_xsd_code_lists_and_structure_of_its_version(version: str, variant: str) -> None:
    data = build_request(REQUESTS[variant], version, xsd=True)
    assert xsd_findings(parse_xml(data), get_version(version).xsd_profile) == []
    report = validate_message(data, schematron=False)
    assert report.errors == ()
    assert report.version == version


@pytest.mark.parametrize("version", WITH_SCHEMATRON)
@pytest.mark.parametrize("variant", sorted(set(REQUESTS) - {"test-procedure"}))
def test_built_request_passes_the_official_schematron(version: str, variant: str) -> None:
    report = validate_message(build_request(REQUESTS[variant], version))
    assert report.errors == ()
    assert any(f.source == "schematron" for f in report.findings)  # the rules did run (they emit notes)


@pytest.mark.parametrize("version", WITH_SCHEMATRON)
def test_test_procedure_00_breaks_only_the_april_2023_procedure_rule(version: str) -> None:
    # TDD 1.1.2 added "00" to R-EDM-REQ-C003; our copy of the rules predates it (docs/adr/0001)
    report = validate_message(build_request(REQUESTS["test-procedure"], version))
    assert [f.rule_id for f in report.errors] == ["R-EDM-REQ-C003"]


# --- responses and errors: every variant, every version -------------------------------------------


def _item(
    title: str, distribution: Distribution, *, node: str | None = None, about: object = PERSON
) -> EvidenceItem:
    return EvidenceItem(
        registry_object_id=next(UUIDS),
        metadata=EvidenceMetadata(
            identifier=next(UUIDS).removeprefix("urn:uuid:"),
            is_about=about,  # type: ignore[arg-type]
            issuing_authority=dataclasses.replace(PROVIDER, address=Address(admin_unit_level1="DE")),
            classification=EVIDENCE.classification,
            titles=(LocalizedText(title, "EN"), LocalizedText(title + " (DE)", "DE")),
            descriptions=EVIDENCE.descriptions,
            issuing_date=dt.date(2026, 8, 1),
            distribution=distribution,
            validity_start=dt.date(2026, 8, 1),
            validity_end=dt.date(2031, 7, 31),
        ),
        attachment=AttachmentRef(href=f"cid:{title.lower().replace(' ', '')}@ep", title=title),
        classification_node=node,
    )


def _response(status: ResponseStatus = ResponseStatus.SUCCESS, *items: EvidenceItem) -> EvidenceResponse:
    return EvidenceResponse(
        version="",
        request_id=example_request().request_id,
        status=status,
        response_id="abd12484-aa7d-4bb7-a697-7b15ab9b3b79",
        issue_datetime=TIME,
        evidence_provider=dataclasses.replace(PROVIDER, classification="EP", address=REQUESTER.address),
        evidence_requester=REQUESTER_NAMED,
        evidences=items,
        response_available_datetime=TIME + dt.timedelta(days=2)
        if status is ResponseStatus.UNAVAILABLE
        else None,
    )


PDF = Distribution(format="application/pdf", languages=("EN",))
RESPONSES = {
    "one-pdf": _response(ResponseStatus.SUCCESS, _item("Diploma", PDF)),
    "several-distributions": _response(
        ResponseStatus.SUCCESS,
        _item("Diploma", PDF),
        _item(
            "Structured",
            Distribution(format="application/xml", conforms_to=DATA_MODEL, transformation=DATA_MODEL + "/x"),
            node="HumanReadableVersion",
        ),
        _item("Supplement", Distribution(format="image/png"), node="Annex"),
    ),
    "legal-person": _response(ResponseStatus.SUCCESS, _item("Extract", PDF, about=COMPANY)),
    "nothing-found": _response(ResponseStatus.SUCCESS),
    "unavailable": _response(ResponseStatus.UNAVAILABLE),
}


def _error(*exceptions: EdmException, request_id: str | None = example_request().request_id) -> ErrorResponse:
    return ErrorResponse(
        version="",
        request_id=request_id,
        response_id="abd12484-aa7d-4bb7-a697-7b15ab9b3b80",
        exceptions=exceptions,
        error_provider=dataclasses.replace(PROVIDER, classification="ERRP", address=REQUESTER.address),
        evidence_requester=REQUESTER_NAMED,
    )


def _exception(kind: str, code: str, **extra: object) -> EdmException:
    return EdmException(
        type=kind,
        code=code,
        severity=extra.pop("severity", ns.SEVERITY_ERROR),  # type: ignore[arg-type]
        message="What went wrong",
        detail="Details for the operator",
        timestamp=TIME,
        **extra,  # type: ignore[arg-type]
    )


ERRORS = {
    "preview-required": _error(
        _exception(
            "AuthorizationExceptionType",
            "EDM:ERR:0002",
            severity=ns.SEVERITY_PREVIEW_REQUIRED,
            preview_location="https://preview.example.org/session?id=1",
            preview_description=(LocalizedText("Preview it", "EN"), LocalizedText("Prévisualisez", "FR")),
            preview_method="GET",
        )
    ),
    "preview-required-by-post": _error(
        _exception(
            "AuthorizationExceptionType",
            "EDM:ERR:0002",
            severity=ns.SEVERITY_PREVIEW_REQUIRED,
            preview_location="https://preview.example.org/session?id=1",
            preview_method="POST",
        )
    ),
    "not-found": _error(_exception("ObjectNotFoundExceptionType", "EDM:ERR:0004")),
    "timeout": _error(_exception("TimeoutExceptionType", "EDM:ERR:0005")),
    "invalid-request-without-request-id": _error(
        _exception("InvalidRequestExceptionType", "EDM:ERR:0003"), request_id=None
    ),
}


def _in(version: str, message: EvidenceResponse | ErrorResponse) -> EvidenceResponse | ErrorResponse:
    return dataclasses.replace(message, version=version)


def _build(message: EvidenceResponse | ErrorResponse) -> bytes:
    if isinstance(message, ErrorResponse):
        return build_error(message, xsd=True)
    return build_response(message, package_id="urn:uuid:0a2b3c4d-0000-4000-8000-000000009999", xsd=True)


ANSWERS: dict[str, EvidenceResponse | ErrorResponse] = {
    **{f"response-{k}": v for k, v in RESPONSES.items()},
    **{f"error-{k}": v for k, v in ERRORS.items()},
}


@pytest.mark.parametrize("version", sorted(VERSIONS))
@pytest.mark.parametrize("variant", sorted(ANSWERS))
def test_built_answer_passes_xsd_code_lists_and_structure_of_its_version(version: str, variant: str) -> None:
    data = _build(_in(version, ANSWERS[variant]))
    report = validate_message(data, schematron=False)
    assert report.errors == ()
    assert report.message == _as_carried(_in(version, ANSWERS[variant]))  # and reads back as built


def _as_carried(message: EvidenceResponse | ErrorResponse) -> EvidenceResponse | ErrorResponse:
    """The message as its version carries it: only v2.0 classifies evidence objects (MainEvidence unless
    said otherwise)."""
    if isinstance(message, ErrorResponse):
        return message
    classified = get_version(message.version).evidence_in_registry_package
    return dataclasses.replace(
        message,
        evidences=tuple(
            dataclasses.replace(
                item, classification_node=(item.classification_node or "MainEvidence") if classified else None
            )
            for item in message.evidences
        ),
    )


@pytest.mark.parametrize("version", WITH_SCHEMATRON)
@pytest.mark.parametrize("variant", sorted(ANSWERS))
def test_built_answer_passes_the_official_schematron(version: str, variant: str) -> None:
    # the POST preview too: the official R-EDM-ERR-C021 misspells its value (rim:value), so the validator
    # drops its findings and the own check of that rule (rules.py) stands in, in v1.0 and v1.1 alike
    report = validate_message(_build(_in(version, ANSWERS[variant])))
    assert report.errors == ()  # from rules that ran: see the next two tests


@pytest.mark.parametrize("version", WITH_SCHEMATRON)
def test_preview_method_other_than_get_or_post_is_refused_once_by_the_own_rule(version: str) -> None:
    data = _build(_in(version, ERRORS["preview-required-by-post"])).replace(b">POST<", b">PUT<")
    report = validate_message(data)
    assert [(f.rule_id, f.source) for f in report.errors] == [("R-EDM-ERR-C021", "rules")]


@pytest.mark.parametrize("version", WITH_SCHEMATRON)
def test_the_official_rules_run_on_answers_of_the_version_and_alone(version: str) -> None:
    # an answer each rule set refuses: the clean results above come from rules that ran; the own checks of
    # the same rules (scope GAP) stand back, so that each rule is reported once, by the official Schematron
    response = _build(_in(version, RESPONSES["one-pdf"])).replace(b"abd12484-aa7d", b"not-a-uuid-aa7d")
    error = _build(_in(version, ERRORS["not-found"])).replace(b"abd12484-aa7d", b"not-a-uuid-aa7d")
    for data, rule_id in ((response, "R-EDM-RESP-C003"), (error, "R-EDM-ERR-C002")):
        found = [f.source for f in validate_message(data).errors if f.rule_id == rule_id]
        assert found == ["schematron"]


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_error_with_several_exceptions_keeps_them_all(version: str) -> None:
    # TDD 1.1.2 allows several rs:Exception (the April-2023 rule R-EDM-ERR-C011 still wants one)
    error = _in(
        version,
        _error(
            _exception("ObjectNotFoundExceptionType", "EDM:ERR:0004"),
            _exception("QueryExceptionType", "EDM:ERR:0008"),
        ),
    )
    parsed = parse_message(build_error(error, xsd=True))  # type: ignore[arg-type]
    assert parsed == error


@pytest.mark.parametrize("version", WITH_SCHEMATRON)
def test_several_exceptions_break_only_the_april_2023_single_exception_rule(version: str) -> None:
    # R-EDM-ERR-C011 of our copy of the rules still wants one rs:Exception (docs/adr/0001)
    error = _error(
        _exception("ObjectNotFoundExceptionType", "EDM:ERR:0004"),
        _exception("QueryExceptionType", "EDM:ERR:0008"),
    )
    report = validate_message(_build(_in(version, error)))
    assert [(f.rule_id, f.source) for f in report.errors] == [("R-EDM-ERR-C011", "schematron")]


def test_v20_response_wraps_the_evidence_in_a_classified_registry_package() -> None:
    root = parse_xml(_build(_in("oots-edm:v2.0", RESPONSES["several-distributions"])))
    package = root.find(f"{{{RIM}}}RegistryObjectList/{{{RIM}}}RegistryObject")
    assert package is not None and package.get(XSI_TYPE) == "rim:RegistryPackageType"
    nodes = [c.get("classificationNode") for c in package.iter(f"{{{RIM}}}Classification")]
    assert nodes == ["MainEvidence", "HumanReadableVersion", "Annex"]
    v12 = parse_xml(_build(_in("oots-edm:v1.2", RESPONSES["several-distributions"])))
    assert [o.get(XSI_TYPE) for o in v12.iter(f"{{{RIM}}}RegistryObject")] == ["rim:ExtrinsicObjectType"] * 3


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_every_collection_value_is_a_set(version: str) -> None:
    # the TDD 1.1 examples mark every collection; the builders do it in every version
    request = REQUESTS["classifications"]
    for data in (build_request(request, version), _build(_in(version, RESPONSES["one-pdf"]))):
        values = [
            v
            for v in parse_xml(data).iter(f"{{{RIM}}}SlotValue")
            if v.get(XSI_TYPE) == "rim:CollectionValueType"
        ]
        assert values and all(v.get("collectionType") == ns.COLLECTION_SET for v in values)


# --- what the builders refuse and how they write ----------------------------------------------------


def test_same_model_gives_identical_bytes() -> None:
    assert build_request(example_request(), "v1.2") == build_request(example_request(), "v1.2")


def test_version_is_written_as_specification_identifier() -> None:
    message = parse_message(build_request(example_request(), "1.2"))
    assert message.version == "oots-edm:v1.2"


def test_v11_request_differs_from_v10_only_in_its_specification_identifier() -> None:
    for variant in REQUESTS.values():
        v10, v11 = build_request(variant, "v1.0"), build_request(variant, "v1.1")
        assert v11 == v10.replace(b">oots-edm:v1.0<", b">oots-edm:v1.1<")
        assert parse_message(v11).version == "oots-edm:v1.1"


def test_unknown_version_is_refused() -> None:
    with pytest.raises(UnsupportedVersionError):
        build_request(example_request(), "oots-edm:v3.0")


def test_procedure_outside_the_code_list_is_refused_even_if_a_substring_of_it() -> None:
    with pytest.raises(BuildError, match="procedure"):
        build_request(example_request("T"), "v1.2")


def test_preview_location_must_be_https() -> None:
    request = dataclasses.replace(example_request(), preview_location="http://preview.example.org/x")
    with pytest.raises(BuildError, match="https"):
        build_request(request, "v1.2")


def test_return_location_must_be_https_where_the_version_carries_it() -> None:
    request = dataclasses.replace(example_request(), return_location="http://portal.example.org/back")
    with pytest.raises(BuildError, match="https"):
        build_request(request, "v2.0")
    assert b"ReturnLocation" not in build_request(request, "v1.2")  # v1.x: the returnurl parameter


def test_request_id_must_be_a_urn_uuid() -> None:
    with pytest.raises(BuildError, match="urn:uuid"):
        build_request(dataclasses.replace(example_request(), request_id="42"), "v1.2")


def test_request_without_an_explicit_request_is_refused() -> None:
    with pytest.raises(BuildError, match="ExplicitRequestGiven"):
        build_request(dataclasses.replace(example_request(), explicit_request_given=False), "v1.2")


def test_person_without_level_of_assurance_is_refused() -> None:
    request = dataclasses.replace(
        example_request(), subject=dataclasses.replace(PERSON, level_of_assurance=None)
    )
    with pytest.raises(BuildError, match="LevelOfAssurance"):
        build_request(request, "v1.2")


def test_unknown_media_type_is_refused() -> None:
    request = example_request()
    evidence = dataclasses.replace(request.evidence, distribution=Distribution(format="text/html"))
    with pytest.raises(BuildError, match="media type"):
        build_request(dataclasses.replace(request, evidence=evidence), "v1.2")


def test_unknown_language_is_refused() -> None:
    request = example_request()
    evidence = dataclasses.replace(request.evidence, titles=(LocalizedText("Birth", "english"),))
    with pytest.raises(BuildError, match="language"):
        build_request(dataclasses.replace(request, evidence=evidence), "v1.2")


def test_requester_must_be_classified_er() -> None:
    request = dataclasses.replace(
        example_request(), evidence_requester=dataclasses.replace(REQUESTER, classification="EP")
    )
    with pytest.raises(BuildError, match="ER"):
        build_request(request, "v1.2")


def test_agent_scheme_must_be_eas_or_unregistered() -> None:
    provider = dataclasses.replace(PROVIDER, identifier=Identifier("DE73524311", "VAT"))
    with pytest.raises(BuildError, match="EAS"):
        build_request(dataclasses.replace(example_request(), evidence_provider=provider), "v1.2")


def test_error_code_must_be_sent_with_its_listed_type() -> None:
    error = _in("oots-edm:v1.2", _error(_exception("TimeoutExceptionType", "EDM:ERR:0004")))
    with pytest.raises(BuildError, match="ObjectNotFoundExceptionType"):
        build_error(error)  # type: ignore[arg-type]


def test_only_invalid_request_errors_may_lack_the_request_id() -> None:
    error = _in("oots-edm:v1.2", _error(_exception("TimeoutExceptionType", "EDM:ERR:0005"), request_id=None))
    with pytest.raises(BuildError, match="requestId"):
        build_error(error)  # type: ignore[arg-type]


def test_unavailable_response_needs_the_time_the_evidence_will_be_there() -> None:
    response = dataclasses.replace(
        RESPONSES["unavailable"], version="oots-edm:v1.2", response_available_datetime=None
    )
    with pytest.raises(BuildError, match="Unavailable"):
        build_response(response)


def test_old_sr_domain_in_the_model_is_written_in_the_new_domain() -> None:
    request = example_request()
    old = request.evidence.classification.replace("sr.oots.tech.ec.europa.eu", "sr.oots.tech.europa.eu")
    data = build_request(
        dataclasses.replace(request, evidence=dataclasses.replace(request.evidence, classification=old)),
        "v1.0",
    )
    assert b"sr.oots.tech.europa.eu" not in data
    assert b"https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/" in data


def test_v10_leaves_out_what_its_schema_cannot_carry() -> None:
    request = REQUESTS["preview-second-request"]
    request = dataclasses.replace(
        request, subject=_full_person(), requirements=REQUESTS["several-requirements"].requirements
    )
    data = build_request(request, "v1.0")
    assert b"Nationality" not in data and b"ReturnLocation" not in data
    assert not parse_xml(data).findall(
        f".//{{{ns.SDG}}}Requirement/{{{ns.SDG}}}Description"
    )  # R-EDM-REQ-S038
    v20 = build_request(request, "v2.0")
    assert b"<sdg:Nationality>DE</sdg:Nationality>" in v20 and b'name="ReturnLocation"' in v20


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 8, 6, 10, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 8, 6, 10, 0, 1, 123456),
        dt.datetime(999, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5, minutes=-30))),
    ],
)
def test_datetimes_are_written_with_seconds_and_their_offset(value: dt.datetime) -> None:
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    if value.utcoffset() == dt.timedelta(0):
        text += "Z"
    elif value.utcoffset() is not None:
        text += value.strftime("%z")[:3] + ":" + value.strftime("%z")[3:]
    assert format_datetime(value) == text
    data = build_request(dataclasses.replace(example_request(), issue_datetime=value), "v1.2")
    assert f"<rim:Value>{text}</rim:Value>".encode() in data


def test_xsd_option_validates_and_reports_a_failure_as_build_error() -> None:
    data = build_request(example_request(), "v1.0", xsd=True)
    assert data == build_request(example_request(), "v1.0")
    broken = data.replace(b"<sdg:FamilyName>", b"<sdg:Unexpected/><sdg:FamilyName>")
    with pytest.raises(BuildError, match="XSD"):
        check_xsd(broken, V1_0)


# --- against the official v1.2 example and the French v2.0 reference, slot by slot ----------------


def _shape(el: etree._Element) -> tuple[object, ...]:
    """Tag, attributes, normalised text and children; comments and whitespace-only text ignored."""
    attrs = tuple(sorted((k, " ".join(v.split())) for k, v in el.attrib.items()))
    text = " ".join((el.text or "").split())
    return (el.tag, attrs, text, tuple(_shape(c) for c in el if isinstance(c.tag, str)))


def _slots(root: etree._Element) -> list[tuple[str, tuple[object, ...]]]:
    return [(slot.get("name") or "", _shape(slot)) for slot in root.iter(f"{{{RIM}}}Slot")]


def _rebuilt_slot_by_slot(
    reference: bytes, version: str
) -> tuple[list[str], list[tuple[str, object, object]]]:
    """The reference's slot names, and each slot that differs once the reference is parsed and rebuilt."""
    parsed = parse_message(reference)
    assert isinstance(parsed, QueryRequest)
    rebuilt = _slots(parse_xml(build_request(parsed.request, version)))
    expected = _slots(parse_xml(reference))
    assert [name for name, _ in rebuilt] == [name for name, _ in expected]
    return [name for name, _ in expected], [
        (name, want, got) for (name, want), (_, got) in zip(expected, rebuilt, strict=True) if want != got
    ]


V12_EXAMPLES = "edm-v1.2/education-preview-flow"


def _official_v12(data_dir: Path, name: str) -> bytes:
    data = (data_dir / V12_EXAMPLES / name).read_bytes()
    # A third party rewrote the examples' xml:lang as xsi:lang (tests/data/edm-v1.2/ORIGIN.md); put the
    # official form back.
    return data.replace(b"xsi:lang=", b"xml:lang=")


@pytest.fixture(scope="module")
def reference_v12(data_dir: Path) -> bytes:
    return _official_v12(data_dir, "EDM_Ferst_Request.xml")


@pytest.mark.parametrize("name", ["EDM_Ferst_Request.xml", "EDM_Second_Request.xml"])
def test_v12_rebuild_of_the_official_example_matches_it_slot_by_slot(data_dir: Path, name: str) -> None:
    # the first request of the preview flow, and the second one with its PreviewLocation
    names, differences = _rebuilt_slot_by_slot(_official_v12(data_dir, name), "oots-edm:v1.2")
    assert differences == []
    assert {"Procedure", "Requirements", "EvidenceProviderClassification", "NaturalPerson"} <= set(names)


def test_v12_example_request_uses_the_official_value_type_for_every_slot(reference_v12: bytes) -> None:
    def types(root: etree._Element) -> dict[str, str | None]:
        return {slot.get("name") or "": slot[0].get(XSI_TYPE) for slot in root.iter(f"{{{RIM}}}Slot")}

    reference = types(parse_xml(reference_v12))
    for request in REQUESTS.values():
        built = types(parse_xml(build_request(request, "oots-edm:v1.2")))
        for name in built.keys() & reference.keys():
            assert built[name] == reference[name], name


@pytest.fixture(scope="module")
def reference_v20(data_dir: Path) -> bytes:
    return (data_dir / "oots-france-v2.0/reference/messages/requete.xml").read_bytes()


def test_v20_rebuild_of_the_reference_request_matches_it_slot_by_slot(reference_v20: bytes) -> None:
    _, differences = _rebuilt_slot_by_slot(reference_v20, "oots-edm:v2.0")
    # 10:00:00.000Z and 10:00:00Z are the same instant
    assert [name for name, _, _ in differences] in ([], ["IssueDateTime"])


@pytest.mark.parametrize("variant", sorted(REQUESTS))
def test_v20_example_request_uses_the_reference_value_type_for_every_shared_slot(
    reference_v20: bytes, variant: str
) -> None:
    def types(root: etree._Element) -> dict[str, str | None]:
        return {slot.get("name") or "": slot[0].get(XSI_TYPE) for slot in root.iter(f"{{{RIM}}}Slot")}

    reference = types(parse_xml(reference_v20))
    built = types(parse_xml(build_request(REQUESTS[variant], "oots-edm:v2.0")))
    mandatory = {"SpecificationIdentifier", "IssueDateTime", "PossibilityForPreview", "ExplicitRequestGiven"}
    assert mandatory <= built.keys()
    for name in built.keys() & reference.keys():
        assert built[name] == reference[name], name


@pytest.mark.parametrize(
    ("url", "accepted"),
    [
        ("https://provider.example/preview/1", True),
        ("http://127.0.0.1:8000/sim/ep/preview/1", True),  # a demo on one machine
        ("http://localhost/preview", True),
        ("http://[::1]:8000/preview", True),
        ("http://provider.example/preview/1", False),
        ("http://127.0.0.1.evil.example/", False),
        ("http://localhost@evil.example/", False),
        ("javascript:alert(1)", False),
        ("https:///no-host", False),
    ],
)
def test_preview_and_return_locations_must_be_https_except_on_loopback(url: str, accepted: bool) -> None:
    from oots_client.edm.build import is_secure_location

    assert is_secure_location(url) is accepted

"""The builders: every version and person variant is valid; v2.0 matches the reference slot by slot."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from lxml import etree

from oots_client.edm import (
    BuildError,
    Distribution,
    EvidenceRequest,
    QueryRequest,
    UnsupportedVersionError,
    build_request,
    parse_message,
    validate_message,
)
from oots_client.edm.examples import PERSON, REQUESTER, example_request
from oots_client.edm.validate import xsd_findings
from oots_client.edm.versions import VERSIONS, XsdProfile, get_version
from oots_client.edm.xmlsafe import parse_xml

RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
VARIANTS = {
    "natural-person": {},
    "natural-person-represented": {"representative": True},
    "legal-person": {"legal_person": True},
    "legal-person-represented": {"legal_person": True, "representative": True},
}


def _request(variant: str) -> EvidenceRequest:
    return example_request("T2", **VARIANTS[variant])


@pytest.mark.parametrize("version", sorted(VERSIONS))
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_built_request_passes_xsd_of_its_version(version: str, variant: str) -> None:
    root = parse_xml(build_request(_request(variant), version))
    assert xsd_findings(root, get_version(version).xsd_profile) == []


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_built_request_of_any_version_passes_the_full_v10_sdg_schema_where_it_can(variant: str) -> None:
    # v1.0 output must pass the strict sdg schema, not just the envelope
    root = parse_xml(build_request(_request(variant), "oots-edm:v1.0"))
    assert xsd_findings(root, XsdProfile.SDG_V1_0) == []


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_built_v10_request_passes_the_official_schematron(variant: str) -> None:
    report = validate_message(build_request(_request(variant), "oots-edm:v1.0"))
    assert report.errors == ()
    assert any(f.source == "schematron" for f in report.findings)  # the rules did run (they emit notes)


@pytest.mark.parametrize("version", sorted(VERSIONS))
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_built_request_passes_every_check_of_validate(version: str, variant: str) -> None:
    report = validate_message(build_request(_request(variant), version), schematron=False)
    assert report.errors == ()


def test_same_model_gives_identical_bytes() -> None:
    assert build_request(example_request(), "v1.2") == build_request(example_request(), "v1.2")


def test_version_is_written_as_specification_identifier() -> None:
    message = parse_message(build_request(example_request(), "1.2"))
    assert message.version == "oots-edm:v1.2"


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


def test_request_id_must_be_a_urn_uuid() -> None:
    with pytest.raises(BuildError, match="urn:uuid"):
        build_request(dataclasses.replace(example_request(), request_id="42"), "v1.2")


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


def test_requester_must_be_classified_er() -> None:
    request = dataclasses.replace(
        example_request(), evidence_requester=dataclasses.replace(REQUESTER, classification="EP")
    )
    with pytest.raises(BuildError, match="ER"):
        build_request(request, "v1.2")


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
    person = dataclasses.replace(PERSON, nationality="DE", email_address="a@example.org")
    request = dataclasses.replace(
        example_request(), subject=person, return_location="https://portal.example/back"
    )
    data = build_request(request, "v1.0")
    assert b"Nationality" not in data and b"ReturnLocation" not in data
    v20 = build_request(request, "v2.0")
    assert b"<sdg:Nationality>DE</sdg:Nationality>" in v20 and b'name="ReturnLocation"' in v20


# --- v2.0 against the French reference request, slot by slot ----------------------------------------------


def _shape(el: etree._Element) -> tuple[object, ...]:
    """Tag, attributes, normalised text and children; comments and whitespace-only text ignored."""
    attrs = tuple(sorted((k, " ".join(v.split())) for k, v in el.attrib.items()))
    text = " ".join((el.text or "").split())
    return (el.tag, attrs, text, tuple(_shape(c) for c in el if isinstance(c.tag, str)))


def _slots(root: etree._Element) -> list[tuple[str, tuple[object, ...]]]:
    return [(slot.get("name") or "", _shape(slot)) for slot in root.iter(f"{{{RIM}}}Slot")]


@pytest.fixture(scope="module")
def reference_v20(data_dir: Path) -> bytes:
    return (data_dir / "oots-france-v2.0/reference/messages/requete.xml").read_bytes()


def test_v20_rebuild_of_the_reference_request_matches_it_slot_by_slot(reference_v20: bytes) -> None:
    parsed = parse_message(reference_v20)
    assert isinstance(parsed, QueryRequest)
    rebuilt = parse_xml(build_request(parsed.request, "oots-edm:v2.0"))
    reference = parse_xml(reference_v20)
    reference_slots, rebuilt_slots = _slots(reference), _slots(rebuilt)
    assert [name for name, _ in rebuilt_slots] == [name for name, _ in reference_slots]
    for (name, expected), (_, actual) in zip(reference_slots, rebuilt_slots, strict=True):
        if name == "IssueDateTime":  # 10:00:00.000Z and 10:00:00Z are the same instant
            continue
        assert actual == expected, name


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_v20_example_request_uses_the_reference_value_type_for_every_shared_slot(
    reference_v20: bytes, variant: str
) -> None:
    def types(root: etree._Element) -> dict[str, str | None]:
        return {slot.get("name") or "": slot[0].get(XSI_TYPE) for slot in root.iter(f"{{{RIM}}}Slot")}

    reference = types(parse_xml(reference_v20))
    built = types(parse_xml(build_request(_request(variant), "oots-edm:v2.0")))
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
def test_preview_and_return_locations_must_be_https_except_on_loopback(url, accepted):
    from oots_client.edm.build import is_secure_location

    assert is_secure_location(url) is accepted

"""Version profiles: ``oots-edm:v1.1`` read, built and validated; the version chosen from ``ConformsTo``."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from oots_client.edm import (
    DEFAULT_PREFERENCE,
    EvidenceResponse,
    QueryRequest,
    UnsupportedVersionError,
    build_request,
    choose_version,
    get_version,
    parse_message,
    validate_message,
)
from oots_client.edm import namespaces as ns
from oots_client.edm.examples import example_request
from oots_client.edm.versions import V1_0, V1_1, V1_2, V2_0, VERSIONS

#: official v1.0 messages of each kind (tests/data/README.md), received as if from another Member State
EXAMPLES = "edm-v1.0/Request-Response Samples/4.5.4 - OOTS-EDM XML Examples of the Evidence Exchange"
RECEIVED = {
    "request": "2 Example for requesting a Birth Certificate - natural person/"
    "2.1 Step 1  Evidence Request - Birth - full example.xml",
    "response": "2 Example for requesting a Birth Certificate - natural person/"
    "2.2 Step 2  Evidence Response - Birth - full example.xml",
    "error": "3 Example for requesting Secondary Education Completion Evidence/"
    "3.2 Step 2 Error Response - Education - full example.xml",
}
RIM = "urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0"
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"


def _as_tdd_11(data: bytes) -> bytes:
    """A v1.0 message changed as the TDD 1.1 examples change it: their identifier, every collection a set."""
    root = etree.fromstring(data)
    for value in root.iter(f"{{{RIM}}}Value"):
        if value.text == "oots-edm:v1.0":
            value.text = "oots-edm:v1.1"
    for slot_value in root.iter(f"{{{RIM}}}SlotValue"):
        if slot_value.get(XSI_TYPE) == "rim:CollectionValueType":
            slot_value.set("collectionType", "urn:oasis:names:tc:ebxml-regrep:CollectionType:Set")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _received(data_dir: Path, kind: str, domain: str) -> bytes:
    """An official v1.0 example; with ``domain="new"`` in the new Semantic Repository domain, as the
    October 2023 Projectathon messages were (DIGEST §9)."""
    data = (data_dir / EXAMPLES / RECEIVED[kind]).read_bytes()
    return data if domain == "old" else data.replace(ns.SR_DOMAIN_OLD.encode(), ns.SR_DOMAIN_NEW.encode())


def _with_broken_request_id(data: bytes) -> bytes:
    """The message with its request id (``@id`` of a request, ``@requestId`` of an answer) not a UUID."""
    root = etree.fromstring(data)
    root.set("id" if etree.QName(root).localname == "QueryRequest" else "requestId", "not-a-uuid")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


# --- oots-edm:v1.1 --------------------------------------------------------------------------------


def test_v11_is_a_version_of_its_own() -> None:
    assert get_version("oots-edm:v1.1") is V1_1
    assert get_version("1.1") is V1_1
    assert set(VERSIONS) == {"oots-edm:v1.0", "oots-edm:v1.1", "oots-edm:v1.2", "oots-edm:v2.0"}


@pytest.mark.parametrize("domain", ["old", "new"])
@pytest.mark.parametrize("kind", sorted(RECEIVED))
def test_received_v11_message_is_read_and_validated_as_its_version(
    data_dir: Path, kind: str, domain: str
) -> None:
    original = _received(data_dir, kind, domain)
    data = _as_tdd_11(original)
    assert b">oots-edm:v1.1<" in data
    report = validate_message(data)
    assert report.version == "oots-edm:v1.1"
    assert report.message is not None and report.message.version == "oots-edm:v1.1"
    # the same findings as the v1.0 message: the v1.0 rules ran, and none of them objects to the identifier
    before = validate_message(original)
    assert {(f.rule_id, f.severity, f.source) for f in report.findings} == {
        (f.rule_id, f.severity, f.source) for f in before.findings
    }


@pytest.mark.parametrize("kind", sorted(RECEIVED))
def test_received_v11_message_breaking_a_v10_rule_is_told_once_by_the_official_rules(
    data_dir: Path, kind: str
) -> None:
    # R-EDM-REQ-S004 / R-EDM-RESP-S004 / R-EDM-ERR-S004 are official v1.0 rules that rules.py also checks
    # (scope GAP) for the versions without them: v1.1 has them, so only the official finding is told
    rule_id = {"request": "R-EDM-REQ-S004", "response": "R-EDM-RESP-S004", "error": "R-EDM-ERR-S004"}[kind]
    data = _with_broken_request_id(_as_tdd_11(_received(data_dir, kind, "new")))
    assert [f.source for f in validate_message(data).errors if f.rule_id == rule_id] == ["schematron"]
    # without the official rules, the own check tells it
    unofficial = validate_message(data, schematron=False).errors
    assert [f.source for f in unofficial if f.rule_id == rule_id] == ["rules"]


def test_v11_message_is_held_to_the_v10_rules() -> None:
    data = build_request(example_request(), "v1.1").replace(
        b"ca8afed6-2dc0-422a-a931-d21c3d8d370e", b"not-a-uuid"
    )
    errors = validate_message(data).errors
    assert {(f.rule_id, f.source) for f in errors} == {("R-EDM-REQ-C027", "schematron")}


def test_v10_rules_still_refuse_another_identifier_in_a_v10_message() -> None:
    # the mapping is v1.1's alone: a message that says v1.0 is checked as it is
    data = build_request(example_request(), "v1.0").replace(b">oots-edm:v1.0<", b">oots-edm:v1.9<")
    assert "OOTS-EDM-VERSION" in {f.rule_id for f in validate_message(data).errors}


def test_v11_round_trip_keeps_its_version() -> None:
    parsed = parse_message(build_request(example_request(representative=True), "oots-edm:v1.1"))
    assert isinstance(parsed, QueryRequest)
    assert parsed.version == "oots-edm:v1.1"
    assert parsed.request == example_request(representative=True)


# --- choosing the version of a provider's request -------------------------------------------------


def test_first_preferred_version_the_provider_declares_is_chosen() -> None:
    assert choose_version(["oots-edm:v1.0", "oots-edm:v1.2"]) is V1_2
    assert choose_version(["oots-edm:v1.0", "oots-edm:v1.1"]) is V1_1
    assert choose_version(["oots-edm:v1.0"]) is V1_0
    assert choose_version(["oots-edm:v2.0", "oots-edm:v1.2"], ["oots-edm:v2.0", "oots-edm:v1.2"]) is V2_0


def test_preference_decides_not_the_order_the_provider_lists_them_in() -> None:
    declared = ["oots-edm:v1.0", "oots-edm:v2.0", "oots-edm:v1.1"]
    assert choose_version(declared, ["v1.1", "v2.0"]) is V1_1
    assert choose_version(declared, [V2_0, V1_0]) is V2_0


def test_no_version_in_common_gives_none() -> None:
    assert choose_version(["oots-edm:v1.2"], ["oots-edm:v2.0"]) is None
    assert choose_version([]) is None
    assert choose_version(["oots-edm:v3.0", "other"]) is None  # what we cannot build is ignored


def test_declared_values_are_compared_without_surrounding_spaces() -> None:
    assert choose_version(["  oots-edm:v1.1\n"]) is V1_1


def test_a_preference_naming_an_unknown_version_is_refused() -> None:
    with pytest.raises(UnsupportedVersionError, match=r"v1\.3"):
        choose_version(["oots-edm:v1.2"], ["oots-edm:v1.3", "oots-edm:v1.2"])


def test_default_preference_names_every_version_once() -> None:
    assert sorted(DEFAULT_PREFERENCE) == sorted(VERSIONS)
    assert DEFAULT_PREFERENCE[0] == "oots-edm:v1.2"


def test_response_version_is_what_the_message_says() -> None:
    # parsing is version-blind: the model keeps the identifier, the profile comes from it
    data = build_request(example_request(), "v1.1")
    message = parse_message(data)
    assert not isinstance(message, EvidenceResponse)
    assert get_version(message.version) is V1_1

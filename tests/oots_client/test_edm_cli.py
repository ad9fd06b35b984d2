"""The command line contract: ``python -m oots_client.edm validate|parse|example``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from oots_client.edm import build_request
from oots_client.edm.__main__ import main
from oots_client.edm.examples import example_request

REPO = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_validate_prints_ok_with_kind_and_version_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "request.xml", build_request(example_request(), "v1.2"))
    assert main(["validate", "--no-schematron", path]) == 0
    assert capsys.readouterr().out.split() == ["OK", path, "request", "oots-edm:v1.2"]


def test_validate_prints_invalid_with_rule_ids_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _write(tmp_path, "good.xml", build_request(example_request(), "v1.2"))
    bad = _write(
        tmp_path, "bad.xml", build_request(example_request(), "v1.2").replace(b'value="T2"', b'value="T"')
    )
    assert main(["validate", "--no-schematron", good, bad]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["INVALID", bad, "request", "oots-edm:v1.2", "OOTS-CL-PROCEDURE"]


def test_validate_exits_2_when_a_file_is_not_edm(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = _write(tmp_path, "good.xml", build_request(example_request(), "v1.2"))
    bad = _write(
        tmp_path, "bad.xml", build_request(example_request(), "v1.2").replace(b'value="T2"', b'value="T"')
    )
    html = _write(tmp_path, "page.html", b"<html/>")
    assert main(["validate", "--no-schematron", good, html, bad]) == 2
    assert capsys.readouterr().out.splitlines()[1].startswith("ERROR " + html)


def test_parse_prints_the_documented_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, "request.xml", build_request(example_request("X4", legal_person=True), "v1.0"))
    assert main(["parse", path]) == 0
    document = json.loads(capsys.readouterr().out)
    keys = {
        "kind",
        "version",
        "request_id",
        "status",
        "exceptions",
        "evidences",
        "person",
        "legal_person",
        "procedure",
        "requirements",
    }
    assert keys <= document.keys()
    assert document["procedure"] == "X4"
    assert document["legal_person"]["legal_name"] == "Sweden ltd"
    assert set(document["evidences"][0]) == {"identifier", "title", "format", "conforms_to", "attachment"}


def test_parse_of_a_preview_error_lists_location_and_method(
    data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = data_dir / "edm-v1.2/education-preview-flow/EDM_Ferst_Response.xml"
    assert main(["parse", str(path)]) == 0
    (exception,) = json.loads(capsys.readouterr().out)["exceptions"]
    assert exception["code"] == "EDM:ERR:0002"
    assert exception["preview_method"] == "GET"
    assert set(exception) == {"code", "type", "severity", "message", "preview_location", "preview_method"}


def test_example_from_a_real_process_is_valid_for_the_validate_command(tmp_path: Path) -> None:
    # no OOTS_SPEC_DIR, a HOME of its own: the packaged rules are all it needs
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    example = subprocess.run(
        [sys.executable, "-m", "oots_client.edm", "example", "--version", "v1.2", "--procedure", "T2"],
        cwd=REPO,
        capture_output=True,
        check=True,
        env=env,
    )
    path = _write(tmp_path, "example.xml", example.stdout)
    checked = subprocess.run(
        [sys.executable, "-m", "oots_client.edm", "validate", path],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
    )
    assert (checked.returncode, checked.stdout.split()) == (0, ["OK", path, "request", "oots-edm:v1.2"])


_COMMON_SERVICES_ANSWERS = [
    "edm-v1.0/EB/Complete XML examples (EB)/4.2. Get List of Requirements Query - Birth Certificate.xml",
    "edm-v1.0/EB/Complete XML examples (EB)/4.3. Get Evidence Types for Requirement Query"
    " - Secondary Education.xml",
    "edm-v1.0/EB/Complete XML examples (EB)/4.4. Query Error Response of the Evidence Broker - Birth.xml",
    "edm-v1.0/DSD/Complete XML examples (DSD)/4.3. Query Response of the DSD - Birth Certificate.xml",
    "edm-v1.0/DSD/Complete XML examples (DSD)/4.4.1 Query Error Response of the DSD - Birth Certificate.xml",
    "edm-v1.0/DSD/Complete XML examples (DSD)/4.4.3. Query Error Response of the DSD requesting additional"
    " User Provided Attributes - Birth Certificate - DSD-ERR005.xml",
    "oots-france-v2.0/common_services/eb_requirements_fr.xml",
    "oots-france-v2.0/common_services/eb_evidence_types_fi.xml",
    "oots-france-v2.0/common_services/dsd_data_services_fi.xml",
    "oots-france-v2.0/common_services/dsd_aucun_service_fr.xml",
]


@pytest.mark.parametrize("relative", _COMMON_SERVICES_ANSWERS)
def test_validate_exits_2_on_a_common_services_answer(
    data_dir: Path, relative: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(data_dir / relative)
    assert main(["validate", path]) == 2
    assert capsys.readouterr().out.startswith(f"ERROR {path} not an evidence exchange message")


@pytest.mark.parametrize(
    "relative",
    [
        "oots-france-v2.0/common_services/eb_requirements_fr.xml",
        "oots-france-v2.0/common_services/dsd_data_services_fi.xml",
        "oots-france-v2.0/common_services/dsd_aucun_service_fr.xml",
    ],
)
def test_a_common_services_answer_is_judged_by_its_body_not_its_specification_identifier(
    data_dir: Path, tmp_path: Path, relative: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = (data_dir / relative).read_bytes()
    assert b"oots-cs:v2.0" in data
    path = _write(tmp_path, "answer.xml", data.replace(b"oots-cs:v2.0", b"oots-edm:v1.2"))
    assert main(["validate", path]) == 2
    assert "not an evidence exchange message" in capsys.readouterr().out


def test_validate_names_every_missing_mandatory_slot_of_a_message_without_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from lxml import etree

    from oots_client.edm.xmlsafe import parse_xml

    root = parse_xml(build_request(example_request(), "v1.2"))
    for slot in root.findall("{urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0}Slot"):
        if slot.get("name") in ("SpecificationIdentifier", "IssueDateTime", "EvidenceProvider"):
            root.remove(slot)
    path = _write(tmp_path, "request.xml", etree.tostring(root))
    assert main(["validate", path]) == 1
    line = capsys.readouterr().out.strip()
    assert line.startswith(f"INVALID {path} request (no version) ")
    assert line.endswith(
        " | missing mandatory slots: SpecificationIdentifier, IssueDateTime, EvidenceProvider"
    )
    assert {"R-EDM-REQ-S005", "R-EDM-REQ-S006", "R-EDM-REQ-S013"} <= set(line.split())

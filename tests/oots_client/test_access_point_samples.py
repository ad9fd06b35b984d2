"""The WS-plugin envelopes of ``tests/data`` (reference envelopes and ones captured on a real Domibus 5): read
by the adapter, summarised by the inspect command."""

import json
import re
import subprocess
import sys

from oots_client.access_point import soap
from oots_client.access_point.inspect import inspect_message

_ENVELOPE_ROOT = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?<(\w+:)?Envelope\b")


def _envelopes(data_dir):
    """Every sample file whose root element is a SOAP envelope (not the bare ebMS headers)."""
    return sorted(path for path in data_dir.rglob("*.xml") if _ENVELOPE_ROOT.match(path.read_bytes()))


def test_there_are_envelopes_of_every_operation_to_check(data_dir):
    operations = {inspect_message(path.read_bytes())["operation"] for path in _envelopes(data_dir)}
    assert operations == {
        "submitRequest",
        "retrieveMessageRequest",
        "retrieveMessageResponse",
        "listPendingMessagesRequest",
    }


def test_every_captured_submit_or_retrieve_envelope_is_read_with_its_regrep_part(data_dir):
    for path in _envelopes(data_dir):
        summary = inspect_message(path.read_bytes())
        if summary["operation"] not in {"submitRequest", "retrieveMessageResponse"}:
            continue
        assert summary["service"] == "QueryManager", path
        regrep = [p for p in summary["payloads"] if "kind" in p]
        assert len(regrep) == 1, (path, summary["payloads"])
        assert regrep[0]["kind"] in {"request", "response", "error"}


def test_every_captured_envelope_passes_the_schemas_when_read_as_leniently_as_domibus(data_dir):
    for path in _envelopes(data_dir):
        assert soap.schema_errors(path.read_bytes(), lenient=True) == [], path


def test_inspect_prints_the_french_v2_request_envelope(data_dir):
    path = data_dir / "oots-france-v2.0/reference/soap/requete.soumission.xml"
    result = subprocess.run(
        [sys.executable, "-m", "oots_client.access_point", "inspect", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    summary = json.loads(result.stdout)
    assert summary["message_id"] == "1a2b3c4d-0000-4000-8000-000000000001@oots.eu"
    assert summary["conversation_id"] == "e0a6a5b7-6b2e-4b9c-9a63-8f0c6d3a1b24"
    assert summary["action"] == "ExecuteQueryRequest"
    assert summary["from_party"] == {
        "id": "AP_FR_01",
        "type": "urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots",
    }
    assert summary["final_recipient"] == {"id": "DE73524311", "type": "urn:cef.eu:names:identifier:EAS:9930"}
    assert {"name": "SpecificationId", "value": "oots-edm:v2.0", "type": None} in summary["properties"]
    [payload] = summary["payloads"]
    assert payload["cid"] == "cid:1a2b3c4d-0000-4000-8000-000000000000@oots.eu"
    assert (payload["mime_type"], payload["kind"], payload["version"]) == (
        "application/x-ebrs+xml",
        "request",
        "oots-edm:v2.0",
    )
    assert len(payload["sha256"]) == 64 and payload["size"] > 1000


def test_inspect_reads_a_received_evidence_response_with_its_pdf(data_dir):
    summary = inspect_message(
        (data_dir / "oots-france-v2.0/incoming/reponseAvecPieceJointe.xml").read_bytes()
    )
    assert summary["operation"] == "retrieveMessageResponse"
    regrep, pdf = summary["payloads"]
    # The French fixture elides the slots' content ("<!-- … -->"): reported as broken, kind still known.
    assert (regrep["kind"], regrep["version"]) == ("response", None)
    assert "EvidenceResponseIdentifier" in regrep["edm_error"]
    assert pdf["mime_type"] == "application/pdf"
    assert pdf["cid"] == "cid:11111111-1111-1111-1111-111111111111@pdf.oots.eu"


def test_inspect_lists_pending_message_ids():
    body = soap.ws("listPendingMessagesResponse", ("messageID", "m-1"), ("messageID", "m-2"))
    assert inspect_message(soap.envelope(body))["pending"] == ["m-1", "m-2"]


def test_inspect_exits_2_on_a_file_that_is_not_soap(tmp_path):
    path = tmp_path / "x.xml"
    path.write_bytes(b"<hello/>")
    result = subprocess.run(
        [sys.executable, "-m", "oots_client.access_point", "inspect", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "not a SOAP 1.2 Envelope" in result.stderr

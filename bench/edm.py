"""Benchmark of oots_client.edm (issue 3): prints its figures; not a timed test.

Run: ``.venv/bin/python bench/edm.py`` (pinned to one core). Figures:
* requests built + XSD-validated per second (v1.0 strict sdg schema, and v1.2 envelope schema);
* responses (evidence metadata + a reference to a 1 MB attachment, which travels as its own MIME part and is
  therefore not parsed) parsed into the model + XSD-validated per second;
* official Schematron (v1.0, EDM-REQ-S + EDM-REQ-C compiled into one stylesheet) milliseconds per message;
* bare lxml parse + XSD validation of the same documents, and the ratio ours / bare.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from oots_client.edm import (
    AttachmentRef,
    Distribution,
    EvidenceItem,
    EvidenceMetadata,
    EvidenceResponse,
    ResponseStatus,
    build_response,
)
from oots_client.edm.build import request_tree
from oots_client.edm.examples import EVIDENCE, PERSON, PROVIDER, REQUESTER, example_request
from oots_client.edm.model import MessageKind
from oots_client.edm.parse import parse_element
from oots_client.edm.validate import schematron_findings, spec_dir, xsd_schema
from oots_client.edm.versions import V1_0, V1_2
from oots_client.edm.xmlsafe import parse_xml


def rate(operation: Callable[[], object], seconds: float = 1.5) -> float:
    """Operations per second, measured over about ``seconds`` after a warm-up."""
    for _ in range(20):
        operation()
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for _ in range(50):
            operation()
        count += 50
    return count / elapsed


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    request = example_request("T2", representative=True)
    attachment = os.urandom(1024 * 1024)  # the evidence itself: a separate AS4 MIME part
    response = EvidenceResponse(
        version="oots-edm:v1.2",
        request_id=request.request_id,
        status=ResponseStatus.SUCCESS,
        response_id="abd12484-aa7d-4bb7-a697-7b15ab9b3b79",
        issue_datetime=dt.datetime(2026, 8, 6, 10, 0, tzinfo=dt.UTC),
        evidence_provider=dataclasses.replace(PROVIDER, classification="EP", address=REQUESTER.address),
        evidence_requester=REQUESTER,
        evidences=(
            EvidenceItem(
                registry_object_id="urn:uuid:0a2b3c4d-0000-4000-8000-000000000017",
                metadata=EvidenceMetadata(
                    identifier="1a2b3c4d-0000-4000-8000-000000000018",
                    is_about=PERSON,
                    issuing_authority=PROVIDER,
                    classification=EVIDENCE.classification,
                    titles=EVIDENCE.titles,
                    issuing_date=dt.date(2026, 8, 1),
                    distribution=Distribution(format="application/pdf"),
                ),
                attachment=AttachmentRef(
                    href=f"cid:evidence-{len(attachment)}@example.org", title="Evidence"
                ),
            ),
        ),
    )
    response_xml = build_response(response)
    strict, envelope = xsd_schema(V1_0.xsd_profile), xsd_schema(V1_2.xsd_profile)
    request_v10 = etree.tostring(request_tree(request, V1_0), xml_declaration=True, encoding="UTF-8")
    request_v12 = etree.tostring(request_tree(request, V1_2), xml_declaration=True, encoding="UTF-8")
    bare_parser = etree.XMLParser()

    def build_and_validate(version: object, schema: etree.XMLSchema) -> Callable[[], object]:
        def run() -> object:
            root = request_tree(request, version)  # type: ignore[arg-type]
            assert schema.validate(root)
            return etree.tostring(root, xml_declaration=True, encoding="UTF-8")

        return run

    def bare(data: bytes, schema: etree.XMLSchema) -> Callable[[], object]:
        def run() -> object:
            root = etree.fromstring(data, bare_parser)
            assert schema.validate(root)
            return root

        return run

    def parse_and_validate() -> object:
        root = parse_xml(response_xml)
        assert envelope.validate(root)
        return parse_element(root)

    rows = [
        (
            "requests built + XSD (v1.0, strict sdg XSD)",
            build_and_validate(V1_0, strict),
            bare(request_v10, strict),
        ),
        (
            "requests built + XSD (v1.2, RegRep XSD)",
            build_and_validate(V1_2, envelope),
            bare(request_v12, envelope),
        ),
        (
            "responses parsed to model + XSD (1 MB attachment ref)",
            parse_and_validate,
            bare(response_xml, envelope),
        ),
    ]
    print(f"oots_client.edm benchmark, one core, Python {sys.version.split()[0]}, lxml {etree.__version__}")
    print(
        f"request {len(request_v10)} B (v1.0), response {len(response_xml)} B"
        f" + {len(attachment)} B attachment part"
    )
    for label, ours, reference in rows:
        ours_rate, bare_rate = rate(ours), rate(reference)
        print(
            f"{label:58s} {ours_rate:8.0f}/s   bare lxml parse+XSD {bare_rate:8.0f}/s   "
            f"cost ratio {bare_rate / ours_rate:4.2f}x"
        )
    folder = spec_dir()
    if folder is None:
        print("Schematron: skipped (set OOTS_SPEC_DIR)")
        return
    started = time.perf_counter()
    schematron_findings(request_v10, MessageKind.REQUEST, V1_0, folder)
    compile_ms = (time.perf_counter() - started) * 1000
    print(f"Schematron compile (EDM-REQ-S + EDM-REQ-C, once per process): {compile_ms:.0f} ms")
    per_second = rate(lambda: schematron_findings(request_v10, MessageKind.REQUEST, V1_0, folder))
    print(f"Schematron v1.0 request (both files, one pass):              {1000 / per_second:6.2f} ms/message")


if __name__ == "__main__":
    main()

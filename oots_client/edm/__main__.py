"""Command line for operators and testers: ``python -m oots_client.edm validate|parse|example``.

* ``validate FILE...`` — one line per file: ``OK``/``INVALID``, file, kind, version (and the failed rule ids;
  for a message without ``SpecificationIdentifier``, every mandatory slot it lacks); exit 0 if all are valid,
  1 if one is invalid, 2 if one is not an evidence exchange message at all (a Common Services answer, judged
  by its body, a SOAP envelope, HTML, …). The official Schematron is the packaged one; ``--spec-dir`` (default
  ``$OOTS_SPEC_DIR``) names a folder whose ``schematron/`` overrides it.
* ``parse FILE`` — the message as JSON (kind, version, request_id, status, exceptions, evidences, person,
  legal_person, procedure, requirements).
* ``example --version v1.2 --procedure T2`` — a valid example Evidence Request.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from oots_client.edm.build import build_request
from oots_client.edm.errors import EdmError
from oots_client.edm.examples import example_request
from oots_client.edm.model import EvidenceResponse, Message, NaturalPerson, QueryRequest
from oots_client.edm.parse import parse_message
from oots_client.edm.validate import validate_message

EXIT_OK, EXIT_INVALID, EXIT_NOT_EDM = 0, 1, 2


def _plain(value: Any) -> Any:
    """Dataclasses, dates and tuples → JSON-ready values."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def message_summary(message: Message) -> dict[str, Any]:
    """The JSON document printed by ``parse``."""
    summary: dict[str, Any] = {
        "kind": message.kind.value,
        "version": message.version,
        "request_id": message.request_id,
        "status": None,
        "exceptions": [],
        "evidences": [],
        "person": None,
        "legal_person": None,
        "procedure": None,
        "requirements": [],
    }
    if isinstance(message, QueryRequest):
        request = message.request
        evidence = request.evidence
        summary["evidences"] = [
            {
                "identifier": evidence.identifier,
                "title": evidence.titles[0].value if evidence.titles else None,
                "format": evidence.distribution.format,
                "conforms_to": evidence.distribution.conforms_to,
                "attachment": None,
            }
        ]
        summary["person"] = _plain(request.natural_person)
        summary["legal_person"] = _plain(request.legal_person)
        summary["procedure"] = request.procedure
        summary["requirements"] = [
            {"identifier": r.identifier, "name": r.names[0].value if r.names else None}
            for r in request.requirements
        ]
        summary["authorized_representative"] = _plain(request.authorized_representative)
    elif isinstance(message, EvidenceResponse):
        summary["status"] = message.status.value
        summary["evidences"] = [
            {
                "identifier": item.metadata.identifier,
                "title": item.metadata.titles[0].value if item.metadata.titles else None,
                "format": item.metadata.distribution.format,
                "conforms_to": item.metadata.distribution.conforms_to,
                "attachment": item.attachment.href if item.attachment else None,
            }
            for item in message.evidences
        ]
        if message.evidences:
            subject = message.evidences[0].metadata.is_about
            key = "person" if isinstance(subject, NaturalPerson) else "legal_person"
            summary[key] = _plain(subject)
        if message.response_available_datetime is not None:
            summary["response_available_datetime"] = message.response_available_datetime.isoformat()
    else:
        summary["status"] = message.status.value
        summary["exceptions"] = [
            {
                "code": exc.code,
                "type": exc.type,
                "severity": exc.severity,
                "message": exc.message,
                "preview_location": exc.preview_location,
                "preview_method": exc.preview_method,
            }
            for exc in message.exceptions
        ]
    return summary


def _read(path: str) -> bytes:
    return sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()


def cmd_validate(files: Sequence[str], *, schematron: bool, spec_dir: Path | None = None) -> int:
    worst = EXIT_OK
    for name in files:
        try:
            report = validate_message(_read(name), schematron=schematron, spec_folder=spec_dir)
        except (EdmError, OSError) as exc:
            print(f"ERROR {name} {exc}")
            worst = EXIT_NOT_EDM
            continue
        version = report.version or "(no version)"
        if report.is_valid:
            print(f"OK {name} {report.kind.value} {version}")
            continue
        rules = " ".join(sorted({f.rule_id for f in report.errors}))
        line = f"INVALID {name} {report.kind.value} {version} {rules}"
        if not report.version and report.missing_slots:
            line += f" | missing mandatory slots: {', '.join(report.missing_slots)}"
        print(line)
        worst = max(worst, EXIT_INVALID)
    return worst


def cmd_parse(name: str) -> int:
    try:
        message = parse_message(_read(name))
    except (EdmError, OSError) as exc:
        print(f"ERROR {name} {exc}", file=sys.stderr)
        return EXIT_NOT_EDM
    print(json.dumps(message_summary(message), indent=2, ensure_ascii=False))
    return EXIT_OK


def cmd_example(version: str, procedure: str, *, legal_person: bool, representative: bool) -> int:
    try:
        data = build_request(
            example_request(procedure, legal_person=legal_person, representative=representative), version
        )
    except EdmError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return EXIT_NOT_EDM
    sys.stdout.buffer.write(data)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oots_client.edm", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    validate = commands.add_parser("validate", help="validate EDM messages (XSD, Schematron, code lists)")
    validate.add_argument("files", nargs="+", metavar="FILE", help="'-' reads standard input")
    validate.add_argument("--no-schematron", action="store_true", help="skip the official Schematron rules")
    validate.add_argument(
        "--spec-dir",
        type=Path,
        default=os.environ.get("OOTS_SPEC_DIR") or None,
        help="a folder whose schematron/ replaces the packaged rules (default: $OOTS_SPEC_DIR, if set)",
    )
    parse = commands.add_parser("parse", help="print an EDM message as JSON")
    parse.add_argument("file", metavar="FILE")
    example = commands.add_parser("example", help="print a valid example Evidence Request")
    example.add_argument("--version", default="v1.2", help="oots-edm:v1.0, v1.1, v1.2 or v2.0 (default v1.2)")
    example.add_argument("--procedure", default="T2", help="procedure code (default T2)")
    example.add_argument("--legal-person", action="store_true")
    example.add_argument("--representative", action="store_true")
    args = parser.parse_args(argv)
    if args.command == "validate":
        spec_dir = Path(args.spec_dir) if args.spec_dir else None
        return cmd_validate(args.files, schematron=not args.no_schematron, spec_dir=spec_dir)
    if args.command == "parse":
        return cmd_parse(args.file)
    return cmd_example(
        args.version, args.procedure, legal_person=args.legal_person, representative=args.representative
    )


if __name__ == "__main__":
    sys.exit(main())

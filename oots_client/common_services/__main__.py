"""Command line for operators and the acceptance checks.

``python -m oots_client.common_services --eb URL requirements --procedure T2 --country DE`` and the
``evidence-types`` / ``data-services`` commands print JSON on stdout. Exit status 0 on an answer (a
``DSD:ERR:0005`` question is printed as ``additional_input``), 1 on an ``EB:ERR``/``DSD:ERR`` answer (its code
on stderr and in ``error.code``), 2 on a transport, signature or usage problem.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from oots_client.common_services.client import CommonServicesClient
from oots_client.common_services.config import (
    DEFAULT_NAME_TEMPLATE,
    CommonServicesConfig,
    CsApiVersion,
    DiscoveryConfig,
    RetryPolicy,
    SignatureMode,
)
from oots_client.common_services.errors import CommonServicesError
from oots_client.common_services.model import AdditionalInputRequired, DataServicesResult, texts_by_lang
from oots_client.errors import OotsError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m oots_client.common_services", description=__doc__)
    parser.add_argument("--eb", default="", help="Evidence Broker base URL (queries go to BASE/rest/search)")
    parser.add_argument("--dsd", default="", help="Data Service Directory base URL")
    parser.add_argument("--api-version", default="2.0", choices=[v.value for v in CsApiVersion])
    parser.add_argument(
        "--signature",
        default="warn",
        choices=[m.value for m in SignatureMode],
        help="API 2.0 signature check",
    )
    parser.add_argument("--trust", action="append", default=[], help="trusted certificate file (PEM/DER)")
    parser.add_argument("--timeout", type=float, default=10.0)
    parser.add_argument(
        "--discover",
        metavar="ENVIRONMENT",
        default="",
        help="find the EB/DSD of the query's country by DNS NAPTR (acc or prod) when --eb/--dsd is not given",
    )
    parser.add_argument("--discovery-name", default=DEFAULT_NAME_TEMPLATE, help="NAPTR name template")
    parser.add_argument("--dns", action="append", default=[], help="name server for discovery (ip[:port])")
    sub = parser.add_subparsers(dest="command", required=True)
    req = sub.add_parser("requirements", help="requirements of a procedure in a country (EB)")
    req.add_argument("--procedure", required=True)
    req.add_argument("--country", required=True)
    evi = sub.add_parser("evidence-types", help="evidence types proving a requirement from a country (EB)")
    evi.add_argument("--requirement", required=True)
    evi.add_argument("--country", required=True)
    dsd = sub.add_parser("data-services", help="data services for an evidence type in a country (DSD)")
    dsd.add_argument("--evidence-type", required=True, help="evidence type classification URI")
    dsd.add_argument("--country", required=True)
    dsd.add_argument(
        "--specification", help="only access services speaking this EDM version, e.g. oots-edm:v1.2"
    )
    dsd.add_argument("--jurisdiction", help="answer to the jurisdiction question (NUTS or LAU code)")
    dsd.add_argument(
        "--answer", action="append", default=[], metavar="ID=VALUE", help="classification answer"
    )
    return parser


def _additional_input(question: AdditionalInputRequired) -> dict[str, Any]:
    j = question.jurisdiction
    return {
        "additional_input": {
            "evidence_type_id": question.evidence_type.identifier,
            "jurisdiction_level": j.level if j else None,
            "jurisdiction_context_id": j.context_id if j else None,
            "jurisdiction_labels": texts_by_lang(j.contexts) if j else {},
            "classification_questions": [
                {
                    "identifier": q.identifier,
                    "questions": texts_by_lang(q.concept.descriptions),
                    "value_expression": q.concept.value_expression,
                    "allowed_values": [v.code for v in q.allowed_values],
                }
                for q in question.classification_questions
            ],
        }
    }


def _data_services(result: DataServicesResult) -> list[dict[str, Any]]:
    return [
        {
            "evidence_type_id": offer.evidence_type.identifier,
            "classification": offer.evidence_type.classification,
            "titles": texts_by_lang(offer.evidence_type.titles),
            "formats": [d.format for d in offer.evidence_type.distributions],
            "access_service": {
                "identifier": offer.access_service.identifier,
                "scheme": offer.access_service.scheme_id,
                "conforms_to": list(offer.access_service.conforms_to),
            },
            "publisher": {
                "identifier": offer.publisher.identifier if offer.publisher else None,
                "scheme": offer.publisher.scheme_id if offer.publisher else None,
                "name": offer.publisher.name() if offer.publisher else None,
            },
            "level_of_assurance": offer.evidence_type.level_of_assurance,
        }
        for offer in result.offers
    ]


def run(args: argparse.Namespace) -> Any:
    config = CommonServicesConfig(
        eb_url=args.eb,
        dsd_url=args.dsd,
        api_version=CsApiVersion(args.api_version),
        signature_mode=SignatureMode(args.signature),
        trusted_certificates=tuple(Path(p).read_bytes() for p in args.trust),
        timeout_seconds=args.timeout,
        retry=RetryPolicy(attempts=2, backoff_seconds=0.2),
        discovery=DiscoveryConfig(
            environment=args.discover,
            name_template=args.discovery_name,
            nameservers=tuple(args.dns),
            timeout_seconds=args.timeout,
        )
        if args.discover
        else None,
    )
    client = CommonServicesClient(config)
    if args.command == "requirements":
        return [
            {"identifier": r.identifier, "names": texts_by_lang(r.names)}
            for r in client.requirements(procedure=args.procedure, country=args.country)
        ]
    if args.command == "evidence-types":
        result = client.evidence_types(requirement=args.requirement, country=args.country)
        return {
            "requirement": result.requirement.identifier,
            "alternatives": [
                [
                    {"classification": t.classification, "titles": texts_by_lang(t.titles)}
                    for t in lst.evidence_types
                ]
                for lst in result.alternatives
            ],
        }
    answers: dict[str, str] = {}
    for item in args.answer:
        key, sep, value = item.partition("=")
        if not sep:
            raise OotsError(f"--answer {item!r} is not ID=VALUE")
        answers[key.strip()] = value.strip()
    outcome = client.data_services(
        evidence_type=args.evidence_type, country=args.country, specification=args.specification
    )
    if isinstance(outcome, AdditionalInputRequired) and (args.jurisdiction or answers):
        follow_up = outcome.answer(jurisdiction=args.jurisdiction, classifications=answers)
        outcome = client.data_services(
            evidence_type=args.evidence_type,
            country=args.country,
            specification=args.specification,
            answers=follow_up,
        )
    if isinstance(outcome, AdditionalInputRequired):
        return _additional_input(outcome)
    return _data_services(outcome)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        output = run(args)
    except CommonServicesError as exc:
        print(
            json.dumps({"error": {"code": exc.code, "message": exc.message, "detail": exc.detail}}, indent=2)
        )
        print(f"{exc.code}: {exc.message}" + (f" ({exc.detail})" if exc.detail else ""), file=sys.stderr)
        return 1
    except (OotsError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(output, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

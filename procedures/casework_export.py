"""The export of applications a case worker may see, as CSV or JSON: one record per application with the
applicant as asserted by eIDAS, the answers, the case status and the documents under their requirement."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from procedures.casework import applicant_identity, case_status, evidence_by_requirement
from procedures.models import Application, CaseStatus


def application_record(application: Application) -> dict[str, Any]:
    identity = applicant_identity(application)
    latest = case_status(application)
    return {
        "reference": str(application.reference),
        "procedure": application.procedure.code,
        "procedure_name": application.procedure.name,
        "authority": application.procedure.authority.name,
        "submitted_at": application.submitted_at,
        "case_status": latest.status if latest is not None else CaseStatus.RECEIVED.value,
        "case_status_changed_at": latest.changed_at if latest is not None else None,
        "case_message": latest.message if latest is not None else "",
        "applicant": (
            {
                "kind": identity.kind,
                **{row.label: row.value for row in identity.rows},
                **{row.label: row.value for row in identity.legal_person},
                **{row.label: row.value for row in identity.representative},
            }
            if identity is not None
            else {}
        ),
        # `data` holds the form's answers only (the journey's choices are rows, migration 0007); a "_…" key
        # would be a leftover of the journey's old bookkeeping, never an answer.
        "answers": {key: value for key, value in application.data.items() if not key.startswith("_")},
        "documents": [
            {
                "requirement": group.requirement.name if group.requirement is not None else "",
                "title": item.title,
                "arrival": item.arrival,
                "provider": item.provider,
                "provider_country": item.provider_country,
                "media_type": item.media_type,
                "size": item.size,
            }
            for group in evidence_by_requirement(application)
            for item in group.items
        ],
    }


def export_json(applications: Iterable[Application]) -> bytes:
    records = [application_record(application) for application in applications]
    return json.dumps({"applications": records}, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode()


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell that a spreadsheet would run as a formula is written as text (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def export_csv(applications: Iterable[Application]) -> bytes:
    records = [application_record(application) for application in applications]
    answer_keys = sorted({key for record in records for key in record["answers"]})
    applicant_keys = sorted({key for record in records for key in record["applicant"]})
    fixed = [
        "reference",
        "procedure",
        "procedure_name",
        "authority",
        "submitted_at",
        "case_status",
        "case_status_changed_at",
        "case_message",
    ]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            *fixed,
            *(f"applicant: {key}" for key in applicant_keys),
            *(f"answer: {key}" for key in answer_keys),
            "documents",
        ]
    )
    for record in records:
        documents = "; ".join(
            f"{doc['requirement'] or '—'}: {doc['title']} ({doc['arrival']}"
            + (f", {doc['provider']}" if doc["provider"] else "")
            + ")"
            for doc in record["documents"]
        )
        writer.writerow(
            [_cell(record[key]) for key in fixed]
            + [_cell(record["applicant"].get(key)) for key in applicant_keys]
            + [_cell(record["answers"].get(key)) for key in answer_keys]
            + [_cell(documents)]
        )
    return out.getvalue().encode("utf-8-sig")

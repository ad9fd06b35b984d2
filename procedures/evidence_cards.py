"""What the journey's pages show of each requirement's evidence: per item its exchange (state, preview
hand-off, error and what to do next, the evidence received) or its upload. Display only; the words for an
exchange's errors are ``procedures.evidence_display``'s."""

from __future__ import annotations

from typing import Any

from exchanges.locations import preview_location_allowed
from exchanges.models import EvidenceRequest
from procedures.evidence_display import error_explanation, evidence_kind, xml_rows
from procedures.journey import STATUS_LABELS, ItemStatus, Journey, preview_refused


def exchange_card(exchange: EvidenceRequest) -> dict[str, Any]:
    evidences = []
    for evidence in exchange.evidences.all():
        kind = evidence_kind(evidence)
        evidences.append(
            {"evidence": evidence, "kind": kind, "rows": xml_rows(evidence) if kind == "xml" else []}
        )
    preview_ok = bool(exchange.preview_location) and preview_location_allowed(exchange.preview_location)
    refused = preview_refused(exchange)
    return {
        "exchange": exchange,
        # A refused preview is the citizen's choice, said as such, not an error of the authority.
        "refused": refused,
        "label": STATUS_LABELS[ItemStatus.REFUSED] if refused else exchange.get_state_display(),
        "explanation": None if refused else error_explanation(exchange),
        "evidences": evidences,
        "preview_ok": preview_ok,
        "waiting": exchange.is_waiting,
    }


def requirement_rows(journey: Journey) -> list[dict[str, Any]]:
    """Per requirement: its progress and, per evidence item, its status and exchange card."""
    return [
        {
            "progress": progress,
            "items": [
                {
                    "item": item.item,
                    "status": item.status,
                    "status_label": STATUS_LABELS[item.status],
                    "upload": item.upload,
                    "can_upload": item.can_upload and progress.requirement.allow_upload,
                    "card": exchange_card(item.exchange) if item.exchange is not None else None,
                }
                for item in progress.items
            ],
            "cards": [exchange_card(e) for e in progress.exchanges],
        }
        for progress in journey.progress
    ]

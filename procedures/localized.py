"""The names an exchange shows, in the reader's language: the evidence type's title and the provider's name.

The exchange keeps the request's content (``EvidenceRequest.request_content``), which holds every title the
Evidence Broker gave the evidence type and every name the Data Service Directory gave the provider, each
with its language; its ``evidence_type_title`` and ``provider_name`` columns hold one of them. These read the
one in the active language, else the column.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language

from exchanges.models import EvidenceRequest


def _in_language(texts: Any, fallback: str) -> str:
    language = (get_language() or "en").split("-")[0].upper()
    if isinstance(texts, list):
        for text in texts:
            if isinstance(text, dict) and str(text.get("lang", "")).upper() == language and text.get("value"):
                return str(text["value"])
    return fallback


def _content(exchange: EvidenceRequest, part: str) -> dict[str, Any]:
    content = exchange.request_content if isinstance(exchange.request_content, dict) else {}
    value = content.get(part)
    return value if isinstance(value, dict) else {}


def evidence_title(exchange: EvidenceRequest) -> str:
    return _in_language(_content(exchange, "evidence").get("titles"), exchange.evidence_type_title)


def provider_name(exchange: EvidenceRequest) -> str:
    return _in_language(_content(exchange, "evidence_provider").get("names"), exchange.provider_name)

"""Template filters of the journey's pages."""

from __future__ import annotations

import datetime as dt

from django import template

from exchanges.models import EvidenceRequest
from procedures import localized

register = template.Library()


@register.filter
def date_from_iso(value: object) -> dt.date | object:
    """A form's stored date (ISO ``YYYY-MM-DD``) as a date, for ``|date`` to show in the reader's format."""
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


@register.filter
def evidence_title_in_language(exchange: EvidenceRequest) -> str:
    """The evidence type's title in the reader's language (``procedures.localized``)."""
    return localized.evidence_title(exchange)


@register.filter
def provider_name_in_language(exchange: EvidenceRequest) -> str:
    """The provider's name in the reader's language (``procedures.localized``)."""
    return localized.provider_name(exchange)

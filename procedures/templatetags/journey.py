"""Template filters of the journey's pages."""

from __future__ import annotations

import datetime as dt

from django import template

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

"""``{{ value|loa_label }}``: an eIDAS level of assurance as people read it, in their language."""

from __future__ import annotations

from django import template

from accounts.models import LevelOfAssurance

register = template.Library()


@register.filter
def loa_label(value: object) -> str:
    """The translated label of a level (``substantial`` → "Substantial", "Substantiel", …); anything else
    unchanged (an empty value stays empty for ``default``)."""
    try:
        return str(LevelOfAssurance(str(value)).label)
    except ValueError:
        return "" if value is None else str(value)

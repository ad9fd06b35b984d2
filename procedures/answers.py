"""A stored answer as a reader sees it, in the active language: the receipt page, the receipt PDF, the admin.

A choice shows its label (the answer stores the key), a checkbox Yes or No, a date with the month in words
and never first, a number as stored. An answer that no longer fits its field (the owner changed the field
since) is shown as it was given, never an error. A conditional field the citizen did not see has no answer
and no line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from procedures.models import FieldType, FormField

# Day first in every language (the portal never writes a month first); German puts a dot after the day.
_DATE_FORMATS = {"de": "j. F Y"}
_DATE_FORMAT = "j F Y"


def answer_date(value: date) -> str:
    language = (get_language() or "en").split("-")[0]
    return date_format(value, _DATE_FORMATS.get(language, _DATE_FORMAT))


def answer_display(row: FormField, value: object) -> str:
    if value is None or value == "":
        return "—"
    if row.field_type == FieldType.CHECKBOX and isinstance(value, bool):
        return _("Yes") if value else _("No")
    if row.field_type == FieldType.CHOICE:
        return row.choice_label(value)
    if row.field_type == FieldType.DATE and isinstance(value, str):
        try:
            return answer_date(date.fromisoformat(value))
        except ValueError:
            return value
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value)


def answered_rows(rows: Iterable[FormField], answers: Mapping[str, object]) -> list[FormField]:
    """The rows to show for stored ``answers``: every field, except conditional ones left hidden."""
    return [row for row in rows if not row.is_conditional or row.key in answers]

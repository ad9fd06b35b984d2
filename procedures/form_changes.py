"""Changes to a form that already has answers: what a key or type change does to them.

A key change moves the stored answers (and uploaded files, and the conditions that name the key) to the new
key, in the same transaction as the field. A type change is allowed only when every stored answer is still
a valid answer of the new type (text that is an ISO date to a date, a number to text, …); otherwise it is
refused and the owner told how many answers stand in the way, so that no draft is left with an answer its
form cannot read. ``procedures.forms.answer_to_value`` is the test of "valid", and the same function keeps a
draft readable if an answer ever does not fit.
"""

from __future__ import annotations

from django.db import transaction

from procedures.forms import answer_to_value
from procedures.models import Application, ApplicationFile, FieldType, FormField, Procedure

# Text types hold any string up to their length.
_TEXT_LIMITS = {FieldType.TEXT: 500, FieldType.LONG_TEXT: 10_000, FieldType.EMAIL: 254}


def stored_answers(*, procedure: Procedure, key: str) -> list[object]:
    """Every stored, non-empty answer under ``key`` in the procedure's applications, drafts and submitted."""
    values = (
        Application.objects.filter(procedure=procedure, data__has_key=key)
        .values_list("data", flat=True)
        .iterator()
    )
    return [data[key] for data in values if data.get(key) not in (None, "")]


def answers_unreadable_as(*, procedure: Procedure, key: str, field: FormField) -> int:
    """How many stored answers under ``key`` would not be valid answers of ``field`` (its new type)."""
    if field.field_type == FieldType.FILE:
        return len(stored_answers(procedure=procedure, key=key))
    unreadable = 0
    for value in stored_answers(procedure=procedure, key=key):
        limit = _TEXT_LIMITS.get(field.field_type)  # type: ignore[call-overload]
        if limit is not None:
            unreadable += not (isinstance(value, str) and len(value) <= limit)
        else:
            unreadable += answer_to_value(field, value) is None  # type: ignore[arg-type]
    return unreadable


def files_stored(*, procedure: Procedure, key: str) -> int:
    return ApplicationFile.objects.filter(application__procedure=procedure, field_key=key).count()


def answers_key_rename(*, procedure: Procedure, old: str, new: str) -> int:
    """Move the answers, files and conditions stored under ``old`` to ``new``; returns the applications
    changed. Called inside the transaction that saves the field."""
    changed = 0
    with transaction.atomic():
        for application in Application.objects.select_for_update().filter(
            procedure=procedure, data__has_key=old
        ):
            application.data[new] = application.data.pop(old)
            application.save(update_fields=["data"])
            changed += 1
        ApplicationFile.objects.filter(application__procedure=procedure, field_key=old).update(field_key=new)
        procedure.form_fields.filter(show_when_key=old).update(show_when_key=new)
    return changed

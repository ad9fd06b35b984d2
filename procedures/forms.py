"""Application forms built at run time from a procedure's ``FormField`` rows.

Answers are stored as JSON in ``Application.data`` (ISO dates, numbers as strings so that no
precision is lost); uploaded files are stored as ``ApplicationFile`` rows and only referenced here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from procedures.models import FieldType, FormField
from procedures.uploads import ALLOWED_TYPES_LABEL, validate_upload

JSONValue = str | bool | None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class UploadField(forms.FileField):
    """A file field that checks size and sniffs the real type; the content type is kept on the file."""

    def clean(self, data: Any, initial: Any = None) -> Any:
        upload = super().clean(data, initial)
        if upload and hasattr(upload, "read") and upload is not initial:
            upload.sniffed_content_type = validate_upload(upload, max_bytes=settings.OOTS_UPLOAD_MAX_BYTES)
        return upload


def _text(row: FormField, required: bool) -> forms.Field:
    return forms.CharField(max_length=500, required=required)


def _long_text(row: FormField, required: bool) -> forms.Field:
    return forms.CharField(max_length=10_000, required=required, widget=forms.Textarea(attrs={"rows": 5}))


def _email(row: FormField, required: bool) -> forms.Field:
    return forms.EmailField(required=required)


def _date(row: FormField, required: bool) -> forms.Field:
    return forms.DateField(required=required, widget=DateInput())


def _number(row: FormField, required: bool) -> forms.Field:
    return forms.DecimalField(required=required, max_digits=20, decimal_places=6)


def _choice(row: FormField, required: bool) -> forms.Field:
    options = [(option, option) for option in row.choice_list()]
    return forms.ChoiceField(required=required, choices=[("", _("Choose…")), *options])


def _checkbox(row: FormField, required: bool) -> forms.Field:
    # A required checkbox is a declaration the user must tick; an optional one is a yes/no answer.
    return forms.BooleanField(required=required)


def _file(row: FormField, required: bool) -> forms.Field:
    return UploadField(
        required=required,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


_FIELD_BUILDERS: dict[str, Callable[[FormField, bool], forms.Field]] = {
    FieldType.TEXT: _text,
    FieldType.LONG_TEXT: _long_text,
    FieldType.EMAIL: _email,
    FieldType.DATE: _date,
    FieldType.NUMBER: _number,
    FieldType.CHOICE: _choice,
    FieldType.CHECKBOX: _checkbox,
    FieldType.FILE: _file,
}


class ApplicationForm(forms.Form):
    """The form of one procedure. ``rows`` are its ``FormField``s in order."""

    def __init__(
        self,
        *args: Any,
        rows: Iterable[FormField],
        for_draft: bool = False,
        uploaded_keys: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        uploaded = set(uploaded_keys)
        for row in self.rows:
            # A draft may be saved half-filled; a file already uploaded satisfies a required file field.
            required = (
                row.required
                and not for_draft
                and not (row.field_type == FieldType.FILE and row.key in uploaded)
            )
            field = _FIELD_BUILDERS[row.field_type](row, required)
            field.label = row.label
            field.help_text = row.help_text
            if row.field_type == FieldType.FILE:
                field.help_text = " ".join(
                    part for part in (row.help_text, str(_("Accepted: %s.") % ALLOWED_TYPES_LABEL)) if part
                )
            self.fields[row.key] = field

    def answers(self) -> dict[str, JSONValue]:
        """The cleaned answers as JSON-safe values (files excluded: they are stored apart)."""
        result: dict[str, JSONValue] = {}
        for row in self.rows:
            if row.field_type == FieldType.FILE:
                continue
            result[row.key] = to_json(self.cleaned_data.get(row.key))
        return result

    def uploads(self) -> dict[str, Any]:
        return {
            row.key: self.cleaned_data[row.key]
            for row in self.rows
            if row.field_type == FieldType.FILE and self.cleaned_data.get(row.key)
        }


def to_json(value: object) -> JSONValue:
    if value is None or value == "":
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    raise TypeError(f"cannot store {type(value).__name__} in an application")


def initial_from_answers(rows: Iterable[FormField], answers: Mapping[str, JSONValue]) -> dict[str, Any]:
    """Turn stored answers back into initial form values (the inverse of ``ApplicationForm.answers``)."""
    initial: dict[str, Any] = {}
    for row in rows:
        value = answers.get(row.key)
        if value is None or row.field_type == FieldType.FILE:
            continue
        if row.field_type == FieldType.DATE and isinstance(value, str):
            initial[row.key] = date.fromisoformat(value)
        elif row.field_type == FieldType.NUMBER and isinstance(value, str):
            initial[row.key] = Decimal(value)
        else:
            initial[row.key] = value
    return initial

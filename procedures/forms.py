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
    # The key is what is stored; the label, in the citizen's language, what is shown (procedures.choices).
    return forms.ChoiceField(required=required, choices=[("", _("Choose…")), *row.choice_list()])


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


def condition_value(field_type: str, value: object) -> str:
    """An answer as ``FormField.show_when_value`` names it: a choice's key, "yes" or "no" for a checkbox."""
    if field_type == FieldType.CHECKBOX:
        return "yes" if value is True else "no"
    return "" if value is None else str(value)


def shown_keys(rows: Iterable[FormField], values: Mapping[str, object]) -> set[str]:
    """The keys of the fields a citizen sees given ``values``: a conditional field is shown when the field it
    depends on is shown and has the value it names (a chain of conditions follows the form's order)."""
    rows = list(rows)
    types = {row.key: row.field_type for row in rows}
    shown: set[str] = set()
    for row in rows:
        controller = row.show_when_key
        if not controller or (
            controller in shown
            and row.show_when_value == condition_value(types[controller], values.get(controller))
        ):
            shown.add(row.key)
    return shown


class ApplicationForm(forms.Form):
    """The form of one procedure. ``rows`` are its ``FormField``s in order.

    ``prefill`` holds the citizen's eIDAS values (``procedures.prefill``): a field that asks for one starts
    with it when it has no answer yet, and keeps it when the owner locked it. A conditional field is required
    only when shown; a hidden one is not validated and its answer is not stored.
    """

    def __init__(
        self,
        *args: Any,
        rows: Iterable[FormField],
        for_draft: bool = False,
        uploaded_keys: Iterable[str] = (),
        prefill: Mapping[str, object] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = list(rows)
        self.for_draft = for_draft
        self.hidden_keys: set[str] = set()  # set by clean(): the conditional fields left hidden
        uploaded = set(uploaded_keys)
        prefill = prefill or {}
        for row in self.rows:
            # A draft may be saved half-filled; a file already uploaded satisfies a required file field.
            required = (
                row.required
                and not for_draft
                and not (row.field_type == FieldType.FILE and row.key in uploaded)
            )
            field = _FIELD_BUILDERS[row.field_type](row, required and not row.is_conditional)
            field.label = row.label
            field.help_text = row.help_text
            # Read by the template (includes/field.html) and the script that shows and hides fields.
            field.required_when_shown = required and row.is_conditional  # type: ignore[attr-defined]
            field.show_when = (row.show_when_key, row.show_when_value) if row.is_conditional else None  # type: ignore[attr-defined]
            if row.field_type == FieldType.FILE:
                field.help_text = " ".join(
                    part for part in (row.help_text, str(_("Accepted: %s.") % ALLOWED_TYPES_LABEL)) if part
                )
            value = prefill.get(row.prefill) if row.prefill else None
            if value is not None and row.field_type != FieldType.FILE:
                if row.prefill_locked:
                    # Disabled: Django keeps the initial value, whatever the browser posts.
                    field.disabled = True
                    field.widget.attrs["data-locked"] = "true"  # static/js/conditional.js keeps it disabled
                    field.initial = value
                    self.initial[row.key] = value
                elif self.initial.get(row.key) in (None, ""):
                    self.initial[row.key] = value
            self.fields[row.key] = field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        shown = shown_keys(self.rows, cleaned)
        for row in self.rows:
            if row.key not in shown:
                # Hidden: neither checked nor kept, whatever the browser sent.
                cleaned[row.key] = None
                self.errors.pop(row.key, None)
            elif (
                row.is_conditional
                and getattr(self.fields[row.key], "required_when_shown", False)
                and cleaned.get(row.key) in (None, "", False)
            ):
                self.add_error(
                    row.key, forms.ValidationError(self.fields[row.key].error_messages["required"])
                )
        self.hidden_keys = {row.key for row in self.rows} - shown
        return cleaned

    def answers(self) -> dict[str, JSONValue]:
        """The cleaned answers as JSON-safe values (files are stored apart; hidden fields not at all)."""
        result: dict[str, JSONValue] = {}
        for row in self.rows:
            if row.field_type == FieldType.FILE or row.key in self.hidden_keys:
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


def answer_to_value(row: FormField, value: JSONValue) -> Any:
    """A stored answer as the field's Python value; ``None`` when it no longer fits the field (the owner
    changed the field's type since; the answer is then shown as not given rather than break the page)."""
    if value is None or row.field_type == FieldType.FILE:
        return None
    try:
        if row.field_type == FieldType.DATE:
            return date.fromisoformat(value) if isinstance(value, str) else None
        if row.field_type == FieldType.NUMBER:
            return Decimal(value) if isinstance(value, str) and Decimal(value).is_finite() else None
        if row.field_type == FieldType.CHECKBOX:
            return value if isinstance(value, bool) else None
        if row.field_type == FieldType.CHOICE:
            return value if value in dict(row.choice_list()) else None
    except (ValueError, ArithmeticError):
        return None
    return value if isinstance(value, str) else None


def initial_from_answers(rows: Iterable[FormField], answers: Mapping[str, JSONValue]) -> dict[str, Any]:
    """Turn stored answers back into initial form values (the inverse of ``ApplicationForm.answers``)."""
    initial: dict[str, Any] = {}
    for row in rows:
        value = answer_to_value(row, answers.get(row.key))
        if value is not None:
            initial[row.key] = value
    return initial

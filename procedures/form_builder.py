"""The form builder in the procedure's admin page: the inline of form fields, its checks, and the preview.

The owner edits the fields as an inline of the procedure (labels, help texts and choices once per language,
``procedures.translation``); ``static/js/form_builder.js`` collapses the rows, orders them by drag or with
arrow buttons (it rewrites the "order" inputs, which stay usable without JavaScript) and refreshes the
preview. The checks here keep the form coherent: the same choice keys in every language, conditions that
name an earlier choice or checkbox field and one of its values, and no key or type change that would leave
stored answers unreadable (``procedures.form_changes``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationStackedInline

from procedures.choices import format_choices, invalid_keys, parse_choices
from procedures.form_changes import answers_unreadable_as, files_stored, stored_answers
from procedures.forms import ApplicationForm
from procedures.models import FieldType, FormField, PrefillSource, Procedure

LANGUAGES: list[str] = list(settings.MODELTRANSLATION_LANGUAGES)
DEFAULT_LANGUAGE: str = settings.MODELTRANSLATION_DEFAULT_LANGUAGE

# What the preview pre-fills, so that the owner sees which fields come from eIDAS (not anyone's data).
EXAMPLE_PREFILL: dict[str, object] = {
    PrefillSource.GIVEN_NAME: "Camille",
    PrefillSource.FAMILY_NAME: "Martin",
    PrefillSource.BIRTH_NAME: "Martin",
    PrefillSource.DATE_OF_BIRTH: date(1990, 5, 17),
    PrefillSource.PLACE_OF_BIRTH: "Lyon",
    PrefillSource.NATIONALITY: "FR",
    PrefillSource.ADDRESS: "1 rue de l'Exemple, 75001 Paris",
    PrefillSource.EMAIL: "camille.martin@example.org",
    PrefillSource.PHONE: "+33 1 23 45 67 89",
    PrefillSource.LEGAL_NAME: "Exemple SARL",
}


class FormFieldAdminForm(forms.ModelForm):
    """One field row; checks what one row can check (choices per language, a key or type change)."""

    class Meta:
        model = FormField
        fields = [
            "order",
            "key",
            "field_type",
            "required",
            "label",
            "help_text",
            "choices",
            "show_when_key",
            "show_when_value",
            "prefill",
            "prefill_locked",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._clean_choices(cleaned)
        if self.instance.pk is not None:
            self._check_stored_answers(cleaned)
        return cleaned

    def _clean_choices(self, cleaned: dict[str, Any]) -> None:
        """Key every line (``key | label``); each language lists the default language's keys.

        A language written without keys takes the default language's keys line by line."""
        default_field = f"choices_{DEFAULT_LANGUAGE}"
        if cleaned.get("field_type") != FieldType.CHOICE:
            return
        default = parse_choices(cleaned.get(default_field) or "")
        bad = invalid_keys(default)
        if bad:
            self.add_error(
                default_field,
                _("These keys are not usable (lower-case letters, digits, “_” or “-”, each once): %(keys)s")
                % {"keys": ", ".join(bad)},
            )
            return
        cleaned[default_field] = format_choices(default)
        keys = [key for key, _label in default]
        for language in LANGUAGES:
            name = f"choices_{language}"
            raw = cleaned.get(name) or ""
            if language == DEFAULT_LANGUAGE or not raw.strip():
                continue
            lines = [line.strip() for line in raw.splitlines() if line.strip()]
            if not any("|" in line for line in lines) and len(lines) == len(keys):
                options = list(zip(keys, lines, strict=True))
            else:
                options = parse_choices(raw)
            if [key for key, _label in options] != keys:
                self.add_error(
                    name,
                    _("List the same options, with the same keys and in the same order, as in %(language)s.")
                    % {"language": DEFAULT_LANGUAGE.upper()},
                )
                continue
            cleaned[name] = format_choices(options)

    def _check_stored_answers(self, cleaned: dict[str, Any]) -> None:
        """A type change must leave every stored answer readable (a key change moves them: admin save)."""
        procedure = self.instance.procedure
        old_key, old_type = self.initial.get("key"), self.initial.get("field_type")
        new_type = cleaned.get("field_type")
        if not old_key or not new_type or new_type == old_type:
            return
        candidate = FormField(field_type=new_type)
        candidate.choices = cleaned.get(f"choices_{DEFAULT_LANGUAGE}") or ""
        unreadable = answers_unreadable_as(procedure=procedure, key=old_key, field=candidate)
        if old_type == FieldType.FILE:
            unreadable += files_stored(procedure=procedure, key=old_key)
        if unreadable:
            self.add_error(
                "field_type",
                ngettext(
                    "%(count)d stored answer is not a valid “%(type)s” answer: keep the type, or add a new "
                    "field for the new question.",
                    "%(count)d stored answers are not valid “%(type)s” answers: keep the type, or add a new "
                    "field for the new question.",
                    unreadable,
                )
                % {"count": unreadable, "type": FieldType(new_type).label},
            )


class FormFieldFormSet(BaseInlineFormSet):
    """Checks across the rows: unique keys, and conditions on an earlier choice or checkbox field."""

    def clean(self) -> None:
        super().clean()
        rows = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.cleaned_data or form.cleaned_data.get("DELETE"):
                continue
            rows.append(form)
        rows.sort(key=lambda form: form.cleaned_data.get("order") or 0)
        seen: dict[str, forms.Form] = {}
        for form in rows:
            data = form.cleaned_data
            controller_key = data.get("show_when_key") or ""
            if controller_key:
                controller = seen.get(controller_key)
                if controller is None:
                    form.add_error(
                        "show_when_key",
                        _("Name the key of a choice or checkbox field that comes before this one."),
                    )
                else:
                    allowed = _condition_values(controller.cleaned_data)
                    if allowed is None:
                        form.add_error(
                            "show_when_key", _("A field can depend on a choice or checkbox field only.")
                        )
                    elif data.get("show_when_value") not in allowed:
                        form.add_error(
                            "show_when_value",
                            _("Use one of: %(values)s.") % {"values": ", ".join(allowed)},
                        )
            if data.get("key"):
                seen[data["key"]] = form


def _condition_values(data: dict[str, Any]) -> list[str] | None:
    if data.get("field_type") == FieldType.CHECKBOX:
        return ["yes", "no"]
    if data.get("field_type") == FieldType.CHOICE:
        return [key for key, _label in parse_choices(data.get(f"choices_{DEFAULT_LANGUAGE}") or "")]
    return None


class FormFieldInline(TranslationStackedInline):
    model = FormField
    form = FormFieldAdminForm
    formset = FormFieldFormSet
    extra = 0
    classes = ["form-builder"]
    fields = [
        ("order", "key", "field_type", "required"),
        "label",
        "help_text",
        "choices",
        ("show_when_key", "show_when_value"),
        ("prefill", "prefill_locked"),
    ]


def key_changes(formset: BaseInlineFormSet) -> list[tuple[str, str]]:
    """(old, new) of the saved rows whose key the owner changed, for the admin to move their answers."""
    return [
        (form.initial["key"], form.cleaned_data["key"])
        for form in formset.forms
        if form.instance.pk is not None
        and form.initial.get("key")
        and form.cleaned_data
        and not form.cleaned_data.get("DELETE")
        and form.cleaned_data.get("key") != form.initial["key"]
    ]


def has_stored_answers(procedure: Procedure, key: str) -> bool:
    return bool(stored_answers(procedure=procedure, key=key)) or bool(
        files_stored(procedure=procedure, key=key)
    )


def preview_rows(formset: BaseInlineFormSet | None, procedure: Procedure) -> tuple[list[FormField], int]:
    """The rows the preview shows: the unsaved state of the page when posted, else the saved fields;
    and how many rows were left out for their errors."""
    if formset is None:
        return list(procedure.form_fields.all()), 0
    rows: list[FormField] = []
    left_out = 0
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue  # an empty extra row
        if not form.is_valid():
            left_out += 1
            continue
        if form.cleaned_data.get("DELETE"):
            continue
        rows.append(form.save(commit=False))
    rows.sort(key=lambda row: (row.order, row.pk or 0))
    return rows, left_out


def preview_response(
    request: HttpRequest, procedure: Procedure, rows: list[FormField], left_out: int, language: str
) -> HttpResponse:
    """The form as the citizen will see it, in ``language``, with example eIDAS values."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    with translation.override(language):
        form = ApplicationForm(rows=rows, for_draft=False, prefill=EXAMPLE_PREFILL)
        response = TemplateResponse(
            request,
            "admin/procedures/procedure/form_preview.html",
            {
                "procedure": procedure,
                "fields": [(form[row.key], None) for row in rows],
                "left_out": left_out,
                "language": language,
            },
        )
        response.render()  # inside the override: labels, help texts and choices in that language
    return response

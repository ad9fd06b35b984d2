"""The case worker's forms: a case status with a message to the applicant; an export of applications."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from procedures.models import CaseStatus, Procedure


class CaseStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New case status"), choices=CaseStatus.choices)
    message = forms.CharField(
        label=_("Message to the applicant"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=4000,
        help_text=_("Sent to the applicant by email (when they agreed) and shown in their applications."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == CaseStatus.MORE_INFORMATION and not (data.get("message") or "").strip():
            self.add_error("message", _("Say what information is needed."))
        return data


class ExportFormat:
    CSV = "csv"
    JSON = "json"


class ApplicationExportForm(forms.Form):
    procedure = forms.ModelChoiceField(
        label=_("Procedure"), queryset=Procedure.objects.none(), required=False
    )
    submitted_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(
        label=_("Submitted until (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    format = forms.ChoiceField(
        label=_("Format"), choices=[(ExportFormat.CSV, "CSV"), (ExportFormat.JSON, "JSON")], initial="csv"
    )

    def __init__(self, *args: Any, procedures: QuerySet[Procedure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure"].queryset = procedures  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("The end of the period is before its start."))
        return data

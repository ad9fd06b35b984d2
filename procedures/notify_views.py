"""The citizen's side of notifications: *My applications* with each case status and message, and the one
question whether to be told by email."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from procedures.casework import citizen_case_rows
from procedures.notify import notification_consent_current, notification_consent_record, suggested_email
from procedures.selectors import applications_for_user


class NotificationConsentForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), required=False)
    consent = forms.BooleanField(
        label=_("Email me when evidence arrives, when a request fails and when my case status changes"),
        required=False,
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.data.get("answer") == "yes":
            if not data.get("consent"):
                self.add_error("consent", _("Tick the box to agree to be told by email."))
            if not data.get("email"):
                self.add_error("email", _("Enter the email address to write to."))
        return data


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = list(applications_for_user(user=request.user))  # type: ignore[arg-type]
    consent = notification_consent_current(user=request.user)
    form = None
    if applications and (consent is None or request.GET.get("notifications") == "change"):
        form = NotificationConsentForm(
            initial={
                "email": (consent.email if consent else "") or suggested_email(application=applications[0])
            }
        )
    return render(
        request,
        "procedures/application_list.html",
        {"rows": citizen_case_rows(applications), "consent": consent, "consent_form": form},
    )


@login_required
@require_POST
def notification_consent(request: HttpRequest) -> HttpResponse:
    form = NotificationConsentForm(request.POST)
    if request.POST.get("answer") != "yes":
        notification_consent_record(user=request.user, consented=False, language=get_language())
        messages.info(request, _("We will not email you. You can change this on this page."))
        return redirect("procedures:applications")
    if not form.is_valid():
        applications = list(applications_for_user(user=request.user))  # type: ignore[arg-type]
        return render(
            request,
            "procedures/application_list.html",
            {"rows": citizen_case_rows(applications), "consent": None, "consent_form": form},
            status=400,
        )
    notification_consent_record(
        user=request.user, consented=True, email=form.cleaned_data["email"], language=get_language()
    )
    messages.success(request, _("We will tell you by email."))
    return redirect("procedures:applications")

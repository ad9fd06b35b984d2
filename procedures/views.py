"""Citizen pages: thin views over selectors (reads) and services (writes)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from procedures.answers import answer_display, answered_rows
from procedures.downloads import file_response
from procedures.journey import Journey
from procedures.selectors import (
    application_evidence_count,
    application_get_for_user,
    procedure_form_fields,
    procedure_get_published,
    procedures_by_life_event,
)
from procedures.services import (
    ApplicationNotDraft,
    application_discard,
    application_start,
)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "procedures/home.html", {"groups": procedures_by_life_event()})


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = procedure_get_published(code=code)
    return render(
        request,
        "procedures/procedure_detail.html",
        {"procedure": procedure, "requirements": list(procedure.requirements.all())},
    )


@require_POST
@login_required
def application_create(request: HttpRequest, code: str) -> HttpResponse:
    procedure = procedure_get_published(code=code)
    application = application_start(user=request.user, procedure=procedure)  # type: ignore[arg-type]
    return HttpResponseRedirect(reverse("procedures:application", args=[application.reference]))


@login_required
def application_discard_confirm(request: HttpRequest, reference: UUID) -> HttpResponse:
    """Delete a draft, after the citizen confirmed it on this page (GET shows what will be deleted)."""
    application = application_get_for_user(user=request.user, reference=reference)  # type: ignore[arg-type]
    if not application.is_draft:
        raise Http404  # a submitted application is the authority's case now: kept, then purged by retention
    if request.method == "POST":
        try:
            application_discard(application=application)
        except ApplicationNotDraft:
            raise Http404 from None  # submitted meanwhile, in another tab
        messages.success(
            request,
            _("Your draft application %(ref)s was deleted, with the evidence and files it held.")
            % {"ref": application.short_reference},
        )
        return HttpResponseRedirect(reverse("procedures:applications"))
    return render(
        request,
        "procedures/application_discard.html",
        {
            "application": application,
            "files": application.files.count(),
            "evidences": application_evidence_count(application=application),
        },
    )


@login_required
def application_detail(request: HttpRequest, reference: UUID) -> HttpResponse:
    """A draft continues where the citizen left it (``procedures.steps``); a submitted application shows its
    confirmation: what happens next, who applied, to whom, with what."""
    application = application_get_for_user(user=request.user, reference=reference)  # type: ignore[arg-type]
    if application.is_draft:
        return HttpResponseRedirect(reverse("procedures:journey", args=[application.reference]))
    rows = procedure_form_fields(procedure=application.procedure)
    files = {f.field_key: f for f in application.files.all() if f.field_key}
    answers = [
        (row, answer_display(row, application.data.get(row.key)), files.get(row.key))
        for row in answered_rows(rows, application.data)
    ]
    return render(
        request,
        "procedures/application_receipt.html",
        {"application": application, "answers": answers, "journey": Journey(request, application)},
    )


@login_required
def application_file(request: HttpRequest, reference: UUID, key: str) -> FileResponse:
    application = application_get_for_user(user=request.user, reference=reference)  # type: ignore[arg-type]
    stored = application.files.filter(field_key=key).first()
    if stored is None:
        raise Http404
    return file_response(stored.file.open("rb"), name=stored.original_name, declared_type=stored.content_type)

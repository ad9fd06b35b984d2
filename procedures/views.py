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

from procedures.downloads import file_response
from procedures.forms import ApplicationForm, initial_from_answers
from procedures.journey import Journey
from procedures.journey_views import exchange_card
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
    application_save_draft,
    application_start,
    application_submit,
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
    application = application_get_for_user(user=request.user, reference=reference)  # type: ignore[arg-type]
    rows = procedure_form_fields(procedure=application.procedure)
    files = {f.field_key: f for f in application.files.all()}
    journey = Journey(request, application)
    if not application.is_draft:
        answers = [(row, application.data.get(row.key), files.get(row.key)) for row in rows]
        return render(
            request,
            "procedures/application_receipt.html",
            {"application": application, "answers": answers, "journey": journey},
        )

    if request.method == "GET" and journey.requirements and journey.current_step().key != "submit":
        # The journey (procedures/journey.py) comes first: log in at the procedure's level, then the evidence.
        return HttpResponseRedirect(reverse("procedures:journey", args=[application.reference]))
    form_kwargs = {"rows": rows, "uploaded_keys": files.keys()}
    if request.method == "POST":
        submitting = request.POST.get("action") == "submit"
        form = ApplicationForm(request.POST, request.FILES, for_draft=not submitting, **form_kwargs)
        if submitting and not journey.evidence_complete:
            # Step 7 comes last: the evidence of every requirement must be there (received or uploaded).
            messages.error(
                request, _("Some evidence is still missing. Please complete it before submitting.")
            )
            submitting = False
            form = ApplicationForm(request.POST, request.FILES, for_draft=True, **form_kwargs)
            if form.is_valid():
                application_save_draft(
                    application=application, answers=form.answers(), uploads=form.uploads()
                )
            return HttpResponseRedirect(reverse("procedures:journey", args=[application.reference]))
        if form.is_valid():
            service = application_submit if submitting else application_save_draft
            try:
                service(application=application, answers=form.answers(), uploads=form.uploads())
            except ApplicationNotDraft:
                messages.error(request, _("This application was already submitted and can no longer change."))
                return HttpResponseRedirect(request.path)
            if submitting:
                messages.success(request, _("Your application was submitted."))
            else:
                messages.success(request, _("Your draft was saved. You can come back to it at any time."))
            return HttpResponseRedirect(request.path)
    else:
        form = ApplicationForm(initial=initial_from_answers(rows, application.data), **form_kwargs)
    return render(
        request,
        "procedures/application_form.html",
        {
            "application": application,
            "form": form,
            "fields": [(form[row.key], files.get(row.key)) for row in rows],
            "journey": journey,
            "evidence_cards": [
                {"progress": progress, "cards": [exchange_card(e) for e in progress.exchanges]}
                for progress in journey.progress
            ],
        },
    )


@login_required
def application_file(request: HttpRequest, reference: UUID, key: str) -> FileResponse:
    application = application_get_for_user(user=request.user, reference=reference)  # type: ignore[arg-type]
    stored = application.files.filter(field_key=key).first()
    if stored is None:
        raise Http404
    return file_response(stored.file.open("rb"), name=stored.original_name, declared_type=stored.content_type)

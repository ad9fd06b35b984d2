"""The journey's pages (DESIGN §2): thin views over ``procedures.journey`` (reads, step objects),
``procedures.locate`` (step 2) and ``procedures.journey_services`` (writes). The pages on one exchange (the
status poll, the preview hand-off, a retry, the evidence file) are ``procedures.evidence_views``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.eidas.loa import loa_check
from exchanges.locations import preview_location_allowed
from exchanges.models import EvidenceRequest
from procedures.common_services import common_services_client
from procedures.evidence_display import error_explanation, evidence_kind, xml_rows
from procedures.forms import UploadField
from procedures.journey import Journey
from procedures.journey_services import journey_choose_oots, journey_choose_upload, journey_request
from procedures.locate import COUNTRIES, OfferChoice, country_name, locate, location_query
from procedures.notify import status_page_seen
from procedures.preview_return import return_address_maker, return_bind
from procedures.receipt_pdf import receipt_pdf
from procedures.request_content import person_data_shown
from procedures.selectors import application_get_for_user
from procedures.services import ApplicationNotDraft
from procedures.uploads import ALLOWED_TYPES_LABEL

JourneyView = Callable[..., HttpResponse]


def _lang(request: HttpRequest) -> str:
    return (getattr(request, "LANGUAGE_CODE", "") or "en").upper()


def journey_view(view: JourneyView) -> Callable[..., HttpResponse]:
    """Load the user's draft application (404 for another user's) and check the procedure's LoA (step-up
    page when too low) before the page itself."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, reference: UUID, *args: Any, **kwargs: Any) -> HttpResponse:
        application = application_get_for_user(user=request.user, reference=reference)  # type: ignore[arg-type]
        if not application.is_draft:
            return HttpResponseRedirect(reverse("procedures:application", args=[application.reference]))
        refused = loa_check(request, application.procedure.required_loa)
        if refused is not None:
            return refused
        journey = Journey(request, application)
        if journey.identity is None:
            return HttpResponseRedirect(journey.step("authenticate").url())
        return view(request, journey, *args, **kwargs)

    return wrapped


def _render(
    request: HttpRequest, journey: Journey, step: str, template: str, status: int = 200, **context: Any
) -> HttpResponse:
    position, count = journey.numbered(step)
    return render(
        request,
        template,
        {
            "journey": journey,
            "application": journey.application,
            "procedure": journey.procedure,
            "step_key": step,
            "step_position": position,
            "step_count": count,
            **context,
        },
        status=status,
    )


@login_required
def journey_next(request: HttpRequest, reference: UUID) -> HttpResponse:
    """Where the user should be now: the first step not completed."""
    application = application_get_for_user(user=request.user, reference=reference)  # type: ignore[arg-type]
    journey = Journey(request, application)
    step = journey.current_step()
    if step.key == "authenticate":
        refused = loa_check(request, application.procedure.required_loa)
        if refused is not None:
            return refused
    return HttpResponseRedirect(step.url())


# --- Step 2 -----------------------------------------------------------------------------------------------


@journey_view
def journey_locate(request: HttpRequest, journey: Journey) -> HttpResponse:
    return _render(request, journey, "locate", "journey/locate.html", next_url=journey.current_step().url())


def _picks(location: Any, data: Any) -> tuple[dict[int, OfferChoice], list[str]]:
    picks: dict[int, OfferChoice] = {}
    errors: list[str] = []
    for type_location in location.types:
        usable = [choice for choice in type_location.choices if choice.usable]
        raw = data.get(f"offer{type_location.index}")
        chosen = next((c for c in type_location.choices if str(c.index) == raw), None)
        if chosen is None and len(usable) == 1 and len(type_location.choices) == 1:
            chosen = usable[0]
        if chosen is None:
            errors.append(_("Choose the authority for “%(evidence)s”.") % {"evidence": type_location.title})
        elif chosen.loa_too_low:
            errors.append(
                _("%(provider)s needs a stronger login than yours.") % {"provider": chosen.provider_name}
            )
        elif not chosen.usable:
            errors.append(
                _("%(provider)s cannot be asked by this portal.") % {"provider": chosen.provider_name}
            )
        else:
            picks[type_location.index] = chosen
    return picks, errors


@journey_view
def journey_requirement(request: HttpRequest, journey: Journey, requirement_id: int) -> HttpResponse:
    """Step 2 for one requirement: country, alternative, the DSD's questions, the provider — or upload."""
    progress = journey.progress_for(requirement_id)
    if progress is None:
        raise Http404
    requirement = progress.requirement
    data = request.POST if request.method == "POST" else request.GET
    params = {key: data.get(key, "") for key in data}
    if not params.get("country") and request.method == "GET" and progress.country:
        params["country"] = progress.country
    location = locate(
        client=common_services_client(),
        requirement=requirement,
        params=params,
        loa=journey.loa,
        lang=_lang(request),
    )
    errors = [
        _("Your answer about “%(evidence)s” was not accepted: please choose again.") % {"evidence": title}
        for title in location.errors
    ]
    if request.method == "POST":
        if not location.ready:
            errors.append(_("Please answer the questions first."))
        else:
            picks, pick_errors = _picks(location, request.POST)
            errors += pick_errors
            if not errors:
                assert journey.identity is not None
                try:
                    created = journey_choose_oots(
                        application=journey.application,
                        requirement=requirement,
                        location=location,
                        picks=picks,
                        identity=journey.identity,
                        loa=journey.loa,
                        return_address=return_address_maker(request),
                    )
                except ApplicationNotDraft:
                    return HttpResponseRedirect(
                        reverse("procedures:application", args=[journey.application.reference])
                    )
                for exchange, nonce in created:
                    if nonce:
                        return_bind(request, nonce, exchange)
                messages.success(
                    request,
                    _("Noted: “%(requirement)s” will be requested through OOTS.")
                    % {"requirement": requirement.name},
                )
                return HttpResponseRedirect(
                    reverse("procedures:journey_locate", args=[journey.application.reference])
                )
    step_up_level = ""
    for type_location in location.types:
        for choice in type_location.choices:
            if choice.loa_too_low:
                step_up_level = choice.required_loa
    return _render(
        request,
        journey,
        "locate",
        "journey/requirement.html",
        progress=progress,
        requirement=requirement,
        location=location,
        countries=sorted(((code, str(name)) for code, name in COUNTRIES.items()), key=lambda item: item[1]),
        country_label=country_name(location.country),
        hidden=location_query(location, requirement),
        answers=_carried_answers(location, params),
        errors=errors,
        step_up_level=step_up_level,
        status=400 if errors else 200,
    )


def _carried_answers(location: Any, params: dict[str, str]) -> dict[str, str]:
    """Answers given earlier, carried in hidden fields (not those of the questions shown now)."""
    asked = (
        {question.name for question in location.pending_type.questions} if location.pending_type else set()
    )
    return {
        key: value
        for key, value in params.items()
        if value and key not in asked and (key[:1] == "j" or (key[:1] == "c" and key[1:2].isdigit()))
    }


class EvidenceUploadForm(forms.Form):
    document = UploadField(
        label=gettext_lazy("The document"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


@journey_view
def journey_upload(request: HttpRequest, journey: Journey, requirement_id: int) -> HttpResponse:
    """Step 2, the other way: the user uploads the document instead of using OOTS."""
    progress = journey.progress_for(requirement_id)
    if progress is None or not progress.requirement.allow_upload:
        raise Http404
    form = EvidenceUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            journey_choose_upload(
                application=journey.application,
                requirement=progress.requirement,
                upload=form.cleaned_data["document"],
            )
        except ApplicationNotDraft:
            return HttpResponseRedirect(
                reverse("procedures:application", args=[journey.application.reference])
            )
        messages.success(request, _("Your document was uploaded."))
        return HttpResponseRedirect(reverse("procedures:journey", args=[journey.application.reference]))
    form.fields["document"].help_text = _("Accepted: %(types)s, up to %(size)d MB.") % {
        "types": ALLOWED_TYPES_LABEL,
        "size": settings.OOTS_UPLOAD_MAX_BYTES // (1024 * 1024),
    }
    return _render(
        request,
        journey,
        "locate",
        "journey/upload.html",
        progress=progress,
        form=form,
        status=400 if form.errors else 200,
    )


# --- Step 3 -----------------------------------------------------------------------------------------------


@journey_view
def journey_request_view(request: HttpRequest, journey: Journey) -> HttpResponse:
    """Step 3: what will be requested, from whom, for what, with which personal data; the explicit request."""
    drafts = journey.draft_exchanges
    if request.method == "POST":
        if not drafts:
            return HttpResponseRedirect(reverse("procedures:journey", args=[journey.application.reference]))
        try:
            count = journey_request(application=journey.application, exchanges=drafts)
        except ApplicationNotDraft:
            return HttpResponseRedirect(
                reverse("procedures:application", args=[journey.application.reference])
            )
        messages.success(
            request,
            ngettext(
                "Your request was sent (%(count)d evidence request). You can follow it on this page.",
                "Your request was sent (%(count)d evidence requests). You can follow it on this page.",
                count,
            )
            % {"count": count},
        )
        return HttpResponseRedirect(
            reverse("procedures:journey_status", args=[journey.application.reference])
        )
    if not drafts:
        return HttpResponseRedirect(reverse("procedures:journey", args=[journey.application.reference]))
    return _render(
        request,
        journey,
        "request",
        "journey/request.html",
        drafts=drafts,
        person_data=person_data_shown(journey.identity, journey.loa),
    )


# --- Steps 4-6 --------------------------------------------------------------------------------------------


def exchange_card(exchange: EvidenceRequest) -> dict[str, Any]:
    evidences = []
    for evidence in exchange.evidences.all():
        kind = evidence_kind(evidence)
        evidences.append(
            {"evidence": evidence, "kind": kind, "rows": xml_rows(evidence) if kind == "xml" else []}
        )
    preview_ok = bool(exchange.preview_location) and preview_location_allowed(exchange.preview_location)
    return {
        "exchange": exchange,
        "explanation": error_explanation(exchange),
        "evidences": evidences,
        "preview_ok": preview_ok,
        "waiting": exchange.is_waiting,
    }


@journey_view
def journey_status(request: HttpRequest, journey: Journey) -> HttpResponse:
    status_page_seen(application=journey.application)
    rows = [
        {"progress": progress, "cards": [exchange_card(exchange) for exchange in progress.exchanges]}
        for progress in journey.progress
    ]
    return _render(
        request,
        journey,
        "status",
        "journey/status.html",
        rows=rows,
        pending=any(card["waiting"] for row in rows for card in row["cards"]),
        complete=journey.evidence_complete,
    )


# --- Step 7: the receipt --------------------------------------------------------------------------------


@login_required
def application_receipt_pdf(request: HttpRequest, reference: UUID) -> HttpResponse:
    application = application_get_for_user(user=request.user, reference=reference)  # type: ignore[arg-type]
    if application.is_draft:
        raise Http404
    journey = Journey(request, application)
    response = HttpResponse(receipt_pdf(application, journey), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{application.short_reference}.pdf"'
    return response

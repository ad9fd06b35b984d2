"""The journey's pages: one view for every step (``/applications/<ref>/step/<slug>/[<part>/]``), which loads
the user's draft, checks the procedure's level of assurance and hands the page to its step object
(``procedures.steps``); where the user should be now; the receipt PDF. The pages on one exchange (the status
poll, the preview hand-off, a retry, the evidence file) are ``procedures.evidence_views``."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.eidas.loa import loa_check
from procedures.journey import Journey
from procedures.receipt_pdf import receipt_pdf
from procedures.selectors import application_get_for_user
from procedures.steps import Flow


@login_required
def journey_step(request: HttpRequest, reference: UUID, slug: str, part: int | None = None) -> HttpResponse:
    """One step's page. A step that does not apply, or whose earlier steps are not done, sends the user to
    where they should be; a submitted application to its confirmation."""
    application = application_get_for_user(user=request.user, reference=reference)  # type: ignore[arg-type]
    if not application.is_draft:
        return HttpResponseRedirect(reverse("procedures:application", args=[application.reference]))
    refused = loa_check(request, application.procedure.required_loa)
    if refused is not None:
        return refused
    flow = Flow(Journey(request, application))
    if flow.journey.identity is None:
        return HttpResponseRedirect(flow.step("login").url())
    step = flow.step(slug)
    if slug == "login" or not step.is_applicable() or not step.prerequisites_met():
        return HttpResponseRedirect(flow.current().url())
    return step.dispatch(request, part)


@login_required
def journey_next(request: HttpRequest, reference: UUID) -> HttpResponse:
    """Where the user should be now: the first step not done."""
    application = application_get_for_user(user=request.user, reference=reference)  # type: ignore[arg-type]
    if not application.is_draft:
        return HttpResponseRedirect(reverse("procedures:application", args=[application.reference]))
    flow = Flow(Journey(request, application))
    step = flow.current()
    if step.slug == "login":
        refused = loa_check(request, application.procedure.required_loa)
        if refused is not None:
            return refused
    return HttpResponseRedirect(step.url())


@login_required
def application_receipt_pdf(request: HttpRequest, reference: UUID) -> HttpResponse:
    application = application_get_for_user(user=request.user, reference=reference)  # type: ignore[arg-type]
    if application.is_draft:
        raise Http404
    journey = Journey(request, application)
    response = HttpResponse(receipt_pdf(application, journey), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{application.short_reference}.pdf"'
    return response

"""The citizen's views on the exchanges of their application: the status as JSON (for the live status page),
the hand-off to a provider's preview and the way back, a retry, and the evidence files. Thin: ownership
through ``procedures.selectors`` (another user's exchange is a 404), writes through services.

Their addresses predate the move from ``exchanges``: they are kept (a return address travels in requests
already sent, and the status page's script polls the JSON)."""

from __future__ import annotations

import contextlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.eidas.loa import loa_check, session_loa
from accounts.models import EidasIdentity
from exchanges.locations import preview_location_allowed
from exchanges.models import WAITING_STATES, ExchangeState
from exchanges.services import RetryLimitReached, TransitionRefused, evidence_request_after_preview
from oots_client.edm import get_version
from procedures.downloads import file_response, framable_by_portal
from procedures.journey_services import journey_retry
from procedures.notify import status_page_seen
from procedures.preview_return import return_address_for, return_address_maker, return_bind, return_redeem
from procedures.selectors import (
    application_get_for_user,
    evidence_get_for_user,
    evidence_request_get_for_user,
    evidence_requests_for_application,
)
from procedures.services import ApplicationNotDraft


def _status_url(exchange) -> str:  # type: ignore[no-untyped-def]
    return reverse("procedures:journey_step", args=[exchange.application.reference, "receive"])


@never_cache
@login_required
@require_GET
def status_json(request: HttpRequest, reference: UUID) -> JsonResponse:
    """Each exchange's state, for the status page's poll; ``pending``: an answer is still awaited."""
    application = application_get_for_user(user=request.user, reference=reference)  # type: ignore[arg-type]
    status_page_seen(application=application)  # what ends while the page polls is not emailed
    rows = [
        {
            "id": str(exchange.public_id),
            "state": exchange.state,
            "label": str(exchange.get_state_display()),
            "evidence": exchange.evidence_type_title,
        }
        for exchange in evidence_requests_for_application(application=application)
    ]
    return JsonResponse(
        {
            "exchanges": rows,
            "pending": any(row["state"] in WAITING_STATES for row in rows),
            "fingerprint": ",".join(f"{row['id']}:{row['state']}" for row in rows),
        }
    )


@login_required
@require_POST
def preview_start(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Send the browser to the provider's preview, with the portal's return address bound to this exchange
    and this session (single use)."""
    exchange = evidence_request_get_for_user(user=request.user, public_id=public_id)  # type: ignore[arg-type]
    location = exchange.preview_location
    if exchange.state != ExchangeState.PREVIEW_REQUIRED or not location:
        messages.info(request, _("This evidence no longer needs a preview."))
        return HttpResponseRedirect(_status_url(exchange))
    if not preview_location_allowed(location):
        messages.error(
            request, _("The authority's preview address is not secure; the portal will not open it.")
        )
        return HttpResponseRedirect(_status_url(exchange))
    if get_version(exchange.edm_version).return_location_slot:
        # The return address went with the request (ReturnLocation) and is already bound to this session.
        target = location
    else:
        parts = urlsplit(location)
        query = [
            *parse_qsl(parts.query, keep_blank_values=True),
            ("returnurl", return_address_for(request, exchange)),
        ]
        target = urlunsplit(parts._replace(query=urlencode(query)))
    if exchange.preview_method == "POST":
        parts = urlsplit(target)
        return render(
            request,
            "journey/preview_post.html",
            {
                "action": urlunsplit(parts._replace(query="")),
                "fields": parse_qsl(parts.query, keep_blank_values=True),
            },
        )
    return HttpResponseRedirect(target)


@never_cache
@login_required
@require_GET
def preview_return(request: HttpRequest, token: str) -> HttpResponse:
    """The user is back from the preview: check the session and the token, use it up, send the second request.
    Only ever redirects to the portal's own status page."""
    public_id = return_redeem(request, token)
    if public_id is None:
        return render(request, "journey/return_refused.html", status=400)
    exchange = evidence_request_get_for_user(user=request.user, public_id=public_id)  # type: ignore[arg-type]
    if exchange.state == ExchangeState.PREVIEW_REQUIRED:
        with contextlib.suppress(TransitionRefused):
            evidence_request_after_preview(evidence_request=exchange)
    return HttpResponseRedirect(_status_url(exchange))


@login_required
@require_POST
def exchange_retry(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Ask the same provider again: a new exchange."""
    exchange = evidence_request_get_for_user(user=request.user, public_id=public_id)  # type: ignore[arg-type]
    refused = loa_check(request, exchange.required_loa) if exchange.required_loa else None
    if refused is not None:  # the login asking again must reach what the provider requires
        return refused
    try:
        fresh, nonce = journey_retry(
            application=exchange.application,
            exchange=exchange,
            return_address=return_address_maker(request),
            identity=EidasIdentity.objects.filter(user=exchange.application.user).first(),
            loa=session_loa(request),  # the level of the login the user asks again in
        )
    except RetryLimitReached:
        messages.error(
            request, _("This evidence was requested again too often in the last hour. Please try later.")
        )
        return HttpResponseRedirect(_status_url(exchange))
    except (TransitionRefused, ApplicationNotDraft):
        messages.error(request, _("This request cannot be repeated."))
        return HttpResponseRedirect(_status_url(exchange))
    if nonce:
        return_bind(request, nonce, fresh)
    messages.success(request, _("The evidence was requested again."))
    return HttpResponseRedirect(_status_url(exchange))


@framable_by_portal  # the status page shows a PDF in a frame; every other page stays DENY
@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """The evidence file, shown inline when the browser can display it safely, else downloaded."""
    evidence = evidence_get_for_user(user=request.user, pk=pk)  # type: ignore[arg-type]
    if not evidence.file:
        raise Http404
    return file_response(
        evidence.file.open("rb"),
        name=f"evidence-{evidence.pk}",
        declared_type=evidence.media_type,
        inline=request.GET.get("download") != "1",
    )

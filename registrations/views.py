"""The back-office API (polled with a token per authority) and the signed file links of the webhook and the
API. JSON in, JSON out; no session, no cookie, so no CSRF token: a request is authenticated by its bearer
token or its link's signature only."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from procedures.downloads import file_response
from registrations.document import application_document, application_files
from registrations.models import ApiToken, Delivery
from registrations.selectors import api_deliveries_waiting, api_delivery_get, api_token_for, delivery_for_link
from registrations.senders import file_link
from registrations.services import api_token_used, delivery_acknowledge
from registrations.signatures import file_link_open

API_PAGE_SIZE = 100


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def token_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @csrf_exempt
    @never_cache
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scheme, _space, raw = request.headers.get("Authorization", "").partition(" ")
        token = api_token_for(raw.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            response = JsonResponse({"error": "a valid bearer token is required"}, status=401)
            response["WWW-Authenticate"] = 'Bearer realm="oots-backoffice"'
            return response
        api_token_used(token=token)
        return _no_store(view(request, token, *args, **kwargs))

    return wrapped


def _summary(delivery: Delivery, request: HttpRequest) -> dict[str, object]:
    application = delivery.application
    return {
        "reference": str(application.reference),
        "procedure": application.procedure.code,
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else None,
        "state": delivery.state,
        "url": request.build_absolute_uri(reverse("registrations:api_detail", args=[application.reference])),
    }


@require_GET
@token_required
def api_list(request: HttpRequest, token: ApiToken) -> HttpResponse:
    """The applications waiting for the back office, oldest first, at most a page; acknowledge them to see
    the next ones."""
    waiting = api_deliveries_waiting(token=token, limit=API_PAGE_SIZE)
    return JsonResponse({"applications": [_summary(d, request) for d in waiting]})


@require_GET
@token_required
def api_detail(request: HttpRequest, token: ApiToken, reference: UUID) -> HttpResponse:
    delivery = api_delivery_get(token=token, reference=reference)
    files = application_files(delivery.application)
    document = application_document(delivery.application, files, link=lambda item: file_link(delivery, item))
    acknowledge = reverse("registrations:api_acknowledge", args=[delivery.application.reference])
    document["delivery"] = {
        "state": delivery.state,
        "acknowledge_url": request.build_absolute_uri(acknowledge),
    }
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


@require_POST
@token_required
def api_acknowledge(request: HttpRequest, token: ApiToken, reference: UUID) -> HttpResponse:
    delivery = delivery_acknowledge(delivery=api_delivery_get(token=token, reference=reference))
    return JsonResponse(
        {
            "reference": str(delivery.application.reference),
            "state": delivery.state,
            "acknowledged_at": delivery.delivered_at.isoformat() if delivery.delivered_at else None,
        }
    )


@never_cache
@require_GET
def signed_file(request: HttpRequest, token: str) -> HttpResponse:
    """One file of an application, for whoever holds a link signed here less than
    ``OOTS_BACKOFFICE_LINK_SECONDS`` ago; 404 for a forged, altered or expired link."""
    opened = file_link_open(token)
    if opened is None:
        raise Http404
    delivery_id, file_ref = opened
    delivery = delivery_for_link(delivery_id=delivery_id)
    item = next((f for f in application_files(delivery.application) if f.ref == file_ref), None)
    if item is None:
        raise Http404
    return file_response(item.open(), name=item.name, declared_type=item.content_type)

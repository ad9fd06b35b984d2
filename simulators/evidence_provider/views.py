"""HTTP face of the Evidence Provider simulator.

``/sim/ep/preview/<token>/`` — the preview space (DIGEST §7 step 5): the user sees the evidence, accepts or
refuses, and is sent back to the portal's return address (``?returnurl=`` for EDM 1.x, the request's
``ReturnLocation`` for 2.0). ``/sim/ep/preview/<token>/document`` — the evidence file itself.
``/sim/ep/control/scenarios`` — testers' scenario overrides (JSON); see docs/simulators.md.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from simulators.access_point.auth import control_allowed, unauthorised
from simulators.evidence_provider import services
from simulators.evidence_provider.models import Decision, PreviewSession, ScenarioOverride
from simulators.evidence_provider.scenarios import parse_scenario


def _is_portal_return_address(request: HttpRequest, candidate: str) -> bool:
    """A real provider sends users back only to the requester's registered return addresses; the simulator
    to the portal's own preview return view, on the portal's host (or its own, when the portal serves it)."""
    parts = urlsplit(candidate)
    if parts.scheme not in {"https", "http"} or parts.username or parts.password:
        return False
    if parts.netloc not in {request.get_host(), urlsplit(settings.OOTS_PUBLIC_BASE_URL).netloc}:
        return False
    try:
        match = resolve(parts.path)
    except Resolver404:
        return False
    return match.url_name == "preview_return"


def _return_address(request: HttpRequest, session: PreviewSession, given: str) -> str | None:
    """Where to send the user back: the 2.0 ReturnLocation, else the 1.x ``returnurl``; the portal's only."""
    for candidate in (session.return_location, given):
        if candidate and _is_portal_return_address(request, candidate):
            return candidate
    return None


def _session(token: str) -> PreviewSession:
    session = PreviewSession.objects.select_related("first_request").filter(token=token).first()
    if session is None:
        raise Http404("unknown preview")
    return session


@csrf_exempt  # the arrival by POST comes from the portal's page; the decision form is protected below
@require_http_methods(["GET", "POST"])
def preview(request: HttpRequest, token: str) -> HttpResponse:
    """The preview space. A POST that is not one of this page's own forms (no decision, and not their CSRF
    token) is the user's arrival when the provider asked for ``PreviewMethod`` POST (R-EDM-ERR-C021): the
    portal's page posts the hand-off's parameters here."""
    own_form = "decision" in request.POST or "csrfmiddlewaretoken" in request.POST
    if request.method == "POST" and not own_form:
        return _preview_page(request, _session(token), token, request.POST.get("returnurl", ""))
    return _preview_decided(request, token)


@csrf_protect
def _preview_decided(request: HttpRequest, token: str) -> HttpResponse:
    session = _session(token)
    if request.method == "POST":
        return_url = _return_address(request, session, request.POST.get("returnurl", ""))
        choice = request.POST.get("decision")
        if session.decision == Decision.PENDING and choice in ("accept", "refuse"):
            session = services.preview_decide(token=token, accept=choice == "accept") or session
        if return_url is not None:
            return HttpResponseRedirect(return_url)
        return render(request, "sim_ep/preview_done.html", {"session": session}, status=200)
    return _preview_page(request, session, token, request.GET.get("returnurl", ""))


def _preview_page(request: HttpRequest, session: PreviewSession, token: str, returnurl: str) -> HttpResponse:
    return_url = _return_address(request, session, returnurl)
    mime_type, data, title = services.preview_evidence(session)
    context = {
        "session": session,
        "token": token,
        "title": title,
        "mime_type": mime_type,
        "xml_text": data.decode("utf-8", errors="replace") if mime_type == "application/xml" else None,
        "return_url": return_url,
        "returnurl_param": returnurl,
        "decided": session.decision != Decision.PENDING,
    }
    return render(request, "sim_ep/preview.html", context)


@require_GET
def preview_document(request: HttpRequest, token: str) -> HttpResponse:
    mime_type, data, _title = services.preview_evidence(_session(token))
    response = HttpResponse(data, content_type=mime_type)
    extension = {"application/pdf": "pdf", "application/xml": "xml"}.get(mime_type, "bin")
    response["Content-Disposition"] = f'inline; filename="evidence.{extension}"'
    return response


def _override_json(override: ScenarioOverride) -> dict[str, Any]:
    return {
        "id": override.pk,
        "scenario": override.scenario,
        "conversation_id": override.conversation_id or None,
        "person": override.person or None,
        "uses": override.uses,
        "created_at": override.created_at.isoformat(),
    }


@csrf_exempt
@require_http_methods(["GET", "POST", "DELETE"])
def scenario_overrides(request: HttpRequest) -> HttpResponse:
    """GET: scenarios and overrides; POST: add one (JSON); DELETE: remove them all."""
    if not control_allowed(request):
        return unauthorised()
    if request.method == "DELETE":
        return JsonResponse({"deleted": services.overrides_clear()})
    if request.method == "POST":
        try:
            body = json.loads(request.body or b"{}")
        except json.JSONDecodeError as exc:
            return JsonResponse({"error": f"not JSON: {exc}"}, status=400)
        if not isinstance(body, dict):
            return JsonResponse({"error": "expected a JSON object"}, status=400)
        scenario = parse_scenario(str(body.get("scenario", "")))
        if scenario is None:
            return JsonResponse(
                {"error": "unknown scenario", "scenarios": services.scenario_names()}, status=400
            )
        uses = body.get("uses", 1)
        if uses is not None and (not isinstance(uses, int) or isinstance(uses, bool) or uses < 1):
            return JsonResponse({"error": "uses is a positive integer or null (until deleted)"}, status=400)
        texts = {name: body.get(name) or "" for name in ("conversation_id", "person")}
        if not all(isinstance(value, str) for value in texts.values()):
            return JsonResponse({"error": "conversation_id and person are strings"}, status=400)
        override = services.override_create(scenario=scenario, uses=uses, **texts)
        return JsonResponse(_override_json(override), status=201)
    return JsonResponse(
        {
            "scenarios": services.scenario_names(),
            "overrides": [_override_json(o) for o in ScenarioOverride.objects.all()],
        }
    )

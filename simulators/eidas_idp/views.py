"""The test IdP's pages: metadata, the SSO endpoint (HTTP-POST and HTTP-Redirect), and the tester's login
page."""

from __future__ import annotations

import dataclasses

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from simulators.eidas_idp import idp
from simulators.eidas_idp.personas import PERSONAS

_SESSION_KEY = "sim_eidas_idp_pending"


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    return HttpResponse(idp.metadata_xml(request), content_type="application/samlmetadata+xml")


@csrf_exempt  # the SP's page posts here from another site, as the HTTP-POST binding does
@require_http_methods(["GET", "POST"])
def sso(request: HttpRequest) -> HttpResponse:
    try:
        if request.method == "GET":  # HTTP-Redirect: the signature is in the query string
            pending = idp.authn_request_accept(
                request,
                request.GET.get("SAMLRequest", ""),
                request.GET.get("RelayState", ""),
                binding=idp.BINDING_HTTP_REDIRECT,
                query_string=request.META.get("QUERY_STRING", ""),
            )
        else:
            pending = idp.authn_request_accept(
                request, request.POST.get("SAMLRequest", ""), request.POST.get("RelayState", "")
            )
    except idp.IdpError as exc:
        return render(request, "sim_eidas/error.html", {"message": str(exc)}, status=400)
    request.session[_SESSION_KEY] = dataclasses.asdict(pending)
    return _login_page(request, pending)


def _login_page(
    request: HttpRequest, pending: idp.PendingRequest, error: str = "", status: int = 200
) -> HttpResponse:
    return render(
        request,
        "sim_eidas/login.html",
        {
            "pending": pending,
            "personas": PERSONAS.values(),
            "levels": list(idp.LOA_URIS),
            "error": error,
        },
        status=status,
    )


@require_POST
def authenticate(request: HttpRequest) -> HttpResponse:
    stored = request.session.get(_SESSION_KEY)
    if not stored:
        return render(
            request,
            "sim_eidas/error.html",
            {"message": _("No login is pending: start again from the portal.")},
            status=400,
        )
    pending = idp.PendingRequest(**stored)
    try:
        if "cancel" in request.POST:
            saml_response = idp.error_response_build(request, pending)
        else:
            persona = PERSONAS.get(request.POST.get("persona", ""))
            loa = request.POST.get("loa", "")
            if persona is None or loa not in idp.LOA_URIS:
                return _login_page(
                    request, pending, error=_("Choose a test person and a level of assurance."), status=400
                )
            saml_response = idp.response_build(
                request,
                pending,
                persona=persona,
                loa=idp.loa_reached(persona, loa),
                encrypt=request.POST.get("encrypt") == "1",
            )
    except idp.IdpError as exc:
        return render(request, "sim_eidas/error.html", {"message": str(exc)}, status=400)
    del request.session[_SESSION_KEY]
    return render(
        request,
        "sim_eidas/post_response.html",
        {"action": pending.acs_url, "saml_response": saml_response, "relay_state": pending.relay_state},
    )

"""The eIDAS SP's endpoints (allauth's paths, organisation slug ``eidas``). Thin: the work is in
``acs``, ``pending``, ``authn_request``, ``metadata`` and ``accounts.services``."""

from __future__ import annotations

import logging

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.helpers import complete_social_login
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from accounts.eidas import config
from accounts.eidas.acs import acs_admit, acs_process, login_start_limit, session_keep_no_identifier
from accounts.eidas.errors import EidasLoginError
from accounts.eidas.loa import SESSION_LOA_KEY
from accounts.eidas.metadata import sp_metadata_build
from accounts.eidas.pending import pending_cookie_delete, pending_cookie_set
from accounts.eidas.provider import EidasProvider
from accounts.ratelimit import rate_limit_exceeded
from accounts.services import eidas_identity_record

logger = logging.getLogger(__name__)


def _provider(request: HttpRequest, organization_slug: str) -> EidasProvider:
    if organization_slug != config.ORGANIZATION_SLUG:
        raise Http404
    try:
        provider = get_adapter().get_provider(request, "saml", client_id=organization_slug)
    except SocialApp.DoesNotExist as exc:
        raise Http404("the eIDAS login is not configured") from exc
    if not isinstance(provider, EidasProvider):
        raise ImproperlyConfigured("SOCIALACCOUNT_PROVIDERS['saml']['provider_class'] must be EidasProvider")
    return provider


def login_error_response(request: HttpRequest, error: EidasLoginError) -> HttpResponse:
    """The one page every refused login ends on: what happened, what to do, a reference code."""
    logger.warning("eIDAS login refused: %s", error)
    return render(
        request,
        "accounts/eidas_error.html",
        {"error": error, "retry_url": reverse("saml_login", args=[config.ORGANIZATION_SLUG])},
        status=error.http_status,
    )


@login_not_required
@csrf_protect
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """POST (with CSRF) starts the login; a GET shows the login page, so that no third-party page
    can start a login in the user's browser (login CSRF)."""
    provider = _provider(request, organization_slug)
    if request.method != "POST":
        query = urlencode({"next": request.GET["next"]}) if request.GET.get("next") else ""
        return HttpResponseRedirect(reverse("accounts:login") + (f"?{query}" if query else ""))
    if rate_limit_exceeded(request, login_start_limit()):
        # Refused before allauth stashes the request: a start is what creates a session row.
        return login_error_response(request, EidasLoginError("rate_limited", "login starts"))
    try:
        response = provider.redirect_from_request(request)
    except EidasLoginError as error:
        return login_error_response(request, error)
    pending_cookie_set(request, response)
    return response


@csrf_exempt  # the eID node posts cross-site; the request it answers is checked instead (acs_admit)
@login_not_required
@require_POST
def acs(request: HttpRequest, organization_slug: str) -> HttpResponse:
    """The assertion consumer: admit the post (size, a request of this browser pending), then log in.

    Nothing is stored for a refused post: no session row, no cache entry.
    """
    provider = _provider(request, organization_slug)
    try:
        acs_admit(request)
        accepted = acs_process(request=request, provider=provider)
    except EidasLoginError as error:
        return login_error_response(request, error)
    response = complete_social_login(request, accepted.sociallogin)
    if request.user.is_authenticated and request.user.pk == accepted.sociallogin.user.pk:
        eidas_identity_record(user=request.user, identity=accepted.identity, loa=accepted.loa)
        request.session[SESSION_LOA_KEY] = accepted.loa
        session_keep_no_identifier(request)
        pending_cookie_delete(response)
    return response


@login_not_required
@require_http_methods(["GET"])
def metadata(request: HttpRequest, organization_slug: str) -> HttpResponse:
    _provider(request, organization_slug)
    try:
        saml_settings = OneLogin_Saml2_Settings(
            config.saml_settings_dict(request, with_idp=False), sp_validation_only=True
        )
    except EidasLoginError as error:
        return login_error_response(request, error)
    xml = sp_metadata_build(
        saml_settings, sp_type=settings.EIDAS_SP_TYPE, valid_hours=settings.EIDAS_METADATA_VALIDITY_HOURS
    )
    return HttpResponse(xml, content_type="application/samlmetadata+xml")

"""Our subclass of allauth's SAML provider (installed through ``SOCIALACCOUNT_PROVIDERS["saml"]
["provider_class"]``): the login sends an eIDAS AuthnRequest over HTTP-POST or HTTP-Redirect
(``EIDAS_AUTHN_REQUEST_BINDING``), and the account is keyed by the eIDAS identifier rather than a generic
SAML attribute."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.providers.saml.provider import SAMLProvider
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from onelogin.saml2.auth import OneLogin_Saml2_Auth

from accounts.eidas import config
from accounts.eidas.attributes import identity_from_attributes
from accounts.eidas.authn_request import authn_request_build
from accounts.eidas.loa import loa_is_valid


class EidasProvider(SAMLProvider):
    name = "eIDAS"

    def get_redirect_from_request_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_redirect_from_request_kwargs(request)
        requested = request.POST.get("loa") or request.GET.get("loa") or ""
        kwargs["loa"] = requested if loa_is_valid(requested) else settings.EIDAS_DEFAULT_LOA
        return kwargs

    def redirect(
        self,
        request: HttpRequest,
        process: str,
        next_url: str | None = None,
        data: Any = None,
        **kwargs: Any,
    ) -> HttpResponse:
        loa = kwargs.pop("loa", None) or settings.EIDAS_DEFAULT_LOA
        authn_request = authn_request_build(
            config.saml_settings(request, loa=loa),
            sp_type=settings.EIDAS_SP_TYPE,
            attributes=config.requested_attributes(),
            provider_name=settings.OOTS_REQUESTER_NAME,
            signing_key=config.sp_signing_key(),
            binding=config.authn_request_binding(),
        )
        # The request id is the state id: the response's InResponseTo finds this state again
        # (and only in this browser's session), together with the LoA that was asked for.
        self.stash_redirect_state(
            request, process, next_url, data, state_id=authn_request.id, loa=loa, **kwargs
        )
        if authn_request.redirect_url:
            return HttpResponseRedirect(authn_request.redirect_url)
        return render(
            request,
            "accounts/saml_post.html",
            {"action": authn_request.destination, "saml_request": authn_request.encoded},
        )

    def extract_uid(self, data: OneLogin_Saml2_Auth) -> str:
        # The eIDAS identifier is unique and persistent per person and per SP country; the
        # NameID may be transient.
        return identity_from_attributes(data.get_attributes(), required=[]).uid

    def extract_common_fields(self, data: OneLogin_Saml2_Auth) -> dict[str, Any]:
        identity = identity_from_attributes(data.get_attributes(), required=[])
        return {
            "first_name": identity.given_name[:150],
            "last_name": (identity.family_name or identity.legal_name)[:150],
        }


provider_classes = [EidasProvider]

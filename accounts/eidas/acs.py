"""The assertion consumer: from a posted response to an allauth ``SocialLogin``, or a refusal.

Order matters: the signature and conditions first (nothing in an unverified document is
believed), then the request it answers, the replay cache, the LoA and the attributes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.eidas import config
from accounts.eidas.attributes import EidasAttributes, identity_from_attributes
from accounts.eidas.errors import EidasLoginError
from accounts.eidas.loa import loa_satisfies
from accounts.eidas.provider import EidasProvider
from accounts.eidas.replay import assertion_id_consume
from accounts.eidas.response import response_validate

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AcceptedLogin:
    sociallogin: SocialLogin
    identity: EidasAttributes
    loa: str


def acs_process(*, request: HttpRequest, acs_request: HttpRequest, provider: EidasProvider) -> AcceptedLogin:
    """``request`` is the browser's (its session holds the stashed AuthnRequests);
    ``acs_request`` is the POST the IdP made to the ACS, replayed by allauth's ACS view."""
    valid = response_validate(config.saml_settings(acs_request), config.request_data(acs_request))
    if not valid.in_response_to:
        # allauth rejects IdP-initiated SSO too; refused here first so that nothing else is done.
        raise EidasLoginError("unsolicited", f"no InResponseTo in a response from {valid.issuer}")
    assertion_id_consume(
        issuer=valid.issuer, assertion_id=valid.assertion_id, not_on_or_after=valid.not_on_or_after
    )
    try:
        state = provider.unstash_redirect_state(request, valid.in_response_to)
    except PermissionDenied as exc:
        raise EidasLoginError(
            "unknown_request", f"InResponseTo {valid.in_response_to} not sent by this session"
        ) from exc
    requested_loa = state.get("loa") or settings.EIDAS_DEFAULT_LOA
    if not loa_satisfies(valid.loa, requested_loa):
        raise EidasLoginError("loa_too_low", f"requested {requested_loa}, obtained {valid.loa}")
    assert valid.loa is not None  # loa_satisfies is false for None
    identity = identity_from_attributes(valid.attributes, required=config.requested_attributes())
    sociallogin = provider.sociallogin_from_response(request, valid.auth)
    sociallogin.state = state
    return AcceptedLogin(sociallogin=sociallogin, identity=identity, loa=valid.loa)

"""The assertion consumer: from a posted response to an allauth ``SocialLogin``, or a refusal.

Order matters. ``acs_admit`` first, before anything is stored: the size (from the request's length,
before the body is read), then whether this browser has a login pending that the response says it
answers, then the per-address rate limit. Then ``acs_process``: the signature and conditions (nothing
in an unverified document is believed), the request it answers, the replay cache, the LoA and the
attributes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts.eidas import config
from accounts.eidas.attributes import EidasAttributes, identity_from_attributes
from accounts.eidas.errors import EidasLoginError
from accounts.eidas.loa import loa_satisfies
from accounts.eidas.pending import pending_request_ids
from accounts.eidas.provider import EidasProvider
from accounts.eidas.replay import assertion_id_consume
from accounts.eidas.response import MAX_RESPONSE_BYTES, response_in_response_to, response_validate
from accounts.ratelimit import RateLimit, rate_limit_exceeded

logger = logging.getLogger(__name__)

# The whole POST: the response, a RelayState and the form encoding's overhead.
MAX_ACS_BODY_BYTES = MAX_RESPONSE_BYTES + 16 * 1024


def login_start_limit() -> RateLimit:
    return RateLimit("eidas-login", settings.OOTS_LOGIN_RATE_LIMIT, settings.OOTS_LOGIN_RATE_WINDOW_SECONDS)


def _acs_limit() -> RateLimit:
    return RateLimit("eidas-acs", settings.OOTS_LOGIN_RATE_LIMIT, settings.OOTS_LOGIN_RATE_WINDOW_SECONDS)


def acs_admit(request: HttpRequest) -> None:
    """Refuse, before anything is stored, a post this portal has no reason to process.

    ``request.session`` is the session of the browser that started the login (``accounts.eidas.pending``):
    it is only read here, so a refused post leaves no session row and no cache entry behind.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = MAX_ACS_BODY_BYTES + 1
    if length > MAX_ACS_BODY_BYTES:
        raise EidasLoginError("too_large", f"POST of {length} bytes to the ACS")
    pending = pending_request_ids(request)
    if not pending:
        raise EidasLoginError("unsolicited", "no login pending in this browser")
    in_response_to = response_in_response_to(request.POST.get("SAMLResponse") or "")
    if in_response_to is None:
        raise EidasLoginError("unsolicited", "a response without InResponseTo")
    if in_response_to not in pending:
        raise EidasLoginError("unknown_request", f"InResponseTo {in_response_to[:80]} not pending here")
    if rate_limit_exceeded(request, _acs_limit()):
        raise EidasLoginError("rate_limited", "ACS posts")


def session_keep_no_identifier(request: HttpRequest) -> None:
    """allauth records the account's uid (here the eIDAS identifier, often a national number) in the
    session with each login; the portal keeps no personal data in sessions, so it is dropped."""
    records = request.session.get(AUTHENTICATION_METHODS_SESSION_KEY)
    if isinstance(records, list) and any(isinstance(r, dict) and "uid" in r for r in records):
        request.session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {k: v for k, v in record.items() if k != "uid"} if isinstance(record, dict) else record
            for record in records
        ]


@dataclass(frozen=True)
class AcceptedLogin:
    sociallogin: SocialLogin
    identity: EidasAttributes
    loa: str


def acs_process(*, request: HttpRequest, provider: EidasProvider) -> AcceptedLogin:
    """``request`` is the IdP's POST, with the session of the browser that sent the AuthnRequest."""
    valid = response_validate(config.saml_settings(request), config.request_data(request))
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

"""Which browser is waiting for which eIDAS answer, known at the ACS before anything is stored.

The IdP posts its response cross-site, so the browser withholds its session cookie (``SameSite=Lax``).
Rather than park what anyone posts until the browser comes back with its cookie (allauth's way, which
wrote every post, personal data included, to a session row), the login start gives the browser a second
cookie, sent only to the ACS path and ``SameSite=None`` over HTTPS, that names its session (signed, and
valid as long as allauth keeps the request's state). The ACS then reads the very session that sent the
AuthnRequest, refuses a post that answers nothing pending there, and completes the login in the same
request: no response is ever stored, and an abandoned login leaves only the request's state behind.

``AcsSessionMiddleware`` (before ``SessionMiddleware``) does the reading; the login view sets the cookie.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from allauth.socialaccount.internal import statekit
from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from accounts.eidas import config

COOKIE_NAME = "oots_eidas_login"
_SALT = "accounts.eidas.pending-login"
# allauth forgets a stashed request after this long: the cookie need not outlive it.
LIFETIME_SECONDS = statekit.STATE_TTL


def acs_path() -> str:
    return reverse("saml_acs", args=[config.ORGANIZATION_SLUG])


def pending_cookie_set(request: HttpRequest, response: HttpResponse) -> None:
    """After the login start stashed its request in the session: name that session for the ACS."""
    session_key = request.session.session_key
    if not session_key:
        return
    secure = bool(settings.SESSION_COOKIE_SECURE)
    response.set_cookie(
        COOKIE_NAME,
        signing.dumps(session_key, salt=_SALT),
        max_age=LIFETIME_SECONDS,
        path=acs_path(),
        secure=secure,
        httponly=True,
        # Sent on the node's cross-site POST; browsers only accept SameSite=None on a Secure cookie,
        # so over plain HTTP (the demo, whose test IdP is on the same site) Lax does the same job.
        samesite="None" if secure else "Lax",
    )


def pending_cookie_delete(response: HttpResponse) -> None:
    response.delete_cookie(
        COOKIE_NAME, path=acs_path(), samesite="None" if settings.SESSION_COOKIE_SECURE else "Lax"
    )


def pending_session_key(request: HttpRequest) -> str | None:
    value = request.COOKIES.get(COOKIE_NAME)
    if not value:
        return None
    try:
        key = signing.loads(value, salt=_SALT, max_age=LIFETIME_SECONDS)
    except signing.BadSignature:
        return None
    return key if isinstance(key, str) else None


def pending_request_ids(request: HttpRequest) -> set[str]:
    """The AuthnRequest ids this browser's session is still waiting for (read only: nothing is written)."""
    now = time.time()
    return {
        state_id
        for state_id, stashed in statekit.get_states(request).items()
        if len(stashed) == 3 and now - stashed[1] <= LIFETIME_SECONDS
    }


class AcsSessionMiddleware:
    """On a POST to the ACS without the session cookie, use the session the pending-login cookie names."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            request.method == "POST"
            and COOKIE_NAME in request.COOKIES
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and request.path == acs_path()
        ):
            session_key = pending_session_key(request)
            if session_key:
                request.COOKIES[settings.SESSION_COOKIE_NAME] = session_key
        return self.get_response(request)

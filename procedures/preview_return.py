"""The portal's return address for a provider's preview (DIGEST §7 steps 3 and 5, §10).

Bound to one exchange and to the user's session, and good for one use: the address carries a signed nonce;
the session maps that nonce to the exchange. Another browser (no such nonce in its session), a second use (the
nonce is gone) or an altered address (the signature fails) is refused, and the return view only ever
redirects inside the portal.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from django.core import signing
from django.http import HttpRequest
from django.urls import reverse

from exchanges.models import EvidenceRequest

SESSION_KEY = "oots_preview_returns"
# Kept from when this module lived in ``exchanges``: return addresses already sent stay valid.
_SALT = "exchanges.preview-return"
_MAX_AGE_SECONDS = 24 * 60 * 60
_KEEP = 50  # nonces kept per session; older ones are forgotten


def return_address_maker(request: HttpRequest) -> Callable[[], tuple[str, str]]:
    """A function giving a fresh (nonce, absolute return URL); bind the nonce with :func:`return_bind`."""

    def make() -> tuple[str, str]:
        nonce = secrets.token_urlsafe(18)
        token = signing.dumps(nonce, salt=_SALT)
        return nonce, request.build_absolute_uri(reverse("procedures:preview_return", args=[token]))

    return make


def return_bind(request: HttpRequest, nonce: str, exchange: EvidenceRequest) -> None:
    pending = dict(request.session.get(SESSION_KEY) or {})
    pending[nonce] = str(exchange.public_id)
    request.session[SESSION_KEY] = dict(list(pending.items())[-_KEEP:])


def return_address_for(request: HttpRequest, exchange: EvidenceRequest) -> str:
    nonce, url = return_address_maker(request)()
    return_bind(request, nonce, exchange)
    return url


def return_redeem(request: HttpRequest, token: str) -> str | None:
    """The public id of the exchange this token was made for, once; None when refused."""
    try:
        nonce = signing.loads(token, salt=_SALT, max_age=_MAX_AGE_SECONDS)
    except signing.BadSignature:
        return None
    pending = dict(request.session.get(SESSION_KEY) or {})
    public_id = pending.pop(nonce, None) if isinstance(nonce, str) else None
    if public_id is None:
        return None
    request.session[SESSION_KEY] = pending
    return str(public_id)

"""The address a request came from, as the portal's rate limits and admin lockouts count it.

One definition for every per-address bound (``accounts.ratelimit``, django-axes through
``AXES_CLIENT_IP_CALLABLE``). Behind reverse proxies (``OOTS_TRUSTED_PROXY_COUNT``), the client is the
entry that the outermost trusted proxy appended to ``X-Forwarded-For``: entries further left are
whatever the client chose to send and are never believed. An IPv6 client is counted by its /64, the
block one subscriber gets (as that block's first address, a valid address for axes' database column), so that
rotating addresses inside it does not reset the count.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _normalised(raw: str) -> str | None:
    candidate = raw.strip()
    if candidate.startswith("[") and "]" in candidate:  # "[2001:db8::1]:443"
        candidate = candidate[1 : candidate.index("]")]
    elif candidate.count(":") == 1:  # "192.0.2.1:443"
        candidate = candidate.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(candidate)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False).network_address)
    return str(address)


def client_address(request: HttpRequest) -> str | None:
    """The client's address (an IPv6 client's /64), or None when none can be read (a request made in
    process, e.g. by a test client's ``force_login``)."""
    proxies = int(getattr(settings, "OOTS_TRUSTED_PROXY_COUNT", 0))
    if proxies > 0:
        forwarded = [
            entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()
        ]
        if len(forwarded) >= proxies:
            found = _normalised(forwarded[-proxies])
            if found is not None:
                return found
    return _normalised(request.META.get("REMOTE_ADDR", ""))

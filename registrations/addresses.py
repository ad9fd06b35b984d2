"""Where a webhook may post: https only; plain http to the machine itself only when
``OOTS_BACKOFFICE_ALLOW_LOOPBACK_HTTP`` is on (development and tests; ``portal.checks`` refuses it with
``DEBUG`` off). Citizens' applications never travel in clear over a network."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def webhook_url_refusal(url: str) -> str | None:
    """Why ``url`` may not receive applications, or ``None`` when it may."""
    parts = urlsplit(url)
    if parts.username or parts.password:
        return _("Put no user name or password in the address: deliveries are signed instead.")
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname and _is_loopback(parts.hostname):
        if settings.OOTS_BACKOFFICE_ALLOW_LOOPBACK_HTTP:
            return None
        return _("A plain http address is accepted only on this machine in development: use https.")
    return _("Use an https address.")

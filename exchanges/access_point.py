"""The portal's access point, built from settings (the Domibus 5 WS plugin; the simulator in demo)."""

from __future__ import annotations

import threading

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from oots_client.access_point import AccessPoint, DomibusConfig, DomibusWsPlugin, PartyId

# One client per thread and configuration: its HTTP session keeps connections to the access point open
# between calls (a worker calls it several times per exchange). Keyed by the configuration, so a change of
# settings (tests override them) gets a new client.
_clients = threading.local()


def get_access_point() -> AccessPoint:
    if not settings.OOTS_AP_URL:
        raise ImproperlyConfigured(
            "OOTS_AP_URL is not set: the portal has no access point to send evidence requests"
        )
    config = DomibusConfig(
        url=settings.OOTS_AP_URL,
        username=settings.OOTS_AP_USERNAME,
        password=settings.OOTS_AP_PASSWORD,
        read_timeout=settings.OOTS_AP_TIMEOUT,
        verify_tls=settings.OOTS_AP_VERIFY_TLS,
    )
    cached: tuple[DomibusConfig, DomibusWsPlugin] | None = getattr(_clients, "current", None)
    if cached is None or cached[0] != config:
        cached = (config, DomibusWsPlugin(config))
        _clients.current = cached
    return cached[1]


def own_party() -> PartyId:
    """This portal's access point (C2) as the ebMS From party."""
    return PartyId(settings.OOTS_AP_PARTY_ID, settings.OOTS_AP_PARTY_TYPE or None)

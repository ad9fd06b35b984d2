"""The portal's access point, built from settings (the Domibus 5 WS plugin; the simulator in demo): the one
place that turns the ``OOTS_AP_*`` settings into a client, for the engine's tasks and the health check."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from oots_client.access_point import AccessPoint, DomibusConfig, DomibusWsPlugin, PartyId


def get_access_point(*, timeout: float | None = None) -> AccessPoint:
    """The access point client; ``timeout`` bounds both connecting and reading (a probe must answer quickly),
    otherwise ``OOTS_AP_TIMEOUT`` bounds the reading (a large evidence takes a while to come down)."""
    if not settings.OOTS_AP_URL:
        raise ImproperlyConfigured(
            "OOTS_AP_URL is not set: the portal has no access point to send evidence requests"
        )
    limits = (
        {"connect_timeout": timeout, "read_timeout": timeout}
        if timeout is not None
        else {"read_timeout": settings.OOTS_AP_TIMEOUT}
    )
    return DomibusWsPlugin(
        DomibusConfig(
            url=settings.OOTS_AP_URL,
            username=settings.OOTS_AP_USERNAME,
            password=settings.OOTS_AP_PASSWORD,
            verify_tls=settings.OOTS_AP_VERIFY_TLS,
            **limits,
        )
    )


def own_party() -> PartyId:
    """This portal's access point (C2) as the ebMS From party."""
    return PartyId(settings.OOTS_AP_PARTY_ID, settings.OOTS_AP_PARTY_TYPE or None)

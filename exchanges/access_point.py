"""The portal's access point, built from settings (the Domibus 5 WS plugin; the simulator in demo)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from oots_client.access_point import AccessPoint, DomibusConfig, DomibusWsPlugin, PartyId


def get_access_point() -> AccessPoint:
    if not settings.OOTS_AP_URL:
        raise ImproperlyConfigured(
            "OOTS_AP_URL is not set: the portal has no access point to send evidence requests"
        )
    return DomibusWsPlugin(
        DomibusConfig(
            url=settings.OOTS_AP_URL,
            username=settings.OOTS_AP_USERNAME,
            password=settings.OOTS_AP_PASSWORD,
            read_timeout=settings.OOTS_AP_TIMEOUT,
            verify_tls=settings.OOTS_AP_VERIFY_TLS,
        )
    )


def own_party() -> PartyId:
    """This portal's access point (C2) as the ebMS From party."""
    return PartyId(settings.OOTS_AP_PARTY_ID, settings.OOTS_AP_PARTY_TYPE or None)

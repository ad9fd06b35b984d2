"""Whether the portal sends a citizen's browser to a provider's preview address.

``oots_client`` accepts https, and plain http to the loopback interface for a demo or test set-up on one
machine (``is_secure_location``). The portal narrows that by setting: loopback http only while
``OOTS_PREVIEW_ALLOW_LOOPBACK_HTTP`` is on, which ``portal.checks`` refuses with ``DEBUG`` off, so that a
provider in production cannot send citizens to plain-http addresses on their own machines.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings

from oots_client.edm.locations import is_secure_location


def preview_location_allowed(url: str) -> bool:
    if not is_secure_location(url):
        return False
    return urlsplit(url).scheme == "https" or bool(settings.OOTS_PREVIEW_ALLOW_LOOPBACK_HTTP)

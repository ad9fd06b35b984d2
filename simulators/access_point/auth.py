"""HTTP Basic as the WS-plugin user (``OOTS_AP_USERNAME`` / ``OOTS_AP_PASSWORD``) for the simulators.

The WS plugin always requires it, as Domibus does; the control endpoints of both simulators require it
only when ``DEBUG`` is off (a tester's laptop needs no password, a shared test environment does).
"""

from __future__ import annotations

import base64
import binascii
import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def _basic_credentials(request: HttpRequest) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        username, _, password = base64.b64decode(encoded, validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return username, password


def is_plugin_user(request: HttpRequest) -> bool:
    credentials = _basic_credentials(request)
    username, password = settings.OOTS_AP_USERNAME, settings.OOTS_AP_PASSWORD
    if credentials is None or not username:
        return False
    same_user = hmac.compare_digest(credentials[0].encode(), username.encode())
    same_password = hmac.compare_digest(credentials[1].encode(), password.encode())
    return same_user and same_password


def control_allowed(request: HttpRequest) -> bool:
    return bool(settings.DEBUG) or is_plugin_user(request)


def unauthorised() -> HttpResponse:
    response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
    response["WWW-Authenticate"] = 'Basic realm="Domibus WS plugin (simulator)"'
    return response

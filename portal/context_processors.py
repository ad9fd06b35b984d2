from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, object]:
    return {"OOTS_SIMULATORS": settings.OOTS_SIMULATORS, "OOTS_DEV_LOGIN": settings.OOTS_DEV_LOGIN}

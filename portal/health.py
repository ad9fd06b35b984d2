"""``/healthz``: whether this node can serve, as JSON for load balancers and monitoring.

Local dependencies (database, broker) decide the HTTP status: without them this node cannot serve, so
it answers 503 and a load balancer takes it out. Remote counterparties (the access point, the Common
Services) are reported too, as ``degraded``, but keep the status at 200: taking every web node out
because Domibus is down would only turn a partial outage into a total one. Remote results are cached
for ``OOTS_HEALTH_REMOTE_CACHE_SECONDS`` so that frequent probes do not load the counterparties.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from exchanges.access_point import get_access_point
from oots_client.common_services import CommonServicesError
from portal.celery import app as celery_app
from procedures.common_services import common_services_client


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _broker() -> str:
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=settings.OOTS_HEALTH_BROKER_TIMEOUT)
    return "ok"


def _access_point() -> str:
    if not settings.OOTS_AP_URL:
        return "not configured"
    # A filtered listing is the cheapest authenticated call of the WS plugin; it lists nothing. Short
    # timeouts: a probe must answer quickly even when the access point does not (and, in a one-machine
    # demo, when the "access point" is this very server with every worker busy).
    access_point = get_access_point(timeout=settings.OOTS_HEALTH_BROKER_TIMEOUT)
    access_point.list_pending(conversation_id="oots-portal-health-check")
    return "ok"


def _common_services() -> str:
    if (
        not (settings.OOTS_CS_EB_URL and settings.OOTS_CS_DSD_URL)
        and not settings.OOTS_CS_DISCOVERY_ENVIRONMENT
    ):
        return "not configured"
    # A business refusal (e.g. no requirement for R1 here) still proves that the service answers.
    with contextlib.suppress(CommonServicesError):
        client = common_services_client(timeout=settings.OOTS_HEALTH_BROKER_TIMEOUT, retries=1)
        client.requirements(procedure="R1", country=settings.OOTS_PORTAL_COUNTRY, refresh=True)
    return "ok"


LOCAL_CHECKS: dict[str, Callable[[], str]] = {"database": _database, "broker": _broker}
REMOTE_CHECKS: dict[str, Callable[[], str]] = {
    "access_point": _access_point,
    "common_services": _common_services,
}


def _run(check: Callable[[], str]) -> str:
    try:
        return check()
    except Exception as exc:
        return f"error: {type(exc).__name__}"


def _remote(name: str, check: Callable[[], str]) -> str:
    key = f"healthz:{name}"
    result = cache.get(key)
    if result is None:
        result = _run(check)
        cache.set(key, result, settings.OOTS_HEALTH_REMOTE_CACHE_SECONDS)
    return str(result)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {name: _run(check) for name, check in LOCAL_CHECKS.items()}
    healthy = all(value == "ok" for value in checks.values())
    remote = {name: _remote(name, check) for name, check in REMOTE_CHECKS.items()}
    checks.update(remote)
    degraded = any(value.startswith("error") for value in remote.values())
    status = "error" if not healthy else ("degraded" if degraded else "ok")
    return JsonResponse({"status": status, "checks": checks}, status=200 if healthy else 503)

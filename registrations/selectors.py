"""Reads for the back-office API and the file links: an authority reaches only the deliveries of its own
procedures; anything else is a 404, never a 403 that would confirm it exists."""

from __future__ import annotations

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from registrations.models import ApiToken, BackendKind, Delivery, DeliveryState, token_digest


def api_token_for(raw: str) -> ApiToken | None:
    """The active token whose digest matches ``raw`` (the lookup is by digest: no timing oracle on it)."""
    if not raw:
        return None
    return (
        ApiToken.objects.select_related("authority")
        .filter(digest=token_digest(raw), revoked_at__isnull=True)
        .first()
    )


def _api_deliveries(token: ApiToken) -> QuerySet[Delivery]:
    return Delivery.objects.filter(
        backend__kind=BackendKind.API, application__procedure__authority=token.authority_id
    ).select_related("application__procedure__authority", "backend")


def api_deliveries_waiting(*, token: ApiToken, limit: int) -> list[Delivery]:
    """Submitted applications the back office has not acknowledged yet, oldest first."""
    return list(
        _api_deliveries(token)
        .filter(state=DeliveryState.AVAILABLE)
        .order_by("application__submitted_at", "pk")[:limit]
    )


def api_delivery_get(*, token: ApiToken, reference: UUID) -> Delivery:
    delivery = _api_deliveries(token).filter(application__reference=reference).first()
    if delivery is None:
        raise Http404
    return delivery


def delivery_for_link(*, delivery_id: int) -> Delivery:
    """The delivery a signed link names; 404 once it is gone or its backend disabled."""
    delivery = (
        Delivery.objects.select_related("application__procedure__authority", "backend")
        .filter(pk=delivery_id, backend__enabled=True)
        .first()
    )
    if delivery is None:
        raise Http404
    return delivery

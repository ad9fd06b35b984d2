"""Reads of exchanges and evidence for the citizen's pages. The only way a view loads a user's exchange or
evidence: another user's (or an anonymous visitor's) request is a 404, never a 403 that would confirm it
exists."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from exchanges.models import Evidence, EvidenceRequest
from procedures.models import Application


def evidence_requests_for_application(*, application: Application) -> QuerySet[EvidenceRequest]:
    return (
        EvidenceRequest.objects.filter(application=application)
        .select_related("requirement")
        .prefetch_related("evidences")
        .order_by("created_at", "pk")
    )


def evidence_requests_by_public_id(
    *, application: Application, public_ids: Iterable[str]
) -> dict[str, EvidenceRequest]:
    wanted = [str(value) for value in public_ids]
    if not wanted:
        return {}
    found = evidence_requests_for_application(application=application).filter(public_id__in=wanted)
    return {str(exchange.public_id): exchange for exchange in found}


def evidence_request_get_for_user(*, user: User, public_id: UUID | str) -> EvidenceRequest:
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        EvidenceRequest.objects.select_related("application__procedure", "requirement"),
        public_id=public_id,
        application__user=user,
    )


def evidence_get_for_user(*, user: User, pk: int) -> Evidence:
    if not user.is_authenticated:
        raise Http404
    return get_object_or_404(
        Evidence.objects.select_related("evidence_request__application__procedure"),
        pk=pk,
        evidence_request__application__user=user,
    )

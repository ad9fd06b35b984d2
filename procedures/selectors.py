"""Reads. The only way views load a user's objects: another user's application, exchange or evidence is a 404,
never a 403 that would confirm it exists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts.models import User
from exchanges.models import Evidence, EvidenceRequest
from procedures.models import Application, ApplicationStatus, FormField, LifeEvent, Procedure


@dataclass(frozen=True)
class LifeEventGroup:
    life_event: LifeEvent
    procedures: Sequence[Procedure]


def procedures_by_life_event() -> list[LifeEventGroup]:
    """Published procedures grouped by life event, in the order of SDGR Annex II."""
    procedures = list(Procedure.objects.filter(published=True))
    groups = []
    for life_event in LifeEvent:
        members = [p for p in procedures if p.life_event == life_event]
        if members:
            groups.append(LifeEventGroup(life_event=life_event, procedures=members))
    return groups


def procedure_get_published(*, code: str) -> Procedure:
    return get_object_or_404(Procedure, code=code, published=True)


def procedure_form_fields(*, procedure: Procedure) -> list[FormField]:
    return list(procedure.form_fields.all())


def applications_for_user(*, user: User) -> QuerySet[Application]:
    return Application.objects.filter(user=user).select_related("procedure")


def application_get_for_user(*, user: User, reference: UUID) -> Application:
    if not user.is_authenticated:
        raise Http404
    application = get_object_or_404(
        Application.objects.select_related("procedure"),
        reference=reference,
        user=user,
    )
    application.user = user  # the owner is who asks: ``application.user`` costs no query on any page
    return application


def application_draft_for_procedure(*, user: User, procedure: Procedure) -> Application | None:
    return (
        Application.objects.filter(user=user, procedure=procedure, status=ApplicationStatus.DRAFT)
        .order_by("-updated_at")
        .first()
    )


def application_evidence_count(*, application: Application) -> int:
    """How many evidence documents the application's exchanges brought (received, not yet purged)."""
    return Evidence.objects.filter(evidence_request__application=application).count()


# --- The exchanges of a user's applications -------------------------------------------------------------


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

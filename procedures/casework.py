"""Reads for case workers: the applications they may handle, the applicant's identity, each evidence and
upload under the requirement it meets, the case status and its history.

Every read starts from :func:`applications_for_staff` (their authorities' submitted applications, never a
draft; ``authorities.scope``), so another authority's application is a 404 and an export holds exactly
what the admin shows the same user.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import EidasIdentity, LevelOfAssurance
from authorities.models import Role
from authorities.scope import scope_to_authorities
from exchanges.models import Evidence, EvidenceRequest
from procedures.journey import evidence_per_requirement
from procedures.models import (
    Application,
    ApplicationFile,
    ApplicationStatus,
    CaseStatus,
    CaseStatusChange,
    Requirement,
)


def applications_for_staff(user: Any) -> QuerySet[Application]:
    """The submitted applications of the authorities ``user`` handles as case worker (all for a superuser)."""
    submitted = Application.objects.exclude(status=ApplicationStatus.DRAFT).select_related(
        "procedure", "procedure__authority", "user"
    )
    return scope_to_authorities(
        user, submitted, authority_path="procedure__authority", roles=[Role.CASE_WORKER]
    )


def case_status(application: Application) -> CaseStatusChange | None:
    """The latest case status change; ``None`` for an application nobody has handled yet (received)."""
    return application.case_history.order_by("-changed_at", "-pk").first()


def case_status_value(application: Application) -> str:
    latest = case_status(application)
    return latest.status if latest is not None else CaseStatus.RECEIVED


def case_status_label(application: Application) -> str:
    return str(CaseStatus(case_status_value(application)).label)


# --- The applicant as the eIDAS node asserted them -------------------------------------------------------


@dataclass(frozen=True)
class IdentityRow:
    label: str
    value: str


@dataclass(frozen=True)
class ApplicantIdentity:
    kind: str
    rows: list[IdentityRow]
    legal_person: list[IdentityRow] = field(default_factory=list)
    representative: list[IdentityRow] = field(default_factory=list)


#: Day first in every language (7 December 2026, 7 décembre 2026, 7. Dezember 2026 read alike).
DAY_FIRST_DATE = "j F Y"
DAY_FIRST_DATETIME = "j F Y, H:i"


def readable(value: Any) -> str:
    """A value as the reader reads it: dates day first, in the active language."""
    if isinstance(value, dt.datetime):
        return date_format(timezone.localtime(value), DAY_FIRST_DATETIME)
    if isinstance(value, dt.date):
        return date_format(value, DAY_FIRST_DATE)
    return str(value)


def _rows(pairs: list[tuple[Any, Any]]) -> list[IdentityRow]:
    return [IdentityRow(str(label), readable(value)) for label, value in pairs if value not in ("", None)]


def applicant_identity(application: Application) -> ApplicantIdentity | None:
    """What the eIDAS node asserted about the applicant at their last login (``None`` without one)."""
    identity = EidasIdentity.objects.filter(user_id=application.user_id).first()
    if identity is None:
        return None
    loa = LevelOfAssurance(identity.loa).label if identity.loa in LevelOfAssurance.values else identity.loa
    natural = _rows(
        [
            (_("given name"), identity.given_name),
            (_("family name"), identity.family_name),
            (_("date of birth"), identity.date_of_birth),
            (_("person identifier"), identity.person_identifier),
            (_("birth name"), identity.birth_name),
            (_("place of birth"), identity.place_of_birth),
            (_("nationality"), identity.nationality),
            (_("level of assurance"), loa),
            (_("authenticated at"), identity.authenticated_at),
        ]
    )
    legal = _rows(
        [
            (_("legal name"), identity.legal_name),
            (_("legal person identifier"), identity.legal_person_identifier),
            (_("VAT registration number"), identity.vat_registration),
            (_("EU business register identifier (EUID)"), identity.eu_identifier),
        ]
    )
    representative = _rows(
        [
            (_("representative's given name"), identity.representative_given_name),
            (_("representative's family name"), identity.representative_family_name),
            (_("representative's date of birth"), identity.representative_date_of_birth),
            (_("representative's identifier"), identity.representative_person_identifier),
        ]
    )
    return ApplicantIdentity(
        kind=identity.get_kind_display(), rows=natural, legal_person=legal, representative=representative
    )


# --- Evidence and uploads under the requirement each one meets ------------------------------------------


class Arrival:
    OOTS = "oots"
    UPLOAD = "upload"


@dataclass(frozen=True)
class EvidenceItem:
    title: str
    arrival: str  # Arrival.*
    arrival_label: str
    provider: str = ""
    provider_country: str = ""
    state_label: str = ""
    download_url: str = ""
    media_type: str = ""
    size: int = 0
    received_at: dt.datetime | None = None


@dataclass(frozen=True)
class RequirementEvidence:
    requirement: Requirement | None  # None: uploads of the form's own file fields
    items: list[EvidenceItem]


def _evidence_item(exchange: EvidenceRequest, evidence: Evidence | None) -> EvidenceItem:
    return EvidenceItem(
        title=(evidence.title if evidence is not None else "") or exchange.evidence_type_title,
        arrival=Arrival.OOTS,
        arrival_label=str(_("through OOTS")),
        provider=exchange.provider_name,
        provider_country=exchange.provider_country,
        state_label=exchange.get_state_display(),
        download_url=(
            reverse("admin:procedures_application_evidence", args=[evidence.pk])
            if evidence is not None and evidence.file
            else ""
        ),
        media_type=evidence.media_type if evidence is not None else "",
        size=evidence.size if evidence is not None else 0,
        received_at=evidence.received_at if evidence is not None else None,
    )


def _upload_item(upload: ApplicationFile, title: str) -> EvidenceItem:
    return EvidenceItem(
        title=title,
        arrival=Arrival.UPLOAD,
        arrival_label=str(_("uploaded by the applicant")),
        download_url=reverse("admin:procedures_application_file", args=[upload.pk]),
        media_type=upload.content_type,
        size=upload.size,
        received_at=upload.uploaded_at,
    )


def evidence_by_requirement(application: Application) -> list[RequirementEvidence]:
    """Each requirement of the procedure with what meets it: each evidence item's evidence (or the state of
    its exchange when none came) or the document the applicant uploaded for it, then earlier attempts (an
    exchange a retry replaced); then the files of the form's own file fields. Grouped by the journey's one
    selector (``procedures.journey.evidence_per_requirement``), shown on the staff page and the export."""
    exchanges = list(
        EvidenceRequest.objects.filter(application=application)
        .prefetch_related("evidences")
        .order_by("created_at", "pk")
    )
    uploads = {upload.pk: upload for upload in application.files.all()}
    labels = {row.key: row.label for row in application.procedure.form_fields.all()}
    shown: set[int] = set()
    groups: list[RequirementEvidence] = []
    for progress in evidence_per_requirement(application):
        items: list[EvidenceItem] = []
        for entry in progress.items:
            if entry.exchange is not None:
                shown.add(entry.exchange.pk)
                found = list(entry.exchange.evidences.all())
                items.extend(_evidence_item(entry.exchange, evidence) for evidence in found or [None])
            if entry.upload is not None and uploads.pop(entry.upload.pk, None) is not None:
                items.append(_upload_item(entry.upload, entry.item.title))
        for exchange in exchanges:
            if exchange.requirement_id == progress.requirement.pk and exchange.pk not in shown:
                shown.add(exchange.pk)
                found = list(exchange.evidences.all())
                items.extend(_evidence_item(exchange, evidence) for evidence in found or [None])
        groups.append(RequirementEvidence(requirement=progress.requirement, items=items))
    others = [
        _evidence_item(exchange, evidence)
        for exchange in exchanges
        if exchange.pk not in shown
        for evidence in (list(exchange.evidences.all()) or [None])
    ]
    others.extend(
        _upload_item(upload, labels.get(upload.field_key, upload.original_name))
        for upload in uploads.values()
    )
    if others:
        groups.append(RequirementEvidence(requirement=None, items=others))
    return groups


# --- What the applicant sees of their case ---------------------------------------------------------------


@dataclass(frozen=True)
class CitizenCaseRow:
    application: Application
    case_status: str  # "" for a draft
    messages: list[CaseStatusChange]
    # When an untouched draft is purged (services.drafts_purge): shown so nobody loses one unawares.
    purge_on: dt.datetime | None = None


def citizen_case_rows(applications: list[Application]) -> list[CitizenCaseRow]:
    """*My applications*: each application with its case status and the messages the authority sent."""
    history: dict[int, list[CaseStatusChange]] = {}
    for change in CaseStatusChange.objects.filter(application__in=applications).order_by(
        "-changed_at", "-pk"
    ):
        history.setdefault(change.application_id, []).append(change)
    rows = []
    for application in applications:
        changes = history.get(application.pk, [])
        if application.is_draft:
            label = ""
        else:
            label = str(CaseStatus(changes[0].status).label if changes else CaseStatus.RECEIVED.label)
        rows.append(
            CitizenCaseRow(
                application=application,
                case_status=label,
                messages=[c for c in changes if c.message],
                purge_on=(
                    application.updated_at + dt.timedelta(days=settings.OOTS_DRAFT_RETENTION_DAYS)
                    if application.is_draft
                    else None
                ),
            )
        )
    return rows

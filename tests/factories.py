"""Small factories for model objects used across the tests."""

from __future__ import annotations

import datetime as dt
import itertools

from django.core.files.base import ContentFile
from django.utils import timezone

from accounts.models import EidasIdentity, User
from authorities.models import Authority, Role
from authorities.services import membership_add
from exchanges.models import EvidenceRequest
from procedures.models import (
    Application,
    ApplicationFile,
    EvidenceItem,
    EvidenceRoute,
    FieldType,
    FormField,
    Procedure,
    Requirement,
    RequirementChoice,
)

_counter = itertools.count(1)

# The 21 procedure codes of SDGR Annex II, written out here (not read from the code list under test).
SDG_CODES = "R1 S1 T1 T2 T3 U1 U2 U3 U4 V1 V2 V3 V4 W1 W2 X1 X2 X3 X4 X5 X6".split()  # noqa: SIM905


def make_citizen(username: str | None = None) -> User:
    user = User.objects.create(
        username=username or f"citizen{next(_counter)}", first_name="Ana", last_name="Test"
    )
    user.set_unusable_password()
    user.save()
    return user


def default_authority() -> Authority:
    """The authority the migrations made of the configured requester: every procedure's at first."""
    return Procedure.objects.get(code="R1").authority


def make_eidas_identity(user: User, **fields: object) -> EidasIdentity:
    """Jan Peeters of Belgium as the eIDAS node asserts him, at "substantial" (``fields`` override)."""
    values: dict[str, object] = {
        "kind": EidasIdentity.Kind.NATURAL,
        "country": "BE",
        "person_identifier": "BE/BE/85073100123",
        "given_name": "Jan",
        "family_name": "Peeters",
        "date_of_birth": dt.date(1985, 7, 31),
        "loa": "substantial",
        "authenticated_at": timezone.now(),
        **fields,
    }
    return EidasIdentity.objects.create(user=user, **values)


def make_authority(name: str | None = None) -> Authority:
    number = next(_counter)
    return Authority.objects.create(
        name=name or f"Authority {number}",
        country="BE",
        requester_identifier=f"09{number:08d}",
        requester_scheme="urn:cef.eu:names:identifier:EAS:9925",
    )


def make_staff(role: str, authority: Authority | None = None, password: str = "staff-password-1234") -> User:
    user = User.objects.create_user(username=f"{role}{next(_counter)}", password=password)
    membership_add(user=user, authority=authority or default_authority(), role=role)
    return user


def make_owner(password: str = "owner-password-1234", authority: Authority | None = None) -> User:
    return make_staff(Role.OWNER, authority, password)


def make_case_worker(authority: Authority | None = None, password: str = "case-password-1234") -> User:
    return make_staff(Role.CASE_WORKER, authority, password)


def add_field(
    procedure: Procedure,
    key: str,
    field_type: str = FieldType.TEXT,
    *,
    label: str | None = None,
    required: bool = True,
    choices: str = "",
) -> FormField:
    return FormField.objects.create(
        procedure=procedure,
        key=key,
        field_type=field_type,
        label=label or key.replace("_", " ").capitalize(),
        required=required,
        choices=choices,
        order=procedure.form_fields.count() * 10,
    )


MINIMAL_PDF = b"%PDF-1.4\n%%EOF\n"


def make_upload(application: Application, field_key: str, name: str = "proof.pdf") -> ApplicationFile:
    """A small PDF the citizen uploaded for ``field_key``, saved in the storage."""
    upload = ApplicationFile(
        application=application,
        field_key=field_key,
        original_name=name,
        content_type="application/pdf",
        size=len(MINIMAL_PDF),
        sha256="0" * 64,
    )
    upload.file.save(name, ContentFile(MINIMAL_PDF))
    return upload


def make_evidence_item(
    application: Application,
    requirement: Requirement,
    *,
    exchange: EvidenceRequest | None = None,
    upload: ApplicationFile | None = None,
    route: str = "",
    country: str = "DE",
    title: str = "",
) -> EvidenceItem:
    """One evidence item of ``requirement`` met by ``exchange`` (through OOTS) or ``upload`` (by the
    applicant), as the journey records it (``RequirementChoice`` and ``EvidenceItem`` rows)."""
    choice, _created = RequirementChoice.objects.get_or_create(
        application=application,
        requirement=requirement,
        defaults={
            "route": route or (EvidenceRoute.UPLOAD if exchange is None else EvidenceRoute.OOTS),
            "country": country,
        },
    )
    return EvidenceItem.objects.create(
        choice=choice,
        position=choice.items.count(),
        title=title or requirement.name,
        exchange=exchange,
        upload=upload,
    )

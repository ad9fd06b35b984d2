"""Demo data: two authorities, each with a procedure owner and a case worker, the procedures spread across
them, and a small form for every procedure that has none.

Only ``manage.py load_demo`` calls this; a production portal's forms are configured by its
procedure owners.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from authorities.models import Authority, Role
from authorities.services import membership_add
from procedures.apps import installed_contributions
from procedures.models import FieldType, FormField, LifeEvent, Procedure, Requirement


@dataclass(frozen=True)
class DemoAuthority:
    name: str
    requester_identifier: str
    #: the life events whose procedures it owns (the first authority owns the rest)
    life_events: frozenset[str]
    owner: str
    case_worker: str


#: The first is the authority the migrations made of the configured requester (OOTS_REQUESTER_*).
DEMO_AUTHORITIES = (
    DemoAuthority("", "", frozenset(), owner="owner", case_worker="caseworker"),
    DemoAuthority(
        "Demo Registry Office",
        "0000000002",
        frozenset({LifeEvent.MOVING, LifeEvent.RESIDENCE, LifeEvent.BUSINESS}),
        owner="owner2",
        case_worker="caseworker2",
    ),
)


# (key, type, label, required, choices)
_COMMON_FIELDS: list[tuple[str, str, str, bool, str]] = [
    ("email", FieldType.EMAIL, "Email address for updates on your application", True, ""),
    ("phone", FieldType.TEXT, "Telephone number", False, ""),
    ("reason", FieldType.LONG_TEXT, "Tell us briefly why you are making this request", False, ""),
    ("start_date", FieldType.DATE, "From which date should this apply?", False, ""),
    (
        "contact_channel",
        FieldType.CHOICE,
        "How should we contact you?",
        True,
        "email | Email\npost | Post\ntelephone | Telephone",
    ),
    ("supporting_document", FieldType.FILE, "Any other supporting document", False, ""),
    (
        "declaration",
        FieldType.CHECKBOX,
        "I declare that the information I give is true and complete",
        True,
        "",
    ),
]

_EXTRA_FIELDS: dict[str, list[tuple[str, str, str, bool, str]]] = {
    "T1": [("annual_income", FieldType.NUMBER, "Your household's annual income in euro", True, "")],
    "T2": [("study_programme", FieldType.TEXT, "Study programme you apply for", True, "")],
    "V2": [("vehicle_id", FieldType.TEXT, "Vehicle identification number (VIN)", True, "")],
}

# The demo's labels (and choices, same keys) in French and German, as an owner would give them in the admin.
_FIELD_TRANSLATIONS: dict[str, dict[str, tuple[str, str]]] = {
    "email": {
        "fr": ("Adresse électronique pour suivre votre demande", ""),
        "de": ("E-Mail-Adresse für Nachrichten zu Ihrem Antrag", ""),
    },
    "phone": {"fr": ("Numéro de téléphone", ""), "de": ("Telefonnummer", "")},
    "reason": {
        "fr": ("Dites-nous brièvement pourquoi vous faites cette demande", ""),
        "de": ("Sagen Sie uns kurz, warum Sie diesen Antrag stellen", ""),
    },
    "start_date": {
        "fr": ("À partir de quelle date cela doit-il s'appliquer ?", ""),
        "de": ("Ab welchem Datum soll dies gelten?", ""),
    },
    "contact_channel": {
        "fr": (
            "Comment devons-nous vous contacter ?",
            "email | Courriel\npost | Courrier\ntelephone | Téléphone",
        ),
        "de": ("Wie sollen wir Sie kontaktieren?", "email | E-Mail\npost | Post\ntelephone | Telefon"),
    },
    "supporting_document": {"fr": ("Autre pièce justificative", ""), "de": ("Weiterer Nachweis", "")},
    "declaration": {
        "fr": ("Je déclare que les informations que je donne sont exactes et complètes", ""),
        "de": ("Ich erkläre, dass meine Angaben wahr und vollständig sind", ""),
    },
    "annual_income": {
        "fr": ("Revenu annuel de votre ménage, en euros", ""),
        "de": ("Jährliches Einkommen Ihres Haushalts in Euro", ""),
    },
    "study_programme": {
        "fr": ("Programme d'études demandé", ""),
        "de": ("Studiengang, für den Sie sich bewerben", ""),
    },
    "vehicle_id": {
        "fr": ("Numéro d'identification du véhicule (VIN)", ""),
        "de": ("Fahrzeug-Identifizierungsnummer (FIN)", ""),
    },
}


def _demo_field(procedure: Procedure, position: int, row: tuple[str, str, str, bool, str]) -> FormField:
    key, field_type, label, required, choices = row
    field = FormField(
        procedure=procedure,
        key=key,
        field_type=field_type,
        label=label,
        required=required,
        choices=choices,
        order=position * 10,
    )
    field.label_en = label
    field.choices_en = choices
    for language, (translated, translated_choices) in _FIELD_TRANSLATIONS.get(key, {}).items():
        if hasattr(field, f"label_{language}"):  # a language of OOTS_LANGUAGES
            setattr(field, f"label_{language}", translated)
            setattr(field, f"choices_{language}", translated_choices)
    return field


@dataclass(frozen=True)
class DemoStaff:
    username: str
    authority: str
    role: str
    password: str | None  # None when the user already existed (its password is unchanged)


def _staff(username: str, authority: Authority, role: str, password: str | None) -> DemoStaff:
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": "Demo", "last_name": Role(role).label}
    )
    given = None
    if created or password:
        given = password or secrets.token_urlsafe(12)
        user.set_password(given)
        user.save(update_fields=["password"])
    membership_add(user=user, authority=authority, role=role)
    return DemoStaff(username=username, authority=authority.name, role=role, password=given)


@transaction.atomic
def demo_load(*, password: str | None = None) -> list[DemoStaff]:
    """The demo's authorities and staff (a password is generated for each new user, or ``password``)."""
    first = Procedure.objects.order_by("pk").select_related("authority").first()
    staff: list[DemoStaff] = []
    for demo in DEMO_AUTHORITIES:
        if not demo.name:
            if first is None:
                continue
            authority = first.authority
        else:
            authority, _ = Authority.objects.get_or_create(
                requester_scheme=first.authority.requester_scheme if first else "",
                requester_identifier=demo.requester_identifier,
                defaults={"name": demo.name, "country": first.authority.country if first else "BE"},
            )
            Procedure.objects.filter(life_event__in=demo.life_events).update(authority=authority)
        staff.append(_staff(demo.owner, authority, Role.OWNER, password))
        staff.append(_staff(demo.case_worker, authority, Role.CASE_WORKER, password))

    for procedure in Procedure.objects.all():
        if procedure.form_fields.exists():
            continue
        rows = [*_EXTRA_FIELDS.get(procedure.code, []), *_COMMON_FIELDS]
        FormField.objects.bulk_create(
            _demo_field(procedure, position, row) for position, row in enumerate(rows, start=1)
        )
    demo_requirements()
    return staff


@dataclass(frozen=True)
class DemoRequirement:
    """A requirement the demo gives the procedures it names (what an owner would pull from the Evidence
    Broker in the admin)."""

    identifier: str
    name: str
    procedures: frozenset[str]


def demo_requirements() -> int:
    """Give every procedure without requirements those the installed apps contribute for the demo
    (``oots_demo_requirements``: the Common Services simulator's catalogue, when the simulators are on), so
    that the journey (and ``manage.py oots_journey``) has evidence to ask for. Returns how many were added."""
    offered: list[DemoRequirement] = installed_contributions("oots_demo_requirements")
    if not offered:
        return 0
    added = 0
    for procedure in Procedure.objects.all():
        if procedure.requirements.exists():
            continue
        entries = [entry for entry in offered if procedure.code in entry.procedures]
        for order, entry in enumerate(entries, start=1):
            Requirement.objects.create(
                procedure=procedure, identifier=entry.identifier, name=entry.name, order=order
            )
            added += 1
    return added

"""Writes on users and their sessions."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import transaction
from django.utils import timezone

from accounts.eidas.attributes import (
    EidasAttributes,
    LegalPersonAttributes,
    NaturalPersonAttributes,
    identity_from_attributes,
)
from accounts.models import EidasAddress, EidasIdentity, User


def dev_personas() -> dict[str, dict[str, Any]]:
    """The development login's test persons, by key: those of the eIDAS test IdP, contributed by its app
    (``oots_dev_personas``) when the simulators are installed; none otherwise. Reachable only through the
    development login, which settings refuse unless DEBUG is on."""
    found: dict[str, dict[str, Any]] = {}
    for config in apps.get_app_configs():
        contribute = getattr(config, "oots_dev_personas", None)
        if callable(contribute):
            found |= {persona["key"]: persona for persona in contribute()}
    return found


@transaction.atomic
def user_log_in_as_dev_persona(*, persona: dict[str, Any]) -> tuple[User, str]:
    """The user of a development persona, with the eIDAS identity a login at the test IdP would record for
    it, and the level of assurance of that login (the persona's highest)."""
    user, created = User.objects.get_or_create(username=f"dev-{persona['key']}")
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    identity = identity_from_attributes(persona["attributes"], required=[])
    eidas_identity_record(user=user, identity=identity, loa=persona["loa"])
    return user, persona["loa"]


_NATURAL_FIELDS = (
    "person_identifier",
    "given_name",
    "family_name",
    "date_of_birth",
    "birth_name",
    "place_of_birth",
    "gender",
    "nationality",
    "country_of_birth",
    "town_of_birth",
    "country_of_residence",
    "phone_number",
    "email_address",
)
_LEGAL_FIELDS = (
    "legal_person_identifier",
    "legal_name",
    "vat_registration",
    "tax_reference",
    "eu_identifier",
    "lei",
    "eori",
    "seed",
    "sic",
)


def _person_columns(person: NaturalPersonAttributes | None, prefix: str = "") -> dict[str, object]:
    empty: dict[str, object] = {name: "" for name in _NATURAL_FIELDS} | {"date_of_birth": None}
    values = empty if person is None else {name: getattr(person, name) for name in _NATURAL_FIELDS}
    return {prefix + name: value for name, value in values.items()}


def _legal_columns(legal: LegalPersonAttributes | None) -> dict[str, object]:
    return {name: getattr(legal, name) if legal is not None else "" for name in _LEGAL_FIELDS}


@transaction.atomic
def eidas_identity_record(*, user: User, identity: EidasAttributes, loa: str) -> EidasIdentity:
    """Store what this eIDAS login said, replacing what the last one said, and keep the user's names in step
    with it (the header and the admin show ``first_name``/``last_name``)."""
    record, _created = EidasIdentity.objects.update_or_create(
        user=user,
        defaults={
            "kind": identity.kind,
            "country": identity.country,
            **_person_columns(identity.natural_person),
            **_legal_columns(identity.legal_person),
            **_person_columns(identity.representative, "representative_"),
            "loa": loa,
            "authenticated_at": timezone.now(),
        },
    )
    addresses = {
        EidasAddress.Role.CURRENT: identity.natural_person and identity.natural_person.current_address,
        EidasAddress.Role.LEGAL: identity.legal_person and identity.legal_person.legal_address,
        EidasAddress.Role.REPRESENTATIVE: identity.representative and identity.representative.current_address,
    }
    record.addresses.all().delete()  # this login's addresses only: none survives from an earlier login
    EidasAddress.objects.bulk_create(
        EidasAddress(identity=record, role=role, **parts.as_dict())
        for role, parts in addresses.items()
        if parts
    )
    # A legal person logging in without a natural person has only its legal name.
    first_name, last_name = (name[:150] for name in identity.display_names)
    if (user.first_name, user.last_name) != (first_name, last_name):
        user.first_name, user.last_name = first_name, last_name
        user.save(update_fields=["first_name", "last_name"])
    return record


def sessions_purge_expired() -> int:
    """Delete the sessions past their expiry date (Django's ``clearsessions``); how many were deleted.

    An expired session is useless to its browser but would stay in the table for ever: a login started
    and abandoned leaves one behind. The cached copies expire from the cache by themselves.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if issubclass(store, DatabaseSessionStore):
        deleted, _ = store.get_model_class().objects.filter(expire_date__lt=timezone.now()).delete()
        return deleted
    store.clear_expired()
    return 0

"""Writes on users and their sessions."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import transaction
from django.utils import timezone

from accounts.eidas.attributes import EidasAttributes
from accounts.models import EidasIdentity, User

# Development personas: only reachable through the development login, which settings refuse
# unless DEBUG is on.
DEV_PERSONAS: dict[str, tuple[str, str]] = {
    "dev-citizen-anna": ("Anna", "Schmidt"),
    "dev-citizen-pierre": ("Pierre", "Dupont"),
}


@transaction.atomic
def user_get_or_create_dev_persona(*, persona: str) -> User:
    first_name, last_name = DEV_PERSONAS[persona]
    user, created = User.objects.get_or_create(
        username=persona, defaults={"first_name": first_name, "last_name": last_name}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def eidas_identity_record(*, user: User, identity: EidasAttributes, loa: str) -> EidasIdentity:
    """Store what this eIDAS login said, and keep the user's names in step with it (the header and
    the admin show ``first_name``/``last_name``)."""
    record, _created = EidasIdentity.objects.update_or_create(
        user=user,
        defaults={
            "kind": identity.kind,
            "country": identity.country,
            "person_identifier": identity.person_identifier,
            "given_name": identity.given_name,
            "family_name": identity.family_name,
            "date_of_birth": identity.date_of_birth,
            "birth_name": identity.birth_name,
            "place_of_birth": identity.place_of_birth,
            "current_address": identity.current_address,
            "gender": identity.gender,
            "legal_person_identifier": identity.legal_person_identifier,
            "legal_name": identity.legal_name,
            "legal_attributes": identity.legal_attributes,
            "loa": loa,
            "authenticated_at": timezone.now(),
        },
    )
    # A legal person logging in without a natural person has only its legal name.
    first_name = identity.given_name[:150]
    last_name = (identity.family_name or identity.legal_name)[:150]
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

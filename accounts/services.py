"""Writes on users."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User

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

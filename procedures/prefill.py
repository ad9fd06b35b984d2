"""Values of the citizen's eIDAS login that pre-fill form fields (``FormField.prefill``).

Read from ``accounts.models.EidasIdentity`` as the node asserted them at the last login; a citizen without
an eIDAS identity (the development login) gets no pre-filled values.
"""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from accounts.models import EidasIdentity
from procedures.models import PrefillSource

PrefillValue = str | date


def eidas_prefill(user: AbstractBaseUser | AnonymousUser) -> dict[str, PrefillValue]:
    """{prefill source: value} for the attributes this user's login carried (blank ones left out)."""
    identity = (
        EidasIdentity.objects.filter(user_id=user.pk).prefetch_related("addresses").first()
        if user.is_authenticated
        else None
    )
    if identity is None:
        return {}
    address = identity.current_address
    values: dict[str, PrefillValue | None] = {
        PrefillSource.GIVEN_NAME: identity.given_name,
        PrefillSource.FAMILY_NAME: identity.family_name,
        PrefillSource.BIRTH_NAME: identity.birth_name,
        PrefillSource.DATE_OF_BIRTH: identity.date_of_birth,
        PrefillSource.PLACE_OF_BIRTH: identity.place_of_birth,
        PrefillSource.NATIONALITY: identity.nationality,
        PrefillSource.ADDRESS: str(address) if address is not None else "",
        PrefillSource.EMAIL: identity.email_address,
        PrefillSource.PHONE: identity.phone_number,
        PrefillSource.LEGAL_NAME: identity.legal_name,
    }
    return {str(source): value for source, value in values.items() if value}

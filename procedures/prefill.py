"""Values of the citizen's eIDAS login that pre-fill form fields (``FormField.prefill``).

Read from ``accounts.models.EidasIdentity`` as the node asserted them at the last login; a citizen without
an eIDAS identity (the development login) gets no pre-filled values.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from accounts.models import EidasIdentity
from procedures.models import PrefillSource

PrefillValue = str | date


def eidas_prefill(identity: EidasIdentity | None, wanted: Collection[str]) -> dict[str, PrefillValue]:
    """{prefill source: value} for the ``wanted`` attributes the login carried (blank ones left out); the
    identity is the one the journey loaded for the page (``Journey.identity``), not read again, and its
    addresses are read only when a field asks for the address."""
    if identity is None or not wanted:
        return {}
    values: dict[str, PrefillValue | None] = {
        PrefillSource.GIVEN_NAME: identity.given_name,
        PrefillSource.FAMILY_NAME: identity.family_name,
        PrefillSource.BIRTH_NAME: identity.birth_name,
        PrefillSource.DATE_OF_BIRTH: identity.date_of_birth,
        PrefillSource.PLACE_OF_BIRTH: identity.place_of_birth,
        PrefillSource.NATIONALITY: identity.nationality,
        PrefillSource.EMAIL: identity.email_address,
        PrefillSource.PHONE: identity.phone_number,
        PrefillSource.LEGAL_NAME: identity.legal_name,
    }
    if PrefillSource.ADDRESS in wanted:
        address = identity.current_address
        values[PrefillSource.ADDRESS] = str(address) if address is not None else ""
    return {str(source): value for source, value in values.items() if value and source in wanted}

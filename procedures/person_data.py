"""What the provider will see about the citizen, as the request step states it before the explicit request:
the EDM request's subject and representative (``procedures.request_content.subject_and_representative``),
attribute by attribute, with translated labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.models import EidasIdentity
from oots_client.edm.model import Address, LegalPerson, NaturalPerson
from oots_client.edm.versions import EdmVersion
from procedures.request_content import subject_and_representative


def person_data_shown(
    identity: EidasIdentity | None, loa: str | None, versions: Sequence[EdmVersion] | None = None
) -> list[tuple[Any, str]]:
    """What the provider will see about the user (step 3 states it before the request): the request's
    subject and representative as :func:`subject_and_representative` makes them, attribute by attribute.

    The attributes only EDM v1.2 and later carry are listed when one of ``versions`` (those of the requests
    drafted) carries them, or when the versions are not known yet.
    """
    if identity is None:
        return []
    subject, representative = subject_and_representative(identity, loa)
    extended = versions is None or any(version.person_extended_attributes for version in versions)
    rows: list[tuple[Any, str]] = []
    if isinstance(subject, LegalPerson):
        rows += _legal_rows(subject)
    else:
        rows += _person_rows(subject, _PERSON_LABELS, extended=extended)
    if representative is not None:
        rows += _person_rows(representative, _REPRESENTATIVE_LABELS, extended=extended)
    rows.append((_("Level of assurance of your login"), (loa or "").capitalize()))
    return [(label, value) for label, value in rows if value]


_SCHEME_LABELS: dict[str, Any] = {
    "VAT": _("VAT registration number"),
    "TAX": _("Tax reference number"),
    "BusinessCode": _("EU business register identifier (EUID)"),
    "LEI": _("Legal Entity Identifier (LEI)"),
    "EORI": _("EORI number"),
    "SEED": _("SEED excise number"),
    "SIC": _("SIC code"),
}
_GENDER_LABELS: dict[str, Any] = {"Male": _("Male"), "Female": _("Female"), "Unspecified": _("Unspecified")}
# sdg:Person element -> its label, for the subject and for the representative
_PERSON_LABELS: dict[str, Any] = {
    "given_name": _("Given name"),
    "family_name": _("Family name"),
    "date_of_birth": _("Date of birth"),
    "identifier": _("Personal identifier (eIDAS)"),
    "birth_name": _("Birth name"),
    "place_of_birth": _("Place of birth"),
    "current_address": _("Current address"),
    "gender": _("Gender"),
    "nationality": _("Nationality"),
    "country_of_birth": _("Country of birth"),
    "town_of_birth": _("Town of birth"),
    "country_of_residence": _("Country of residence"),
    "phone_number": _("Phone number"),
    "email_address": _("Email address"),
}
_REPRESENTATIVE_LABELS: dict[str, Any] = {
    "given_name": _("Representative's given name"),
    "family_name": _("Representative's family name"),
    "date_of_birth": _("Representative's date of birth"),
    "identifier": _("Representative's personal identifier (eIDAS)"),
    "birth_name": _("Representative's birth name"),
    "place_of_birth": _("Representative's place of birth"),
    "current_address": _("Representative's current address"),
    "gender": _("Representative's gender"),
    "nationality": _("Representative's nationality"),
    "country_of_birth": _("Representative's country of birth"),
    "town_of_birth": _("Representative's town of birth"),
    "country_of_residence": _("Representative's country of residence"),
    "phone_number": _("Representative's phone number"),
    "email_address": _("Representative's email address"),
}
_EXTENDED = (
    "nationality",
    "country_of_birth",
    "town_of_birth",
    "country_of_residence",
    "phone_number",
    "email_address",
)


def _address_line(address: Address | None) -> str:
    return (address.full_address or "") if address is not None else ""


def _person_rows(person: NaturalPerson, labels: dict[str, Any], *, extended: bool) -> list[tuple[Any, str]]:
    values = {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": date_format(person.date_of_birth),  # in the reader's language
        "identifier": person.identifier.value if person.identifier else "",
        "birth_name": person.birth_name or "",
        "place_of_birth": person.place_of_birth or "",
        "current_address": _address_line(person.current_address),
        "gender": str(_GENDER_LABELS.get(person.gender or "", "")),
        "nationality": person.nationality or "",
        "country_of_birth": person.country_of_birth or "",
        "town_of_birth": person.town_of_birth or "",
        "country_of_residence": person.country_of_residence or "",
        "phone_number": person.phone_number or "",
        "email_address": person.email_address or "",
    }
    return [(labels[name], value) for name, value in values.items() if extended or name not in _EXTENDED]


def _legal_rows(legal: LegalPerson) -> list[tuple[Any, str]]:
    rows: list[tuple[Any, str]] = [
        (_("Company or organisation"), legal.legal_name),
        (_("Its identifier"), legal.legal_person_identifier.value if legal.legal_person_identifier else ""),
    ]
    rows += [(_SCHEME_LABELS[other.scheme_id or ""], other.value) for other in legal.identifiers]
    rows.append((_("Registered address"), _address_line(legal.registered_address)))
    return rows

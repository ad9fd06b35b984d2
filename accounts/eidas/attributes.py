"""eIDAS attributes (eIDAS SAML Attribute Profile v1.2) and the identity a response carries.

``identity_from_attributes`` reads python3-saml's ``{name: [values]}`` into an ``EidasAttributes``
and refuses a response whose minimum data set is incomplete.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from accounts.eidas.errors import EidasLoginError

NATURAL = "http://eidas.europa.eu/attributes/naturalperson/"
LEGAL = "http://eidas.europa.eu/attributes/legalperson/"
NAME_FORMAT_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"

# Friendly name -> attribute name. The family and given names are "Current…" (TOOLING.md).
ATTRIBUTES: dict[str, str] = {
    "PersonIdentifier": NATURAL + "PersonIdentifier",
    "FamilyName": NATURAL + "CurrentFamilyName",
    "FirstName": NATURAL + "CurrentGivenName",
    "DateOfBirth": NATURAL + "DateOfBirth",
    "BirthName": NATURAL + "BirthName",
    "PlaceOfBirth": NATURAL + "PlaceOfBirth",
    "CurrentAddress": NATURAL + "CurrentAddress",
    "Gender": NATURAL + "Gender",
    "LegalPersonIdentifier": LEGAL + "LegalPersonIdentifier",
    "LegalName": LEGAL + "LegalName",
    "LegalAddress": LEGAL + "LegalPersonAddress",
    "VATRegistration": LEGAL + "VATRegistrationNumber",
    "TaxReference": LEGAL + "TaxReference",
    "D-2012-17-EUIdentifier": LEGAL + "D-2012-17-EUIdentifier",
    "LEI": LEGAL + "LEI",
    "EORI": LEGAL + "EORI",
    "SEED": LEGAL + "SEED",
    "SIC": LEGAL + "SIC",
}
NATURAL_MDS = ("PersonIdentifier", "FamilyName", "FirstName", "DateOfBirth")
LEGAL_MDS = ("LegalPersonIdentifier", "LegalName")
_LEGAL_EXTRA = (
    "LegalAddress",
    "VATRegistration",
    "TaxReference",
    "D-2012-17-EUIdentifier",
    "LEI",
    "EORI",
    "SEED",
    "SIC",
)


@dataclass(frozen=True)
class RequestedAttribute:
    friendly_name: str
    required: bool

    @property
    def name(self) -> str:
        return ATTRIBUTES[self.friendly_name]


def requested_attributes_parse(items: list[str]) -> list[RequestedAttribute]:
    """``["PersonIdentifier!", "Gender"]`` -> requested attributes (``!``: isRequired)."""
    parsed = []
    for item in items:
        friendly = item.rstrip("!")
        if friendly not in ATTRIBUTES:
            raise ValueError(f"unknown eIDAS attribute {friendly!r} (known: {', '.join(ATTRIBUTES)})")
        parsed.append(RequestedAttribute(friendly, item.endswith("!")))
    return parsed


@dataclass(frozen=True)
class EidasAttributes:
    """The identity of one eIDAS login: a natural person, a legal person, or both (a natural person
    representing a legal person)."""

    person_identifier: str = ""
    family_name: str = ""
    given_name: str = ""
    date_of_birth: datetime.date | None = None
    birth_name: str = ""
    place_of_birth: str = ""
    current_address: str = ""
    gender: str = ""
    legal_person_identifier: str = ""
    legal_name: str = ""
    legal_attributes: dict[str, str] = field(default_factory=dict)

    @property
    def is_natural_person(self) -> bool:
        return bool(self.person_identifier)

    @property
    def is_legal_person(self) -> bool:
        return bool(self.legal_person_identifier)

    @property
    def kind(self) -> str:
        if self.is_natural_person and self.is_legal_person:
            return "representative"
        return "natural" if self.is_natural_person else "legal"

    @property
    def uid(self) -> str:
        """Who logs in: the natural person when there is one (a representative acts in person)."""
        return self.person_identifier or self.legal_person_identifier

    @property
    def country(self) -> str:
        # eIDAS identifiers are "<issuing country>/<SP country>/<value>" (eIDAS SAML Attribute
        # Profile §2.2.3), so the first two letters name the eID's country.
        identifier = self.uid
        return identifier[:2].upper() if len(identifier) > 2 and identifier[2] == "/" else ""


def identity_from_attributes(
    raw: dict[str, list[str]], *, required: list[RequestedAttribute]
) -> EidasAttributes:
    def value(friendly: str) -> str:
        values = raw.get(ATTRIBUTES[friendly]) or []
        return values[0].strip() if values and values[0] else ""

    present = {friendly for friendly in ATTRIBUTES if value(friendly)}
    natural_started = present & set(NATURAL_MDS)
    legal_started = present & set(LEGAL_MDS)
    if not natural_started and not legal_started:
        raise EidasLoginError(
            "missing_attribute", "neither the natural nor the legal person's minimum data set"
        )
    # A minimum data set is all or nothing: half a person is no identity.
    for mds, started in ((NATURAL_MDS, natural_started), (LEGAL_MDS, legal_started)):
        if started and set(mds) - present:
            raise EidasLoginError(
                "missing_attribute", f"incomplete minimum data set: {sorted(set(mds) - present)}"
            )
    missing_required = [
        item.friendly_name for item in required if item.required and item.friendly_name not in present
    ]
    if missing_required:
        raise EidasLoginError("missing_attribute", f"requested as required: {missing_required}")

    date_of_birth = None
    if value("DateOfBirth"):
        try:
            date_of_birth = datetime.date.fromisoformat(value("DateOfBirth"))
        except ValueError as exc:
            raise EidasLoginError("invalid_attribute", f"DateOfBirth {value('DateOfBirth')!r}") from exc
    return EidasAttributes(
        person_identifier=value("PersonIdentifier"),
        family_name=value("FamilyName"),
        given_name=value("FirstName"),
        date_of_birth=date_of_birth,
        birth_name=value("BirthName"),
        place_of_birth=value("PlaceOfBirth"),
        current_address=value("CurrentAddress"),
        gender=value("Gender"),
        legal_person_identifier=value("LegalPersonIdentifier"),
        legal_name=value("LegalName"),
        legal_attributes={friendly: value(friendly) for friendly in _LEGAL_EXTRA if value(friendly)},
    )

"""eIDAS attributes (eIDAS SAML Attribute Profile v1.2) and the identity a response carries.

``identity_from_attributes`` reads python3-saml's ``{name: [values]}`` into an ``EidasAttributes``: the
person the login is about (a natural or a legal person) and, when someone acts for them, the representative.
It refuses a response whose minimum data sets are incomplete or whose values it cannot read.

Representation comes in two forms (docs/identities.md):

* the two data sets: a natural and a legal person's minimum data sets side by side, the natural person
  acting for the legal person;
* the representation attributes (profile v1.2 section 2.8; TDD 2.3 "Representation"): the represented
  person's attributes under the usual names, the representative's under
  ``…/naturalperson/representative/…`` or ``…/legalperson/representative/…`` with friendly names prefixed
  ``Representative``. The portal never requests them (TDD 2.3: they MUST NOT be requested); a node sends
  them when the user acts for someone.

Both forms give the same ``EidasAttributes``: ``natural_person`` or ``legal_person`` the subject,
``representative`` the natural person acting. A legal person acting for another is refused: the EDM's
``AuthorizedRepresentative`` is a person (R-EDM-REQ-S048), so the request could not say who asks.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from accounts.eidas.address import EidasAddress, EidasAddressError, address_parse
from accounts.eidas.errors import EidasLoginError

NATURAL = "http://eidas.europa.eu/attributes/naturalperson/"
LEGAL = "http://eidas.europa.eu/attributes/legalperson/"
REPRESENTATIVE_NATURAL = NATURAL + "representative/"
REPRESENTATIVE_LEGAL = LEGAL + "representative/"
NAME_FORMAT_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
REPRESENTATIVE_PREFIX = "Representative"

# Friendly name -> the attribute's name after its prefix. The family and given names are "Current…"
# (TOOLING.md). Nationality … EmailAddress are the optional attributes of the profile's later versions
# (1.3, 1.4): what EDM v1.2 and v2.0 carry beyond v1.0 (their sdg:Person additions).
NATURAL_ATTRIBUTES: Final = {
    "PersonIdentifier": "PersonIdentifier",
    "FamilyName": "CurrentFamilyName",
    "FirstName": "CurrentGivenName",
    "DateOfBirth": "DateOfBirth",
    "BirthName": "BirthName",
    "PlaceOfBirth": "PlaceOfBirth",
    "CurrentAddress": "CurrentAddress",
    "Gender": "Gender",
    "Nationality": "Nationality",
    "CountryOfBirth": "CountryOfBirth",
    "TownOfBirth": "TownOfBirth",
    "CountryOfResidence": "CountryOfResidence",
    "PhoneNumber": "PhoneNumber",
    "EmailAddress": "EmailAddress",
}
LEGAL_ATTRIBUTES: Final = {
    "LegalPersonIdentifier": "LegalPersonIdentifier",
    "LegalName": "LegalName",
    "LegalAddress": "LegalPersonAddress",
    "VATRegistration": "VATRegistrationNumber",
    "TaxReference": "TaxReference",
    "D-2012-17-EUIdentifier": "D-2012-17-EUIdentifier",
    "LEI": "LEI",
    "EORI": "EORI",
    "SEED": "SEED",
    "SIC": "SIC",
}
# Older eIDAS-Node attribute registries name two legal attributes after their friendly names; read too.
_ALIASES: Final = {"LegalPersonAddress": ("LegalAddress",), "VATRegistrationNumber": ("VATRegistration",)}

#: what the portal may request (``EIDAS_REQUESTED_ATTRIBUTES``): friendly name -> attribute name
ATTRIBUTES: Final[dict[str, str]] = {
    **{friendly: NATURAL + name for friendly, name in NATURAL_ATTRIBUTES.items()},
    **{friendly: LEGAL + name for friendly, name in LEGAL_ATTRIBUTES.items()},
}
#: what a node may add when the user acts for someone; never requested (TDD 2.3)
REPRESENTATIVE_ATTRIBUTES: Final[dict[str, str]] = {
    **{REPRESENTATIVE_PREFIX + f: REPRESENTATIVE_NATURAL + n for f, n in NATURAL_ATTRIBUTES.items()},
    **{REPRESENTATIVE_PREFIX + f: REPRESENTATIVE_LEGAL + n for f, n in LEGAL_ATTRIBUTES.items()},
}
NATURAL_MDS = ("PersonIdentifier", "FamilyName", "FirstName", "DateOfBirth")
LEGAL_MDS = ("LegalPersonIdentifier", "LegalName")

# Longest value kept, by attribute (the columns of accounts.models hold this much); longer is refused.
_MAX_CHARS: Final = {
    "PersonIdentifier": 256,
    "LegalPersonIdentifier": 256,
    "LegalName": 500,
    "PhoneNumber": 64,
    "EmailAddress": 254,
}
_DEFAULT_MAX_CHARS: Final = 300
# The profile's values (v1.1 and later); "Not Specified" is v1.0's spelling of "Unspecified".
_GENDERS: Final = {
    "male": "Male",
    "female": "Female",
    "unspecified": "Unspecified",
    "not specified": "Unspecified",
}
_COUNTRY: Final = re.compile(r"[A-Za-z]{2}")


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
        if friendly in REPRESENTATIVE_ATTRIBUTES:
            raise ValueError(f"eIDAS attribute {friendly!r} must not be requested (TDD 2.3: a node adds it)")
        if friendly not in ATTRIBUTES:
            raise ValueError(f"unknown eIDAS attribute {friendly!r} (known: {', '.join(ATTRIBUTES)})")
        parsed.append(RequestedAttribute(friendly, item.endswith("!")))
    return parsed


@dataclass(frozen=True)
class NaturalPersonAttributes:
    """One natural person's attribute set: the minimum data set and what the node added."""

    person_identifier: str
    family_name: str
    given_name: str
    date_of_birth: datetime.date
    birth_name: str = ""
    place_of_birth: str = ""
    current_address: EidasAddress | None = None
    gender: str = ""  # Male | Female | Unspecified
    nationality: str = ""  # ISO 3166-1 alpha-2, upper case
    country_of_birth: str = ""
    town_of_birth: str = ""
    country_of_residence: str = ""
    phone_number: str = ""
    email_address: str = ""


@dataclass(frozen=True)
class LegalPersonAttributes:
    """One legal person's attribute set: the minimum data set and the other registers' identifiers."""

    legal_person_identifier: str
    legal_name: str
    legal_address: EidasAddress | None = None
    vat_registration: str = ""
    tax_reference: str = ""
    eu_identifier: str = ""  # D-2012-17-EUIdentifier: the EUID of the business registers (BRIS)
    lei: str = ""
    eori: str = ""
    seed: str = ""
    sic: str = ""


@dataclass(frozen=True)
class EidasAttributes:
    """The identity of one eIDAS login: its subject (a natural or a legal person) and, when someone acts for
    the subject, the natural person who does."""

    natural_person: NaturalPersonAttributes | None = None
    legal_person: LegalPersonAttributes | None = None
    representative: NaturalPersonAttributes | None = None

    def __post_init__(self) -> None:
        if (self.natural_person is None) == (self.legal_person is None):
            raise ValueError("the subject is either a natural or a legal person")

    @property
    def kind(self) -> str:
        """A value of ``accounts.models.EidasIdentity.Kind``."""
        if self.representative is not None:
            return "representative" if self.legal_person is not None else "natural_representative"
        return "natural" if self.natural_person is not None else "legal"

    @property
    def acting_person(self) -> NaturalPersonAttributes | None:
        """The natural person at the keyboard: the representative, else the natural person subject."""
        return self.representative or self.natural_person

    @property
    def uid(self) -> str:
        """Who logs in: the natural person acting when there is one (a representative acts in person)."""
        if self.acting_person is not None:
            return self.acting_person.person_identifier
        assert self.legal_person is not None
        return self.legal_person.legal_person_identifier

    @property
    def country(self) -> str:
        # eIDAS identifiers are "<issuing country>/<SP country>/<value>" (eIDAS SAML Attribute
        # Profile §2.2.3), so the first two letters name the eID's country.
        identifier = self.uid
        return identifier[:2].upper() if len(identifier) > 2 and identifier[2] == "/" else ""

    @property
    def display_names(self) -> tuple[str, str]:
        """The user's first and last name as the portal shows them (a legal person alone: its name)."""
        person = self.acting_person
        if person is not None:
            return person.given_name, person.family_name
        assert self.legal_person is not None
        return "", self.legal_person.legal_name


class _Values:
    """The attributes of one set (one name prefix), read and checked one by one."""

    def __init__(self, raw: Mapping[str, list[str]], prefix: str, names: Mapping[str, str], who: str):
        self._raw, self._prefix, self._names, self._who = raw, prefix, names, who

    def __call__(self, friendly: str) -> str:
        text = self._first(friendly)
        limit = _MAX_CHARS.get(friendly, _DEFAULT_MAX_CHARS)
        if len(text) > limit:
            raise EidasLoginError("invalid_attribute", f"{self._who}{friendly} of {len(text)} characters")
        return text

    def _first(self, friendly: str) -> str:
        """The attribute's first value (several are transliterations of one, profile section 2.4)."""
        name = self._names[friendly]
        for candidate in (name, *_ALIASES.get(name, ())):
            values = self._raw.get(self._prefix + candidate) or []
            text = values[0].strip() if values and values[0] else ""
            if text:
                return text
        return ""

    def present(self) -> set[str]:
        return {friendly for friendly in self._names if self._first(friendly)}

    def started(self, mds: tuple[str, ...]) -> bool:
        """Whether this set is there; a minimum data set is all or nothing: half a person is no identity."""
        present = self.present()
        if not present & set(mds):
            return False
        missing = sorted(set(mds) - present)
        if missing:
            raise EidasLoginError("missing_attribute", f"incomplete minimum data set: {self._who}{missing}")
        return True

    def date(self, friendly: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(self(friendly))
        except ValueError as exc:
            raise EidasLoginError("invalid_attribute", f"{self._who}{friendly} {self(friendly)!r}") from exc

    def gender(self) -> str:
        value = self("Gender")
        if value and value.lower() not in _GENDERS:
            raise EidasLoginError("invalid_attribute", f"{self._who}Gender {value!r}")
        return _GENDERS.get(value.lower(), "")

    def country(self, friendly: str) -> str:
        value = self(friendly)
        if value and not _COUNTRY.fullmatch(value):
            raise EidasLoginError(
                "invalid_attribute", f"{self._who}{friendly} {value!r} is not a country code"
            )
        return value.upper()

    def address(self, friendly: str) -> EidasAddress | None:
        # base64 of an XML fragment, bounded by the address parser itself rather than by _MAX_CHARS
        value = self._first(friendly)
        if not value:
            return None
        try:
            return address_parse(value)
        except EidasAddressError as exc:
            raise EidasLoginError("invalid_attribute", f"{self._who}{friendly}: {exc}") from exc


def _natural_person(values: _Values) -> NaturalPersonAttributes | None:
    if not values.started(NATURAL_MDS):
        return None
    return NaturalPersonAttributes(
        person_identifier=values("PersonIdentifier"),
        family_name=values("FamilyName"),
        given_name=values("FirstName"),
        date_of_birth=values.date("DateOfBirth"),
        birth_name=values("BirthName"),
        place_of_birth=values("PlaceOfBirth"),
        current_address=values.address("CurrentAddress"),
        gender=values.gender(),
        nationality=values.country("Nationality"),
        country_of_birth=values.country("CountryOfBirth"),
        town_of_birth=values("TownOfBirth"),
        country_of_residence=values.country("CountryOfResidence"),
        phone_number=values("PhoneNumber"),
        email_address=values("EmailAddress"),
    )


def _legal_person(values: _Values) -> LegalPersonAttributes | None:
    if not values.started(LEGAL_MDS):
        return None
    return LegalPersonAttributes(
        legal_person_identifier=values("LegalPersonIdentifier"),
        legal_name=values("LegalName"),
        legal_address=values.address("LegalAddress"),
        vat_registration=values("VATRegistration"),
        tax_reference=values("TaxReference"),
        eu_identifier=values("D-2012-17-EUIdentifier"),
        lei=values("LEI"),
        eori=values("EORI"),
        seed=values("SEED"),
        sic=values("SIC"),
    )


def identity_from_attributes(
    raw: dict[str, list[str]], *, required: list[RequestedAttribute]
) -> EidasAttributes:
    natural = _Values(raw, NATURAL, NATURAL_ATTRIBUTES, "")
    legal = _Values(raw, LEGAL, LEGAL_ATTRIBUTES, "")
    natural_representative = _Values(raw, REPRESENTATIVE_NATURAL, NATURAL_ATTRIBUTES, REPRESENTATIVE_PREFIX)
    legal_representative = _Values(raw, REPRESENTATIVE_LEGAL, LEGAL_ATTRIBUTES, REPRESENTATIVE_PREFIX)

    natural_person = _natural_person(natural)
    legal_person = _legal_person(legal)
    representative = _natural_person(natural_representative)
    if legal_representative.started(LEGAL_MDS):
        raise EidasLoginError("representation_unsupported", "a legal person acting as representative")
    if natural_person is None and legal_person is None:
        raise EidasLoginError(
            "missing_attribute",
            "neither the natural nor the legal person's minimum data set"
            + (" besides the representative's" if representative else ""),
        )
    if representative is None and natural_person is not None and legal_person is not None:
        # The two data sets: the natural person acts for the legal person.
        natural_person, representative = None, natural_person
    if natural_person is not None and legal_person is not None:
        raise EidasLoginError("invalid_attribute", "a natural and a legal person besides a representative")

    # A required natural-person attribute may come as the representative's: when the user acts for a legal
    # person, the node sends the user's own attributes under the representative names.
    present = natural.present() | legal.present() | natural_representative.present()
    missing_required = [
        item.friendly_name for item in required if item.required and item.friendly_name not in present
    ]
    if missing_required:
        raise EidasLoginError("missing_attribute", f"requested as required: {missing_required}")
    return EidasAttributes(
        natural_person=natural_person, legal_person=legal_person, representative=representative
    )

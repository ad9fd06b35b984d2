"""Test persons of the eIDAS test IdP: natural persons of several countries, a non-Latin name, one whose eID
only reaches LoA low, one with every optional natural-person attribute, and representation in both of its
eIDAS forms: a natural person beside the legal person they act for (the two data sets, with every
legal-person identifier and the legal address), and representatives sent with the representation
attributes (``…/representative/…``) for a company and for another person.

Attribute values are what an eIDAS node sends: text, dates as ``YYYY-MM-DD``, and addresses as the base64
of an XML fragment whose ``eidas:`` prefix the fragment never declares (eIDAS SAML Attribute Profile v1.2,
section 2.2.9), as real nodes send them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, fields
from xml.sax.saxutils import escape


@dataclass(frozen=True, kw_only=True)
class PersonaAddress:
    """An address in the parts of the profile's ``CurrentAddressStructuredType`` (field -> element)."""

    po_box: str = ""
    locator_designator: str = ""
    locator_name: str = ""
    cv_address_area: str = ""
    thoroughfare: str = ""
    post_name: str = ""
    admin_unit_first_line: str = ""
    admin_unit_second_line: str = ""
    post_code: str = ""

    def parts(self) -> dict[str, str]:
        return {item.name: getattr(self, item.name) for item in fields(self) if getattr(self, item.name)}

    def encoded(self) -> str:
        """The attribute value: the base64 of one ``<eidas:Element>`` per part, a line each."""
        fragment = "".join(
            f"<eidas:{_ELEMENTS[name]}>{escape(value)}</eidas:{_ELEMENTS[name]}>\r\n"
            for name, value in self.parts().items()
        )
        return base64.b64encode(fragment.encode("utf-8")).decode("ascii")


_ELEMENTS = {
    "po_box": "PoBox",
    "locator_designator": "LocatorDesignator",
    "locator_name": "LocatorName",
    "cv_address_area": "CvaddressArea",
    "thoroughfare": "Thoroughfare",
    "post_name": "PostName",
    "admin_unit_first_line": "AdminunitFirstline",
    "admin_unit_second_line": "AdminunitSecondline",
    "post_code": "PostCode",
}
# persona field -> eIDAS friendly name, for the natural-person and the legal-person attributes
_NATURAL = {
    "person_identifier": "PersonIdentifier",
    "family_name": "FamilyName",
    "given_name": "FirstName",
    "date_of_birth": "DateOfBirth",
    "birth_name": "BirthName",
    "place_of_birth": "PlaceOfBirth",
    "current_address": "CurrentAddress",
    "gender": "Gender",
    "nationality": "Nationality",
    "country_of_birth": "CountryOfBirth",
    "town_of_birth": "TownOfBirth",
    "country_of_residence": "CountryOfResidence",
    "phone_number": "PhoneNumber",
    "email_address": "EmailAddress",
}
_LEGAL = {
    "legal_person_identifier": "LegalPersonIdentifier",
    "legal_name": "LegalName",
    "legal_address": "LegalAddress",
    "vat_registration": "VATRegistration",
    "tax_reference": "TaxReference",
    "eu_identifier": "D-2012-17-EUIdentifier",
    "lei": "LEI",
    "eori": "EORI",
    "seed": "SEED",
    "sic": "SIC",
}


@dataclass(frozen=True)
class Persona:
    """Who logs in. The natural-person fields and the legal-person fields are the attributes sent under the
    usual names (both sets: the natural person acts for the legal person); ``representative`` is a natural
    person sent under the representation attributes, acting for this persona."""

    key: str
    country: str
    given_name: str = ""
    family_name: str = ""
    date_of_birth: str = ""
    person_identifier: str = ""
    birth_name: str = ""
    place_of_birth: str = ""
    gender: str = ""
    current_address: PersonaAddress | None = None
    nationality: str = ""
    country_of_birth: str = ""
    town_of_birth: str = ""
    country_of_residence: str = ""
    phone_number: str = ""
    email_address: str = ""
    legal_name: str = ""
    legal_person_identifier: str = ""
    legal_address: PersonaAddress | None = None
    vat_registration: str = ""
    tax_reference: str = ""
    eu_identifier: str = ""
    lei: str = ""
    eori: str = ""
    seed: str = ""
    sic: str = ""
    representative: Persona | None = None
    max_loa: str = "high"
    #: what the Evidence Provider simulator does with a request about this persona (a scenario of
    #: ``simulators.evidence_provider.scenarios``); empty: its default (docs/simulators.md)
    provider_scenario: str = ""

    @property
    def label(self) -> str:
        person = f"{self.given_name} {self.family_name}".strip()
        subject = (
            f"{person} for {self.legal_name}" if person and self.legal_name else person or self.legal_name
        )
        if self.representative is not None:
            return f"{self.representative.given_name} {self.representative.family_name} for {subject}"
        return subject

    @property
    def name_id(self) -> str:
        """The NameID: the identifier of whoever logs in (the representative acts in person)."""
        acting = self.representative or self
        return acting.person_identifier or self.legal_person_identifier

    def attributes(self) -> dict[str, str]:
        """eIDAS friendly name -> value, only the attributes this persona has; the representative's under
        the friendly names prefixed ``Representative`` (eIDAS SAML Attribute Profile v1.2, section 2.8)."""
        values = {friendly: self._value(name) for name, friendly in (_NATURAL | _LEGAL).items()}
        if self.representative is not None:
            values |= {
                "Representative" + friendly: self.representative._value(name)
                for name, friendly in _NATURAL.items()
            }
        return {name: value for name, value in values.items() if value}

    def _value(self, name: str) -> str:
        value = getattr(self, name)
        return value.encoded() if isinstance(value, PersonaAddress) else str(value or "")


# Identifiers follow eIDAS: "<eID country>/<SP country>/<value>"; the SP country of the demo is BE.
PERSONAS: dict[str, Persona] = {
    persona.key: persona
    for persona in [
        Persona(
            "be-jan",
            "BE",
            "Jan",
            "Peeters",
            "1985-07-31",
            "BE/BE/85073100123",
            gender="Male",
            place_of_birth="Leuven",
        ),
        # Every optional natural-person attribute: those of the profile v1.2 and of its later versions.
        Persona(
            "fr-camille",
            "FR",
            "Camille",
            "Martin",
            "1990-02-14",
            "FR/BE/3bd9a5f1c2e04d7a",
            gender="Female",
            birth_name="Camille Bernard",
            place_of_birth="Lyon",
            current_address=PersonaAddress(
                locator_designator="12",
                thoroughfare="Rue de la République",
                cv_address_area="Presqu'île",
                post_code="69002",
                post_name="Lyon",
                admin_unit_second_line="Auvergne-Rhône-Alpes",
                admin_unit_first_line="FR",
            ),
            nationality="FR",
            country_of_birth="FR",
            town_of_birth="Lyon",
            country_of_residence="FR",
            phone_number="+33 4 78 00 00 00",
            email_address="camille.martin@example.org",
            provider_scenario="preview",
        ),
        Persona(
            "de-lukas",
            "DE",
            "Lukas",
            "Müller",
            "1978-11-03",
            "DE/BE/7f1c0d2e9a",
            gender="Male",
            provider_scenario="several-attachments",
        ),
        Persona(
            "el-georgios",
            "EL",
            "Γεώργιος",
            "Παπαδόπουλος",
            "1982-05-21",
            "EL/BE/123456789",
            gender="Male",
            place_of_birth="Αθήνα",
            provider_scenario="unavailable",
        ),
        Persona(
            "pl-zofia",
            "PL",
            "Zofia",
            "Kowalska",
            "1995-09-09",
            "PL/BE/95090912345",
            gender="Female",
            max_loa="low",
        ),
        Persona(
            "it-giulia",
            "IT",
            "Giulia",
            "Rossi",
            "1988-12-01",
            "IT/BE/RSSGLI88T41H501Z",
            gender="Female",
            provider_scenario="not-found",
        ),
        Persona(
            "nl-sanne",
            "NL",
            "Sanne",
            "de Vries",
            "1999-04-27",
            "NL/BE/s00000001",
            gender="Female",
            provider_scenario="structured-xml",
        ),
        # The two data sets: the natural person acts for the legal person, which has every identifier the
        # eIDAS legal-person attributes have, and its legal address.
        Persona(
            "es-carmen-soluciones",
            "ES",
            "Carmen",
            "García López",
            "1975-03-18",
            "ES/BE/12345678Z",
            gender="Female",
            legal_name="Soluciones Ibéricas S.L.",
            legal_person_identifier="ES/BE/B12345678",
            legal_address=PersonaAddress(
                thoroughfare="Calle de Alcalá",
                locator_designator="45",
                locator_name="Edificio Sol",
                post_code="28014",
                post_name="Madrid",
                admin_unit_second_line="Comunidad de Madrid",
                admin_unit_first_line="ES",
            ),
            vat_registration="ESB12345678",
            tax_reference="B12345678",
            eu_identifier="ESRMM.B12345678",
            lei="959800R1TQ8MZLQY6N44",
            eori="ESB12345678",
            seed="ES00008B1234567",
            sic="6201",
        ),
        Persona(
            "se-erik",
            "SE",
            "Erik",
            "Lindqvist",
            "1969-08-15",
            "SE/BE/196908151234",
            gender="Male",
            provider_scenario="preview-refused",
        ),
        # The provider asks for the preview with PreviewMethod POST: the portal hands the user over by POST.
        Persona(
            "lu-luc",
            "LU",
            "Luc",
            "Weber",
            "1991-03-08",
            "LU/BE/1991030812345",
            gender="Male",
            provider_scenario="preview-post",
        ),
        # The representation attributes: the company is the subject, its manager is sent as representative.
        Persona(
            "at-huber-bau",
            "AT",
            legal_name="Huber Bau GmbH",
            legal_person_identifier="AT/BE/FN123456x",
            legal_address=PersonaAddress(
                thoroughfare="Mariahilfer Straße",
                locator_designator="88",
                post_code="1070",
                post_name="Wien",
                admin_unit_first_line="AT",
            ),
            vat_registration="ATU12345678",
            representative=Persona(
                "at-anna",
                "AT",
                "Anna",
                "Huber",
                "1980-06-12",
                "AT/BE/AH19800612X",
                gender="Female",
                place_of_birth="Graz",
                current_address=PersonaAddress(
                    thoroughfare="Hauptplatz",
                    locator_designator="3",
                    post_code="8010",
                    post_name="Graz",
                    admin_unit_first_line="AT",
                ),
            ),
        ),
        # The representation attributes between two natural persons: a parent for a child.
        Persona(
            "pt-tomas",
            "PT",
            "Tomás",
            "Costa",
            "2012-10-05",
            "PT/BE/TC20121005P",
            gender="Male",
            place_of_birth="Porto",
            representative=Persona(
                "pt-ines",
                "PT",
                "Inês",
                "Costa",
                "1984-01-22",
                "PT/BE/IC19840122P",
                gender="Female",
                birth_name="Inês Ferreira",
            ),
        ),
    ]
}

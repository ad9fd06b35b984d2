"""Test persons of the eIDAS test IdP: natural persons of several countries, a legal person with its
representative, a non-Latin name, and one whose eID only reaches LoA low."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Persona:
    key: str
    country: str
    given_name: str = ""
    family_name: str = ""
    date_of_birth: str = ""
    person_identifier: str = ""
    birth_name: str = ""
    place_of_birth: str = ""
    gender: str = ""
    legal_name: str = ""
    legal_person_identifier: str = ""
    max_loa: str = "high"

    @property
    def label(self) -> str:
        person = f"{self.given_name} {self.family_name}".strip()
        return f"{person} for {self.legal_name}" if self.legal_name else person

    def attributes(self) -> dict[str, str]:
        """eIDAS friendly name -> value, only the attributes this persona has."""
        values = {
            "PersonIdentifier": self.person_identifier,
            "FamilyName": self.family_name,
            "FirstName": self.given_name,
            "DateOfBirth": self.date_of_birth,
            "BirthName": self.birth_name,
            "PlaceOfBirth": self.place_of_birth,
            "Gender": self.gender,
            "LegalPersonIdentifier": self.legal_person_identifier,
            "LegalName": self.legal_name,
        }
        return {name: value for name, value in values.items() if value}


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
        ),
        Persona("de-lukas", "DE", "Lukas", "Müller", "1978-11-03", "DE/BE/7f1c0d2e9a", gender="Male"),
        Persona(
            "el-georgios",
            "EL",
            "Γεώργιος",
            "Παπαδόπουλος",
            "1982-05-21",
            "EL/BE/123456789",
            gender="Male",
            place_of_birth="Αθήνα",
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
            "it-giulia", "IT", "Giulia", "Rossi", "1988-12-01", "IT/BE/RSSGLI88T41H501Z", gender="Female"
        ),
        Persona("nl-sanne", "NL", "Sanne", "de Vries", "1999-04-27", "NL/BE/s00000001", gender="Female"),
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
        ),
        Persona("se-erik", "SE", "Erik", "Lindqvist", "1969-08-15", "SE/BE/196908151234", gender="Male"),
    ]
}

"""What distinguishes one EDM version from another, as data: each version module fills in one instance.

Builders and validators ask the profile; nothing else in the package compares version strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ProcedureEncoding(StrEnum):
    #: ``rim:InternationalStringValueType`` with one ``rim:LocalizedString xml:lang="EN" value="T2"`` (v1.x)
    LOCALIZED = "localized"
    #: ``rim:StringValueType`` with ``rim:Value`` T2 (v2.0 reference messages)
    STRING = "string"


class XsdProfile(StrEnum):
    #: RegRep 4 + the official ``sdg`` v1.0 schema (strict on every ``sdg:`` element)
    SDG_V1_0 = "sdg-v1.0"
    #: RegRep 4 only; ``sdg:`` content is checked by the structural checks, no official XSD exists for it
    REGREP_ENVELOPE = "regrep"


@dataclass(frozen=True, slots=True, kw_only=True)
class EdmVersion:
    """One EDM version: its ``SpecificationIdentifier`` and every difference the builders must honour."""

    identifier: str  # the SpecificationIdentifier, e.g. "oots-edm:v1.2"
    procedure_encoding: ProcedureEncoding
    #: sdg:Requirement/sdg:Description (v1.0 rule R-EDM-REQ-S038 allows only Identifier and Name)
    requirement_descriptions: bool
    #: Nationality, CountryOfBirth, TownOfBirth, CountryOfResidence, PhoneNumber, EmailAddress on sdg:Person
    person_extended_attributes: bool
    #: sdg:Language inside the request's DistributedAs (v2.0 reference request)
    distribution_languages_in_request: bool
    #: ReturnLocation slot in the request (v2.0); v1.x pass the return address as ``returnurl`` parameter
    return_location_slot: bool
    #: v2.0 wraps the evidence ExtrinsicObjects in a RegistryPackage and classifies them (MainEvidence, …)
    evidence_in_registry_package: bool
    #: emit xml:lang on the QueryRequest root (the v1.x samples do, v2.0 does not)
    root_language: bool
    xsd_profile: XsdProfile
    #: folder under ``schematron/`` with the official rules for this version, or None when we have none
    schematron_folder: str | None
    #: the SpecificationIdentifier those rules require (R-EDM-REQ-C001, R-EDM-RESP-C002, R-EDM-ERR-C001) when
    #: they are another version's: the validator writes it in place of ours before running them
    schematron_identifier: str | None

    @property
    def short(self) -> str:
        """``v1.2`` for ``oots-edm:v1.2``."""
        return self.identifier.rpartition(":")[2]

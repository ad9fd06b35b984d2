"""EDM ``oots-edm:v1.1``: the identifier of the TDD 1.1.x line (1.1.0 Sep 2024 … 1.1.2 Apr 2025).

A national team's published TDD 1.1 examples differ from v1.0 in two ways only (issue 17): their
``SpecificationIdentifier``, and ``collectionType="urn:oasis:names:tc:ebxml-regrep:CollectionType:Set"``
on every collection value, which our builders write for every version. Everything else is v1.0: the same
``sdg`` schema, the same slots, ``Requirement`` without ``Description`` (R-EDM-REQ-S038). No TDD 1.1
artefact of our own backs this (docs/adr/0001-edm-versions.md says what is verified and what is not).

Validated by the official v1.0 ``sdg`` XSD and the v1.0 Schematron, run as if the message said
``oots-edm:v1.0``: those rules fix the identifier's value (R-EDM-REQ-C001, R-EDM-RESP-C002, R-EDM-ERR-C001),
as they fix the old Semantic Repository domain, which the validator maps back as well (DIGEST §9).
"""

from oots_client.edm.versions.base import EdmVersion, ProcedureEncoding, XsdProfile

V1_1 = EdmVersion(
    identifier="oots-edm:v1.1",
    procedure_encoding=ProcedureEncoding.LOCALIZED,
    requirement_descriptions=False,  # R-EDM-REQ-S038, as in v1.0
    person_extended_attributes=False,  # not in the v1.0 sdg XSD
    distribution_languages_in_request=False,
    return_location_slot=False,
    evidence_in_registry_package=False,
    root_language=True,
    xsd_profile=XsdProfile.SDG_V1_0,
    schematron_folder="edm-v1.0",
    schematron_identifier="oots-edm:v1.0",
)

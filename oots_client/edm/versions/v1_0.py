"""EDM ``oots-edm:v1.0`` (TDD Q4-2022, the 1.0.x line): the version of every official artefact we hold.

Validated by the official v1.0 ``sdg`` XSD and the official Schematron (DIGEST §0). Emits the new SR domain
like the October 2023 Projectathon messages; the validator maps it back for the April-2023 Schematron (§9).
"""

from oots_client.edm.versions.base import EdmVersion, ProcedureEncoding, XsdProfile

V1_0 = EdmVersion(
    identifier="oots-edm:v1.0",
    procedure_encoding=ProcedureEncoding.LOCALIZED,
    requirement_descriptions=False,  # R-EDM-REQ-S038
    person_extended_attributes=False,  # not in the v1.0 sdg XSD
    distribution_languages_in_request=False,
    return_location_slot=False,
    evidence_in_registry_package=False,
    root_language=True,
    xsd_profile=XsdProfile.SDG_V1_0,
    schematron_folder="edm-v1.0",
    schematron_identifier=None,
)

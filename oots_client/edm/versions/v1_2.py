"""EDM ``oots-edm:v1.2``: the official v1.2 preview-flow examples (``samples/edm-v1.2``) are the reference.

Differences from v1.0 seen there: ``sdg:Requirement/sdg:Description``; ``sdg:Person`` gains Nationality,
CountryOfBirth, TownOfBirth, CountryOfResidence, PhoneNumber and EmailAddress; data models under
``…/datamodels/``. No official v1.2 XSD or Schematron is available (SOURCES.md), see docs/adr/0001.
"""

from oots_client.edm.versions.base import EdmVersion, ProcedureEncoding, XsdProfile

V1_2 = EdmVersion(
    identifier="oots-edm:v1.2",
    procedure_encoding=ProcedureEncoding.LOCALIZED,
    requirement_descriptions=True,
    person_extended_attributes=True,
    distribution_languages_in_request=False,
    return_location_slot=False,
    evidence_in_registry_package=False,
    root_language=True,
    xsd_profile=XsdProfile.REGREP_ENVELOPE,
    schematron_folder=None,
    schematron_identifier=None,
)

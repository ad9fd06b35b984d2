"""EDM ``oots-edm:v2.0`` (TDD 2.0, Feb 2026): modelled on the reference messages of
``samples/oots-france-v2.0/reference/messages`` (validated upstream against the TDD 2.0.1 Schematron).

Differences from v1.2: ``Procedure`` is a plain ``StringValueType``; the request's ``DistributedAs`` may carry
``sdg:Language``; the return address travels as a ``ReturnLocation`` slot (DIGEST §7, unverified upstream);
the response wraps its ExtrinsicObjects in a ``rim:RegistryPackage`` and classifies each one in the scheme
``urn:fdc:oots:classification:edm``; no ``xml:lang`` on the request root.
"""

from oots_client.edm.versions.base import EdmVersion, ProcedureEncoding, XsdProfile

V2_0 = EdmVersion(
    identifier="oots-edm:v2.0",
    procedure_encoding=ProcedureEncoding.STRING,
    requirement_descriptions=True,
    person_extended_attributes=True,
    distribution_languages_in_request=True,
    return_location_slot=True,
    evidence_in_registry_package=True,
    root_language=False,
    xsd_profile=XsdProfile.REGREP_ENVELOPE,
    schematron_folder=None,
    schematron_identifier=None,
)

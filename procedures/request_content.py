"""The EDM request content: what the portal asks a provider for, built from the procedure, the requirement,
the citizen's eIDAS identity and the Data Service Directory's offer (DIGEST §10).

One builder, :func:`edm_request_content`, for the journey (``procedures.journey_services``) and the test
runners (``simulators.runners``); the choices it depends on — which distribution, which EDM version, which
classifications are echoed back — are made here too, once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from django.conf import settings

from accounts.models import EidasAddress, EidasIdentity, LevelOfAssurance
from oots_client.access_point import PartyId
from oots_client.common_services import AdditionalInputRequired, DataServiceOffer
from oots_client.common_services import Distribution as CsDistribution
from oots_client.edm import codelists
from oots_client.edm.model import (
    Address,
    Agent,
    Distribution,
    EvidenceProviderClassification,
    Identifier,
    LegalPerson,
    LocalizedText,
    NaturalPerson,
    RequestedEvidenceType,
)
from oots_client.edm.model import EvidenceRequest as EdmEvidenceRequest
from oots_client.edm.model import Requirement as EdmRequirement
from oots_client.edm.versions import EdmVersion, choose_version, get_version
from procedures.models import Procedure, Requirement


def edm_preference() -> tuple[EdmVersion, ...]:
    """The EDM versions in the order this portal prefers them (``OOTS_EDM_VERSION_PREFERENCE``, checked when
    the settings load): the one definition of that order, for the journey and the runners (ADR 0008)."""
    return tuple(get_version(name) for name in settings.OOTS_EDM_VERSION_PREFERENCE)


def preferred_edm_version(conforms_to: Sequence[str]) -> EdmVersion | None:
    """The version to speak with an access service that declares these in the Directory (``oots-edm:v1.2``,
    …): the first of :func:`edm_preference` it declares; None when it declares none of them."""
    return choose_version(conforms_to, edm_preference())


def offer_provider_name(offer: DataServiceOffer) -> str:
    """The provider's name as the Directory gives it (its access service's identifier when it names none)."""
    publisher = offer.publisher
    return publisher.name() if publisher else offer.access_service.identifier


def offer_access_point(offer: DataServiceOffer) -> PartyId:
    """The provider's access point (C3), where the request goes: the DSD's ``AccessService`` identifier."""
    service = offer.access_service
    return PartyId(service.identifier, service.scheme_id)


def preferred_distribution(distributions: Sequence[CsDistribution]) -> CsDistribution:
    """The one distribution asked for: a PDF when offered (readable by the user and the civil servant), else
    the first one the provider lists."""
    for candidate in distributions:
        if candidate.format == "application/pdf":
            return candidate
    return distributions[0] if distributions else CsDistribution(format="application/pdf")


def echoed_classifications(
    question: AdditionalInputRequired | None, values: Mapping[str, str]
) -> tuple[EvidenceProviderClassification, ...]:
    """The answers to a ``DSD:ERR:0005`` classification question, echoed in the request with the concept the
    Directory described (``values``: concept identifier → the value chosen)."""
    if question is None:
        return ()
    echoed: list[EvidenceProviderClassification] = []
    for asked in question.classification_questions:
        value = values.get(asked.identifier)
        if value:
            concept = asked.concept
            echoed.append(
                EvidenceProviderClassification(
                    identifier=Identifier(concept.identifier),
                    supported_values=(value,),
                    type=concept.type or None,
                    value_expression=concept.value_expression or None,
                    descriptions=concept.descriptions,
                )
            )
    return tuple(echoed)


def requirement_reference(requirement: Requirement) -> EdmRequirement:
    # The name in the portal's first language, labelled with that language: ``requirement.name`` would be
    # the citizen's language (procedures.translation), whatever the label says.
    language = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    name = getattr(requirement, f"name_{language}", None) or requirement.name
    return EdmRequirement(identifier=requirement.identifier, names=(LocalizedText(name, language.upper()),))


def requester_agent(procedure: Procedure) -> Agent:
    """The Evidence Requester: the authority that owns the procedure (R-EDM-REQ-C015…C017)."""
    authority = procedure.authority
    # As the requirement: the name in the portal's first language, labelled with it (authorities.translation).
    language = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    name = getattr(authority, f"name_{language}", None) or authority.name
    return Agent(
        identifier=Identifier(authority.requester_identifier, authority.requester_scheme),
        names=(LocalizedText(name, language.upper()),),
        address=Address(admin_unit_level1=authority.country),
        classification="ER",
    )


def _edm_loa(loa: str | None) -> str | None:
    return LevelOfAssurance(loa).edm_code if loa else None


# The eIDAS legal-person identifiers and their schemes in the IdentifierSchemes code list (R-EDM-REQ-C055):
# the EUID of the business registers (eIDAS D-2012-17-EUIdentifier) is its "BusinessCode".
LEGAL_IDENTIFIER_SCHEMES: tuple[tuple[str, str], ...] = (
    ("vat_registration", "VAT"),
    ("tax_reference", "TAX"),
    ("eu_identifier", "BusinessCode"),
    ("lei", "LEI"),
    ("eori", "EORI"),
    ("seed", "SEED"),
    ("sic", "SIC"),
)
_GENDERS = ("Male", "Female", "Unspecified")


def _edm_country(code: str) -> str | None:
    """An ISO 3166-1 alpha-2 code as the EDM's country list has it (Greece is EL there, GR in ISO), or None
    for anything else: the EDM refuses what is not in its list, so such a value is not sent."""
    code = code.strip().upper()
    code = "EL" if code == "GR" else code
    return code if len(code) == 2 and code in codelists.countries() else None


def _edm_address(address: EidasAddress | None, *, fallback_country: str = "") -> Address | None:
    """An eIDAS address (ISA Core Location parts) as an ``sdg:Address``.

    ``AdminUnitLevel1`` is the country and is mandatory (v1.0 XSD; R-EDM-REQ-C045, C056): the eIDAS
    ``AdminunitFirstline`` when it is a country code, else ``fallback_country``; an address in no known
    country is not sent. ``AdminUnitLevel2`` is a NUTS code in the EDM, so the eIDAS second line (a region's
    name as a rule) goes there only when it is one. ``FullAddress`` holds every part on one line, so that what
    has no element of its own (PO box, building, district, region) still reaches the provider.
    """
    if address is None:
        return None
    country = _edm_country(address.admin_unit_first_line) or _edm_country(fallback_country)
    if country is None:
        return None
    region = address.admin_unit_second_line.strip()
    return Address(
        admin_unit_level1=country,
        admin_unit_level2=region if region in codelists.nuts() else None,
        full_address=address.parts().one_line() or None,
        locator_designator=address.locator_designator or None,
        post_code=address.post_code or None,
        post_city_name=address.post_name or None,
        thoroughfare=address.thoroughfare or None,
    )


def _natural_person(
    identity: EidasIdentity, loa: str | None, *, representative: bool = False
) -> NaturalPerson:
    """The subject (a natural person) or, with ``representative``, the natural person acting for the subject:
    every eIDAS attribute ``sdg:Person`` has a place for. The attributes of EDM v1.2 and later (nationality …
    email address) are in the model whatever the version; the builder writes them where the version has
    them (``EdmVersion.person_extended_attributes``)."""
    prefix = "representative_" if representative else ""

    def column(name: str) -> str:
        return str(getattr(identity, prefix + name) or "")

    date_of_birth = getattr(identity, prefix + "date_of_birth")
    if date_of_birth is None:
        raise ValueError("the eIDAS identity has no date of birth")
    address = identity.representative_address if representative else identity.current_address
    person_identifier = column("person_identifier")
    gender = column("gender")
    return NaturalPerson(
        family_name=column("family_name"),
        given_name=column("given_name"),
        date_of_birth=date_of_birth,
        level_of_assurance=_edm_loa(loa),
        identifier=Identifier(person_identifier, "eidas") if person_identifier else None,
        birth_name=column("birth_name") or None,
        place_of_birth=column("place_of_birth") or None,
        current_address=_edm_address(address, fallback_country=column("country_of_residence")),
        gender=gender if gender in _GENDERS else None,
        nationality=_edm_country(column("nationality")),
        country_of_birth=_edm_country(column("country_of_birth")),
        town_of_birth=column("town_of_birth") or None,
        country_of_residence=_edm_country(column("country_of_residence")),
        phone_number=column("phone_number") or None,
        email_address=column("email_address") or None,
    )


def _legal_person(identity: EidasIdentity, loa: str | None) -> LegalPerson:
    """The subject, a legal person: its eIDAS identifier, the other registers' identifiers with their schemes
    (R-EDM-REQ-C054, C055), its registered address."""
    identifiers = tuple(
        Identifier(getattr(identity, column), scheme)
        for column, scheme in LEGAL_IDENTIFIER_SCHEMES
        if getattr(identity, column)
    )
    return LegalPerson(
        legal_name=identity.legal_name,
        level_of_assurance=_edm_loa(loa),
        identifiers=identifiers,
        legal_person_identifier=Identifier(identity.legal_person_identifier, "eidas")
        if identity.legal_person_identifier
        else None,
        registered_address=_edm_address(identity.legal_address),
    )


def subject_and_representative(
    identity: EidasIdentity, loa: str | None
) -> tuple[NaturalPerson | LegalPerson, NaturalPerson | None]:
    """The request's subject (the ``NaturalPerson`` or ``LegalPerson`` slot, R-EDM-REQ-S016) and the natural
    person acting for it (``AuthorizedRepresentative``, R-EDM-REQ-S036, S048), whichever form of
    representation the eIDAS node used (``accounts.eidas.attributes``)."""
    subject: NaturalPerson | LegalPerson
    if identity.kind in (EidasIdentity.Kind.LEGAL, EidasIdentity.Kind.REPRESENTATIVE):
        subject = _legal_person(identity, loa)
    else:
        subject = _natural_person(identity, loa)
    representative = _natural_person(identity, loa, representative=True) if identity.is_represented else None
    return subject, representative


def edm_request_content(
    *,
    procedure: Procedure,
    requirement: EdmRequirement,
    identity: EidasIdentity,
    loa: str | None,
    offer: DataServiceOffer,
    distribution: CsDistribution,
    version: EdmVersion,
    classifications: Sequence[EvidenceProviderClassification] = (),
    return_location: str | None = None,
) -> EdmEvidenceRequest:
    """The request for one evidence type of ``offer``, about the citizen ``identity`` logged in at ``loa``.

    ``return_location`` goes with the request only where ``version`` has a slot for it (v2.0); the earlier
    versions pass the return address to the preview as a parameter instead.
    """
    publisher = offer.publisher
    if publisher is None:
        raise ValueError("the data service names no evidence provider")
    evidence_type = offer.evidence_type
    subject, representative = subject_and_representative(identity, loa)
    content = EdmEvidenceRequest(
        evidence_requester=requester_agent(procedure),
        evidence_provider=Agent(
            identifier=Identifier(publisher.identifier, publisher.scheme_id),
            names=publisher.names or (LocalizedText(publisher.identifier, "EN"),),
        ),
        evidence=RequestedEvidenceType(
            identifier=evidence_type.identifier,
            classification=evidence_type.classification,
            titles=evidence_type.titles,
            descriptions=evidence_type.descriptions,
            distribution=Distribution(
                format=distribution.format,
                conforms_to=distribution.conforms_to,
                transformation=distribution.transformation,
                languages=distribution.languages,
            ),
        ),
        subject=subject,
        authorized_representative=representative,
        possibility_for_preview=procedure.possibility_for_preview,
        procedure=procedure.code,
        requirements=(requirement,),
        evidence_provider_classifications=tuple(classifications),
    )
    if return_location and version.return_location_slot:
        content = dataclasses.replace(content, return_location=return_location)
    return content

"""The EDM request content: what the portal asks a provider for, built from the procedure, the requirement,
the citizen's eIDAS identity and the Data Service Directory's offer (DIGEST §10).

One builder, :func:`edm_request_content`, for the journey (``procedures.journey_services``) and the test
runners (``simulators.runners``); the choices it depends on — which distribution, which EDM version, which
classifications are echoed back — are made here too, once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import EidasIdentity, LevelOfAssurance
from oots_client.access_point import PartyId
from oots_client.common_services import AdditionalInputRequired, DataServiceOffer
from oots_client.common_services import Distribution as CsDistribution
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
from oots_client.edm.versions import V1_0, V1_2, V2_0, EdmVersion
from procedures.models import Procedure, Requirement

# EDM versions in the order the portal prefers them when a provider's access service speaks several: v1.2 is
# the version the network runs (preview with the ``returnurl`` parameter, well-known to every provider); v2.0
# next; v1.0 last (it cannot carry requirement descriptions nor the v1.2 person attributes).
EDM_PREFERENCE: tuple[EdmVersion, ...] = (V1_2, V2_0, V1_0)


def preferred_edm_version(conforms_to: Sequence[str]) -> EdmVersion | None:
    """The version to speak with an access service that conforms to these (``oots-edm:v1.2``, …)."""
    return next((version for version in EDM_PREFERENCE if version.identifier in conforms_to), None)


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
    return EdmRequirement(identifier=requirement.identifier, names=(LocalizedText(requirement.name, "EN"),))


def requester_agent(procedure: Procedure) -> Agent:
    return Agent(
        identifier=Identifier(procedure.requester_identifier, procedure.requester_scheme),
        names=(LocalizedText(procedure.requester_name, "EN"),),
        address=Address(admin_unit_level1=procedure.country),
        classification="ER",
    )


def _edm_loa(loa: str | None) -> str | None:
    return LevelOfAssurance(loa).edm_code if loa else None


def _natural_person(identity: EidasIdentity, loa: str | None) -> NaturalPerson:
    if identity.date_of_birth is None:
        raise ValueError("the eIDAS identity has no date of birth")
    return NaturalPerson(
        family_name=identity.family_name,
        given_name=identity.given_name,
        date_of_birth=identity.date_of_birth,
        level_of_assurance=_edm_loa(loa),
        identifier=Identifier(identity.person_identifier, "eidas") if identity.person_identifier else None,
    )


def subject_and_representative(
    identity: EidasIdentity, loa: str | None
) -> tuple[NaturalPerson | LegalPerson, NaturalPerson | None]:
    """The request's subject: the natural person, or the legal person with its representative."""
    if identity.kind == EidasIdentity.Kind.NATURAL:
        return _natural_person(identity, loa), None
    legal = LegalPerson(
        legal_name=identity.legal_name,
        level_of_assurance=_edm_loa(loa),
        legal_person_identifier=Identifier(identity.legal_person_identifier, "eidas")
        if identity.legal_person_identifier
        else None,
    )
    if identity.kind == EidasIdentity.Kind.REPRESENTATIVE:
        return legal, _natural_person(identity, loa)
    return legal, None


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


def person_data_shown(identity: EidasIdentity | None, loa: str | None) -> list[tuple[Any, str]]:
    """What the provider will see about the user (step 3 states it before the request)."""
    if identity is None:
        return []
    rows: list[tuple[Any, str]] = []
    if identity.kind != EidasIdentity.Kind.NATURAL:
        rows += [
            (_("Company or organisation"), identity.legal_name),
            (_("Its identifier"), identity.legal_person_identifier),
        ]
    if identity.kind != EidasIdentity.Kind.LEGAL:
        prefix = identity.kind == EidasIdentity.Kind.REPRESENTATIVE
        rows += [
            (_("Representative's given name") if prefix else _("Given name"), identity.given_name),
            (_("Representative's family name") if prefix else _("Family name"), identity.family_name),
            (_("Date of birth"), identity.date_of_birth.isoformat() if identity.date_of_birth else ""),
            (_("Personal identifier (eIDAS)"), identity.person_identifier),
        ]
    rows.append((_("Level of assurance of your login"), (loa or "").capitalize()))
    return [(label, value) for label, value in rows if value]

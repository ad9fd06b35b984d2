"""The Evidence Request (``query:QueryRequest``, ER → EP) of every EDM version.

Rule ids are those of the v1.0 business rules (EDM-REQ-S structure, EDM-REQ-C content); what a version
does differently comes from its profile (``oots_client.edm.versions``), never from its name.
"""

from __future__ import annotations

from oots_client.edm import codelists
from oots_client.edm import namespaces as ns
from oots_client.edm.build.checks import URN_UUID, check_code, require
from oots_client.edm.build.markup import Node, query, rim, sdg
from oots_client.edm.build.parts import (
    agent,
    any_slot,
    boolean_slot,
    collection_slot,
    datetime_slot,
    distribution,
    identifier,
    legal_person,
    optional,
    person,
    sr_uri,
    string_slot,
    texts,
)
from oots_client.edm.locations import is_secure_location
from oots_client.edm.model import (
    EvidenceProviderClassification,
    EvidenceRequest,
    NaturalPerson,
    RequestedEvidenceType,
    Requirement,
)
from oots_client.edm.versions import EdmVersion, ProcedureEncoding


def query_request(request: EvidenceRequest, version: EdmVersion) -> Node:
    """The whole request; the slots in the order of the TDD's examples (slots are read by name)."""
    require(URN_UUID.fullmatch(request.request_id), "request id must be urn:uuid:<UUID>", "/@id")
    # R-EDM-REQ-S010: the explicit request must have been recorded before the request is sent
    require(request.explicit_request_given, "ExplicitRequestGiven must be true before sending", "/")
    if request.preview_location is not None:  # R-EDM-REQ-C005
        require(is_secure_location(request.preview_location), "PreviewLocation must be https", "Preview")
    # v2.0 carries the portal's return address in the request; v1.x pass it as returnurl parameter
    return_location = request.return_location if version.return_location_slot else None
    if return_location is not None:
        require(is_secure_location(return_location), "ReturnLocation must be https", "Return")
    return query.QueryRequest(
        string_slot("SpecificationIdentifier", version.identifier),  # R-EDM-REQ-S005, S020, C001
        datetime_slot("IssueDateTime", request.issue_datetime),  # R-EDM-REQ-S006, S021, C002
        _procedure(request.procedure, version),  # R-EDM-REQ-S007 (SHOULD), S022, C003, C004
        # R-EDM-REQ-S008, S023: only in the second request of the preview flow
        string_slot("PreviewLocation", request.preview_location),
        string_slot("ReturnLocation", return_location),
        # R-EDM-REQ-S009, S024: what the ER's law says of previews (DIGEST §1 item 7)
        boolean_slot("PossibilityForPreview", request.possibility_for_preview),
        boolean_slot("ExplicitRequestGiven", True),  # R-EDM-REQ-S010, S025
        _requirements(request.requirements, version),  # R-EDM-REQ-S011 (SHOULD), S026, S027, S037
        _requesters(request),  # R-EDM-REQ-S012, S028, S029, S039, S040
        # R-EDM-REQ-S013, S030, S042, S043: the provider as the DSD's Publisher, Identifier and Name only
        any_slot("EvidenceProvider", agent(request.evidence_provider, "EvidenceProvider", full=False)),
        _classifications(request.evidence_provider_classifications),  # R-EDM-REQ-S014, S031, S032, S041
        query.ResponseOption(returnType=ns.RETURN_TYPE),  # R-EDM-REQ-C024
        query.Query(
            _subject(request, version),  # R-EDM-REQ-S016: NaturalPerson or LegalPerson, never both
            _representative(request, version),
            any_slot("EvidenceRequest", _evidence_type(request.evidence, version)),  # R-EDM-REQ-S015
            queryDefinition=ns.QUERY_DEFINITION,  # R-EDM-REQ-C025
        ),
        id=request.request_id,  # R-EDM-REQ-S004: urn:uuid, a new one for every request
        xml_lang="EN" if version.root_language else None,
    )


def _procedure(code: str | None, version: EdmVersion) -> Node | None:
    """The procedure's code (``T2``), not its name, exactly from the Procedures list (R-EDM-REQ-C003)."""
    if code is None:
        return None
    check_code(code, codelists.procedures(), "procedure", "Procedure")
    if version.procedure_encoding is ProcedureEncoding.STRING:
        return string_slot("Procedure", code)
    return rim.Slot(
        rim.SlotValue(
            rim.Value(rim.LocalizedString(xml_lang="EN", value=code)),
            xsi_type="rim:InternationalStringValueType",
        ),
        name="Procedure",
    )


def _requirements(requirements: tuple[Requirement, ...], version: EdmVersion) -> Node | None:
    """The Evidence Broker's requirements: Identifier and Name; a Description only where the version has one
    (R-EDM-REQ-S038 allows nothing else in v1.0)."""
    for requirement in requirements:
        require(requirement.names, "a requirement needs a name", "Requirements")
    return collection_slot(
        "Requirements",
        (
            sdg.Requirement(
                sdg.Identifier(sr_uri(requirement.identifier)),
                *texts(sdg.Name, requirement.names, "Requirements"),
                *(
                    texts(sdg.Description, requirement.descriptions, "Requirements")
                    if version.requirement_descriptions
                    else ()
                ),
            )
            for requirement in requirements
        ),
    )


def _requesters(request: EvidenceRequest) -> Node | None:
    """The ER (classified ER, R-EDM-REQ-C013, C014) and the intermediary platform acting for it (IP)."""
    requester, platform = request.evidence_requester, request.intermediary_platform
    require(requester.classification == "ER", "EvidenceRequester must be classified ER", "ER")
    if platform is not None:
        require(platform.classification == "IP", "intermediary must be classified IP", "IP")
    return collection_slot(
        "EvidenceRequester",
        [agent(requester, "EvidenceRequester", full=True), agent(platform, "EvidenceRequester", full=True)],
    )


def _classifications(concepts: tuple[EvidenceProviderClassification, ...]) -> Node | None:
    """The DSD's classification concepts with the user's answers (DIGEST §5.3 step 4): Identifier (C019),
    Type (C020), ValueExpression, Description (C021, C022), SupportedValue (C023)."""
    for concept in concepts:
        require(concept.supported_values, "a classification needs the user's value", "EPC")
    return collection_slot(
        "EvidenceProviderClassification",
        (
            sdg.EvidenceProviderClassification(
                identifier(sdg.Identifier, concept.identifier),
                optional(sdg.Type, concept.type),
                optional(sdg.ValueExpression, concept.value_expression),
                *texts(sdg.Description, concept.descriptions, "EvidenceProviderClassification"),
                sdg.SupportedValue(*(sdg.StringValue(value) for value in concept.supported_values)),
            )
            for concept in concepts
        ),
    )


def _subject(request: EvidenceRequest, version: EdmVersion) -> Node:
    """The evidence subject; its level of assurance is mandatory (R-EDM-REQ-C036, C047)."""
    subject = request.subject
    if isinstance(subject, NaturalPerson):  # R-EDM-REQ-S035, S046
        return any_slot("NaturalPerson", person(subject, version, "NaturalPerson", needs_loa=True))
    # R-EDM-REQ-S034, S047
    return any_slot("LegalPerson", legal_person(subject, "LegalPerson", needs_loa=True))


def _representative(request: EvidenceRequest, version: EdmVersion) -> Node | None:
    """Who acts for the subject (R-EDM-REQ-S036, S048, C058 … C067)."""
    representative = request.authorized_representative
    if representative is None:
        return None
    return any_slot(
        "AuthorizedRepresentative",
        person(representative, version, "AuthorizedRepresentative", needs_loa=True),
    )


def _evidence_type(evidence: RequestedEvidenceType, version: EdmVersion) -> Node:
    """The DSD's ``DataServiceEvidenceType`` as copied, with the one chosen distribution (R-EDM-REQ-S044,
    S045; Identifier C026, classification C027, titles and descriptions C028 … C031, DistributedAs C032)."""
    require(evidence.titles, "the evidence type needs a title", "EvidenceRequest")
    return sdg.DataServiceEvidenceType(
        sdg.Identifier(evidence.identifier),
        sdg.EvidenceTypeClassification(sr_uri(evidence.classification)),
        *texts(sdg.Title, evidence.titles, "EvidenceRequest"),
        *texts(sdg.Description, evidence.descriptions, "EvidenceRequest"),
        distribution(
            sdg.DistributedAs,
            evidence.distribution,
            "EvidenceRequest",
            with_languages=version.distribution_languages_in_request,
        ),
    )

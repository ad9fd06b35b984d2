"""The Evidence Response (``query:QueryResponse``, Success or Unavailable, EP → ER) of every EDM version.

The portal never sends one; the Evidence Provider simulator and the tests do. Rule ids are those of the
v1.0 business rules (EDM-RESP-S structure, EDM-RESP-C content).
"""

from __future__ import annotations

import uuid

from oots_client.edm import namespaces as ns
from oots_client.edm.build.checks import BARE_UUID, URN_UUID, require
from oots_client.edm.build.markup import Node, query, rim, sdg
from oots_client.edm.build.parts import (
    agent,
    any_slot,
    collection_slot,
    datetime_slot,
    distribution,
    legal_person,
    person,
    sr_uri,
    string_slot,
    texts,
)
from oots_client.edm.model import (
    EvidenceItem,
    EvidenceMetadata,
    EvidenceResponse,
    NaturalPerson,
    ResponseStatus,
)
from oots_client.edm.versions import EdmVersion


def query_response(response: EvidenceResponse, version: EdmVersion, package_id: str | None) -> Node:
    """The whole response. ``package_id`` names the v2.0 ``rim:RegistryPackage`` around the evidence."""
    require(response.status is not ResponseStatus.FAILURE, "use build_error for Failure", "/@status")
    # R-EDM-RESP-C003: a bare UUID, unlike the ids of the request and the objects
    require(BARE_UUID.fullmatch(response.response_id), "EvidenceResponseIdentifier must be a UUID", "/")
    require(URN_UUID.fullmatch(response.request_id), "requestId must be urn:uuid:<UUID>", "/@requestId")
    if response.status is ResponseStatus.UNAVAILABLE:  # R-EDM-RESP-S014: when the evidence will be there
        require(response.response_available_datetime is not None, "Unavailable needs a date", "/")
    return query.QueryResponse(
        string_slot("SpecificationIdentifier", version.identifier),  # R-EDM-RESP-S009, S017, C002
        string_slot("EvidenceResponseIdentifier", response.response_id),  # R-EDM-RESP-S010, S018
        datetime_slot("IssueDateTime", response.issue_datetime),  # R-EDM-RESP-S011, S019, C004
        # R-EDM-RESP-S012, S020, S025, S026: the provider in full, classified EP (C010, C011)
        collection_slot(
            "EvidenceProvider", [agent(response.evidence_provider, "EvidenceProvider", full=True)]
        ),
        # R-EDM-RESP-S013, S022, S027, S028: the requester, Identifier and Name only
        any_slot("EvidenceRequester", agent(response.evidence_requester, "EvidenceRequester", full=False)),
        # R-EDM-RESP-S014, S023, C005
        datetime_slot("ResponseAvailableDateTime", response.response_available_datetime),
        # R-EDM-RESP-S007: a Success has the list, empty when nothing was found (DIGEST §1 item 5)
        _evidence_list(response, version, package_id) if response.status is ResponseStatus.SUCCESS else None,
        status=ns.STATUS_PREFIX + response.status.value,  # R-EDM-RESP-S005, S006
        requestId=response.request_id,  # R-EDM-RESP-S003, S004: the request's @id
    )


def _evidence_list(response: EvidenceResponse, version: EdmVersion, package_id: str | None) -> Node:
    """The evidence objects; v2.0 wraps them in a ``rim:RegistryPackage`` (its profile says so)."""
    objects = [_evidence_object(item, version) for item in response.evidences]
    if not objects or not version.evidence_in_registry_package:
        return rim.RegistryObjectList(*objects)
    require(package_id is not None, "v2.0 responses need a RegistryPackage id", "/")
    return rim.RegistryObjectList(
        rim.RegistryObject(
            rim.RegistryObjectList(*objects),
            id=package_id,
            xsi_type="rim:RegistryPackageType",
        )
    )


def _evidence_object(item: EvidenceItem, version: EdmVersion) -> Node:
    """One evidence: its metadata, its v2.0 classification, the reference to its MIME part."""
    # R-EDM-RESP-S036, S037
    require(URN_UUID.fullmatch(item.registry_object_id), "object id must be urn:uuid", "RegistryObject")
    attachment = item.attachment
    if attachment is not None:  # R-EDM-RESP-C042: the cid: of an AS4 MIME part
        require(attachment.href.startswith("cid:"), "attachment reference must be cid:", "RepositoryItemRef")
    return rim.RegistryObject(
        any_slot("EvidenceMetadata", _evidence(item.metadata, version)),  # R-EDM-RESP-S015, S024, S029
        _classification(item) if version.evidence_in_registry_package else None,
        # R-EDM-RESP-S033 … S035
        None
        if attachment is None
        else rim.RepositoryItemRef(xlink_href=attachment.href, xlink_title=attachment.title),
        id=item.registry_object_id,
        xsi_type="rim:ExtrinsicObjectType",
    )


def _classification(item: EvidenceItem) -> Node:
    """v2.0: the object's role (MainEvidence, Annex, …); its id is derived so that output stays the same."""
    return rim.Classification(
        id=f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, item.registry_object_id)}",
        classificationScheme=ns.EDM_CLASSIFICATION_SCHEME,
        classificationNode=item.classification_node or "MainEvidence",
    )


def _evidence(meta: EvidenceMetadata, version: EdmVersion) -> Node:
    """``sdg:Evidence``: Identifier (C015), subject, issuer (C038, C039), type (S030, C017 … C021), issuing
    date (C016), distribution, validity (C040, C041)."""
    return sdg.Evidence(
        sdg.Identifier(meta.identifier),
        sdg.IsAbout(_subject(meta, version)),
        agent(meta.issuing_authority, "IssuingAuthority", full=True, element=sdg.IssuingAuthority),
        sdg.IsConformantTo(
            sdg.EvidenceTypeClassification(sr_uri(meta.classification)),
            *texts(sdg.Title, meta.titles, "IsConformantTo"),
            *texts(sdg.Description, meta.descriptions, "IsConformantTo"),
        ),
        sdg.IssuingDate(meta.issuing_date.isoformat()),
        distribution(sdg.Distribution, meta.distribution, "Distribution", with_languages=True),
        None
        if meta.validity_start is None or meta.validity_end is None
        else sdg.ValidityPeriod(
            sdg.StartDate(meta.validity_start.isoformat()),
            sdg.EndDate(meta.validity_end.isoformat()),
        ),
    )


def _subject(meta: EvidenceMetadata, version: EdmVersion) -> Node:
    """Whom the evidence is about (R-EDM-RESP-C027 … C037); no level of assurance needed here."""
    subject = meta.is_about
    if isinstance(subject, NaturalPerson):
        return person(subject, version, "IsAbout", needs_loa=False, element=sdg.NaturalPerson)
    return legal_person(subject, "IsAbout", needs_loa=False)

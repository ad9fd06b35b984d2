"""The provider simulator's EDM answers, built with ``oots_client.edm`` in the request's own version.

Pure functions: a parsed request in, a :class:`ProviderAnswer` out (RegRep bytes and evidence parts whose
``cid:`` are the ones ``rim:RepositoryItemRef`` points at, DIGEST §10).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from django.conf import settings

from oots_client.access_point.model import Payload
from oots_client.edm import (
    Agent,
    AttachmentRef,
    Distribution,
    EdmException,
    ErrorResponse,
    EvidenceItem,
    EvidenceMetadata,
    EvidenceResponse,
    LocalizedText,
    NaturalPerson,
    QueryRequest,
    ResponseStatus,
    build_error,
    build_response,
)
from oots_client.edm import namespaces as ns
from simulators.access_point.delivery import ProviderAnswer
from simulators.evidence_provider import documents
from simulators.evidence_provider.scenarios import subject_name

CID_DOMAIN: Final = "ep-sim.oots.local"
XML_DATA_MODEL: Final = "https://sr.oots.tech.ec.europa.eu/datamodels/oots-portal-simulator-evidence-1.0.0"
# EDM 1.0 named data models ".../distributions/..." (R-EDM-RESP-C022).
XML_DATA_MODEL_V1_0: Final = (
    "https://sr.oots.tech.ec.europa.eu/distributions/oots-portal-simulator-evidence-1.0.0"
)
FALLBACK_VERSION: Final = "oots-edm:v1.2"  # for a request too broken to tell its version


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _provider(request: QueryRequest, classification: str) -> Agent:
    provider = request.request.evidence_provider
    return Agent(identifier=provider.identifier, names=provider.names, classification=classification)


def _requester(request: QueryRequest) -> Agent:
    requester = request.request.evidence_requester
    return Agent(identifier=requester.identifier, names=requester.names)


@dataclass(frozen=True, slots=True)
class _Part:
    title: str
    mime_type: str
    data: bytes
    node: str = "MainEvidence"  # v2.0 classification of the evidence in its package
    conforms_to: str | None = None


def _subject_fields(request: QueryRequest) -> dict[str, str]:
    subject = request.request.subject
    if isinstance(subject, NaturalPerson):
        fields = {
            "FamilyName": subject.family_name,
            "GivenName": subject.given_name,
            "DateOfBirth": subject.date_of_birth.isoformat(),
        }
        if subject.identifier is not None:
            fields["Identifier"] = subject.identifier.value
        return fields
    return {"LegalName": subject.legal_name}


def evidence_parts(request: QueryRequest, kind: str) -> list[_Part]:
    """The files of an evidence: ``pdf`` (one PDF), ``several`` (PDF, annex PDF, PNG) or ``xml``."""
    evidence = request.request.evidence
    title = evidence.titles[0].value if evidence.titles else "Evidence"
    provider = request.request.evidence_provider.name
    person = subject_name(request.request)
    lines = [
        title,
        f"Issued to: {person}",
        f"Issued by: {provider}",
        f"Date of issue: {_now().date().isoformat()}",
        "Sample evidence made by the OOTS Evidence Provider simulator. Not a real document.",
    ]
    if kind == "xml":
        data = documents.sample_xml(
            title=title,
            subject=_subject_fields(request),
            issuer=provider,
            issued=_now().date(),
            evidence_id=str(uuid.uuid4()),
        )
        conforms_to = evidence.distribution.conforms_to or (
            XML_DATA_MODEL_V1_0 if request.version == "oots-edm:v1.0" else XML_DATA_MODEL
        )
        return [_Part(title, "application/xml", data, conforms_to=conforms_to)]
    size = settings.OOTS_EP_SIM_EVIDENCE_BYTES
    parts = [_Part(title, "application/pdf", documents.sample_pdf(lines, min_size=size))]
    if kind == "several":
        annex = [f"Annex to: {title}", f"Issued to: {person}", "Supplementary document (simulator)."]
        parts.append(_Part(f"{title} (annex)", "application/pdf", documents.sample_pdf(annex), node="Annex"))
        parts.append(_Part(f"{title} (seal)", "image/png", documents.sample_png(), node="Annex"))
    return parts


def evidence_answer(request: QueryRequest, *, key: str, kind: str = "pdf") -> ProviderAnswer:
    """A Success response carrying the evidence files as AS4 parts."""
    now = _now()
    payloads: list[Payload] = []
    items: list[EvidenceItem] = []
    for part in evidence_parts(request, kind):
        # R-EDM-RESP-C042 (v1.0) wants "cid:" + [a-z0-9]* + "@": a hex uuid, no hyphens.
        cid = f"cid:{uuid.uuid4().hex}@{CID_DOMAIN}"
        payloads.append(Payload(cid=cid, mime_type=part.mime_type, data=part.data))
        evidence = request.request.evidence
        items.append(
            EvidenceItem(
                registry_object_id=f"urn:uuid:{uuid.uuid4()}",
                metadata=EvidenceMetadata(
                    identifier=str(uuid.uuid4()),
                    is_about=request.request.subject,
                    issuing_authority=_provider(request, "EP"),
                    classification=evidence.classification,
                    titles=(LocalizedText(part.title, "EN"),),
                    descriptions=evidence.descriptions[:1],
                    issuing_date=now.date(),
                    distribution=Distribution(
                        format=part.mime_type, conforms_to=part.conforms_to, languages=("EN",)
                    ),
                ),
                attachment=AttachmentRef(href=cid, title=part.title),
                classification_node=part.node,
            )
        )
    response = EvidenceResponse(
        version=request.version,
        request_id=request.request_id,
        status=ResponseStatus.SUCCESS,
        response_id=str(uuid.uuid4()),
        issue_datetime=now,
        evidence_provider=_provider(request, "EP"),
        evidence_requester=_requester(request),
        evidences=tuple(items),
    )
    regrep = build_response(response, package_id=f"urn:uuid:{uuid.uuid4()}")
    return ProviderAnswer(
        key=key, regrep=regrep, specification_id=request.version, attachments=tuple(payloads)
    )


def unavailable_answer(request: QueryRequest, *, key: str, until: dt.datetime) -> ProviderAnswer:
    response = EvidenceResponse(
        version=request.version,
        request_id=request.request_id,
        status=ResponseStatus.UNAVAILABLE,
        response_id=str(uuid.uuid4()),
        issue_datetime=_now(),
        evidence_provider=_provider(request, "EP"),
        evidence_requester=_requester(request),
        response_available_datetime=until,
    )
    return ProviderAnswer(key=key, regrep=build_response(response), specification_id=request.version)


def error_answer(
    request: QueryRequest | None,
    *,
    key: str,
    exceptions: Sequence[EdmException],
    version: str | None = None,
) -> ProviderAnswer:
    error = ErrorResponse(
        version=request.version if request else (version or FALLBACK_VERSION),
        request_id=request.request_id if request else None,
        response_id=str(uuid.uuid4()),
        exceptions=tuple(exceptions),
        error_provider=_provider(request, "ERRP") if request else None,
        evidence_requester=_requester(request) if request else None,
    )
    return ProviderAnswer(key=key, regrep=build_error(error), specification_id=error.version, error=True)


def not_found_answer(request: QueryRequest, *, key: str) -> ProviderAnswer:
    exception = EdmException(
        type="ObjectNotFoundExceptionType",
        code="EDM:ERR:0004",
        severity=ns.SEVERITY_ERROR,
        message="No evidence of the requested type was found for this person",
        detail="The simulator's not-found scenario",
        timestamp=_now(),
    )
    return error_answer(request, key=key, exceptions=[exception])


def invalid_request_answer(*, key: str, version: str | None, detail: str) -> ProviderAnswer:
    exception = EdmException(
        type="InvalidRequestExceptionType",
        code="EDM:ERR:0003",
        severity=ns.SEVERITY_ERROR,
        message="The evidence request could not be read",
        detail=detail[:1000],
        timestamp=_now(),
    )
    return error_answer(None, key=key, exceptions=[exception], version=version)


def preview_required_answer(
    request: QueryRequest, *, key: str, preview_location: str, method: str = "GET"
) -> ProviderAnswer:
    """EDM:ERR:0002 PreviewRequired with the preview space's address (DIGEST §7 step 2).

    The builder accepts only ``https://`` addresses; the demo and the tests serve the simulator over plain
    http on loopback, so a plain-http address is written through a stand-in and put back in the bytes.
    """
    stand_in = preview_location
    if preview_location.startswith("http://"):
        stand_in = "https://" + preview_location.removeprefix("http://")
    exception = EdmException(
        type="AuthorizationExceptionType",
        code="EDM:ERR:0002",
        severity=ns.SEVERITY_PREVIEW_REQUIRED,
        message="The evidence must be previewed by the user before it is sent",
        timestamp=_now(),
        preview_location=stand_in,
        preview_description=(
            LocalizedText("Preview the evidence and decide whether to share it with the portal.", "EN"),
            LocalizedText("Prévisualisez la preuve et décidez si vous la partagez avec le portail.", "FR"),
            LocalizedText("Sehen Sie den Nachweis an und entscheiden Sie, ob Sie ihn teilen.", "DE"),
        ),
        preview_method=method,  # R-EDM-ERR-C021: GET or POST
    )
    answer = error_answer(request, key=key, exceptions=[exception])
    if stand_in != preview_location:
        regrep = answer.regrep.replace(stand_in.encode(), preview_location.encode())
        answer = ProviderAnswer(
            key=answer.key, regrep=regrep, specification_id=answer.specification_id, error=True
        )
    return answer


def refused_answer(request: QueryRequest, *, key: str) -> ProviderAnswer:
    """The answer to the second request when the user refused in the preview space: Success, no evidence.

    DIGEST §7 step 6 lists three answers to the second request: the evidence, a Success with an empty
    ``RegistryObjectList`` ("nothing to give"), or an error. No EDM error code means "the user refused":
    EDM:ERR:0002 is the only candidate and EDM 1.0 forbids it with any severity but PreviewRequired
    (R-EDM-ERR-C015), which would ask for a new preview. So a refusal is an empty Success, valid in every
    version.
    """
    response = EvidenceResponse(
        version=request.version,
        request_id=request.request_id,
        status=ResponseStatus.SUCCESS,
        response_id=str(uuid.uuid4()),
        issue_datetime=_now(),
        evidence_provider=_provider(request, "EP"),
        evidence_requester=_requester(request),
    )
    return ProviderAnswer(key=key, regrep=build_response(response), specification_id=request.version)


def malformed_answer(request: QueryRequest, *, key: str) -> ProviderAnswer:
    """A response cut in the middle: not well-formed XML, sent as an ordinary ExecuteQueryResponse."""
    whole = evidence_answer(request, key=key).regrep
    return ProviderAnswer(key=key, regrep=whole[: len(whole) * 2 // 3], specification_id=request.version)

"""Exchanges and provider answers for the exchange-engine tests (built with the real EDM builders)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid

from exchanges.models import EvidenceRequest, OutgoingMessage
from exchanges.services import evidence_request_create
from oots_client.access_point import AsMessage, Corners, PartyId, Payload, ebms, oots_message
from oots_client.edm import (
    AttachmentRef,
    EdmException,
    ErrorResponse,
    EvidenceItem,
    EvidenceMetadata,
    EvidenceResponse,
    LocalizedText,
    ResponseStatus,
    build_error,
    build_response,
)
from oots_client.edm.examples import EVIDENCE, PERSON, PROVIDER, REQUESTER, example_request
from procedures.models import Application, Procedure
from tests.factories import make_citizen

PROVIDER_AP = PartyId("AP_DE_01", "urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
VERSION = "oots-edm:v1.2"


def make_exchange(*, version: str = VERSION, application: Application | None = None) -> EvidenceRequest:
    application = application or Application.objects.create(
        user=make_citizen(), procedure=Procedure.objects.get(code="T2")
    )
    content = dataclasses.replace(example_request("T2"), possibility_for_preview=True)
    return evidence_request_create(
        application=application,
        content=content,
        edm_version=version,
        access_point=PROVIDER_AP,
        provider_country="DE",
    )


def _answer_message(exchange: EvidenceRequest, regrep: bytes, action: str, attachments=()) -> AsMessage:
    corners = Corners(
        sender_access_point=PROVIDER_AP,
        receiver_access_point=PartyId("AP_BE_01", "urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots"),
        original_sender=PartyId(exchange.provider_identifier, exchange.provider_scheme),
        final_recipient=PartyId("0000000000", "urn:cef.eu:names:identifier:EAS:9925"),
    )
    return oots_message(
        corners=corners,
        action=action,
        conversation_id=exchange.conversation_id,
        regrep=regrep,
        regrep_cid=f"cid:{uuid.uuid4()}@provider",
        attachments=attachments,
        specification_id=exchange.edm_version,
        message_id=f"{uuid.uuid4()}@provider",
    )


def evidence_answer(
    outgoing: OutgoingMessage, *, evidences: int = 1, status=ResponseStatus.SUCCESS, available=None
):
    exchange = outgoing.evidence_request
    attachments, items = [], []
    for index in range(evidences):
        cid = f"cid:evidence-{index}@provider"
        attachments.append(Payload(cid, "application/pdf", PDF + str(index).encode()))
        items.append(
            EvidenceItem(
                registry_object_id=f"urn:uuid:{uuid.uuid4()}",
                metadata=EvidenceMetadata(
                    identifier=str(uuid.uuid4()),
                    is_about=PERSON,
                    issuing_authority=PROVIDER,
                    classification=EVIDENCE.classification,
                    titles=(LocalizedText(f"Certificate of Birth {index}", "EN"),),
                    issuing_date=dt.date(2026, 1, 1),
                    distribution=EVIDENCE.distribution,
                ),
                attachment=AttachmentRef(href=cid, title="Evidence"),
            )
        )
    response = EvidenceResponse(
        version=exchange.edm_version,
        request_id=outgoing.request_id,
        status=status,
        response_id=str(uuid.uuid4()),
        issue_datetime=dt.datetime.now(dt.UTC).replace(microsecond=0),
        evidence_provider=PROVIDER,
        evidence_requester=REQUESTER,
        evidences=tuple(items) if status == ResponseStatus.SUCCESS else (),
        response_available_datetime=available,
    )
    return _answer_message(exchange, build_response(response), ebms.ACTION_RESPONSE, attachments)


def error_answer(
    outgoing: OutgoingMessage, *, code: str = "EDM:ERR:0004", preview_location: str | None = None
):
    exchange = outgoing.evidence_request
    if preview_location:
        exception = EdmException(
            type="AuthorizationExceptionType",
            code="EDM:ERR:0002",
            severity="urn:sr.oots.tech.ec.europa.eu:codes:ErrorSeverity:EDMErrorResponse:PreviewRequired",
            message="The evidence must be previewed",
            timestamp=dt.datetime.now(dt.UTC).replace(microsecond=0),
            preview_location=preview_location,
            preview_description=(LocalizedText("Please check your birth certificate", "EN"),),
            preview_method="GET",
        )
    else:
        exception = EdmException(
            type="ObjectNotFoundExceptionType",
            code=code,
            severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error",
            message="No evidence found for this person",
            timestamp=dt.datetime.now(dt.UTC).replace(microsecond=0),
        )
    error = ErrorResponse(
        version=exchange.edm_version,
        request_id=outgoing.request_id,
        response_id=str(uuid.uuid4()),
        exceptions=(exception,),
        error_provider=PROVIDER,
        evidence_requester=REQUESTER,
    )
    return _answer_message(exchange, build_error(error), ebms.ACTION_EXCEPTION)

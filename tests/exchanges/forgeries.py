"""Forged answers: what a faulty or malicious party on the OOTS network could send the portal, one kind each.

Each :class:`Forgery` builds, for a victim's waiting exchange (its latest request ``outgoing``), an answer
that is right in every respect but one, and names the reason the portal must refuse it for. Used by the
integration tests (``tests/exchanges/test_forged_answers.py``) and the fault suite (``tests/faults``), which
put them into the portal's inbox through the access-point simulator (:func:`inject`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import requests

from exchanges.models import IncomingReason, OutgoingMessage
from oots_client.access_point import AsMessage, Corners, PartyId, Payload, ebms, oots_message, soap
from oots_client.edm import (
    Agent,
    AttachmentRef,
    Distribution,
    EdmException,
    ErrorResponse,
    EvidenceItem,
    EvidenceMetadata,
    EvidenceResponse,
    Identifier,
    LocalizedText,
    NaturalPerson,
    ResponseStatus,
    build_error,
    build_response,
)
from oots_client.edm.examples import EVIDENCE, PERSON, PROVIDER, REQUESTER, example_request
from oots_client.edm.model import new_request_id
from simulators.access_point.testing import request_message
from tests.exchanges.factories import PDF, PROVIDER_AP

PORTAL_AP = PartyId("AP_BE_01", ebms.PARTY_ID_TYPE)
PORTAL = PartyId("0000000000", "urn:cef.eu:names:identifier:EAS:9925")
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
_DEFAULT = object()


@dataclass(frozen=True)
class File:
    """One evidence file: the media type its metadata declares, its AS4 part's ``MimeType``, its bytes."""

    declared: str = "application/pdf"
    part_type: str = "application/pdf"
    data: bytes = PDF
    in_message: bool = True  # False: the RepositoryItemRef points at a part the message does not carry


def answer(
    outgoing: OutgoingMessage,
    *,
    request_id: object = _DEFAULT,
    conversation_id: object = _DEFAULT,
    sender: PartyId = PROVIDER_AP,
    original_sender: PartyId | None = None,
    provider: Agent = PROVIDER,
    about: object = PERSON,
    classification: str = EVIDENCE.classification,
    files: Sequence[File] = (File(),),
) -> AsMessage:
    """An evidence response to ``outgoing``, as its provider would send it unless told otherwise."""
    exchange = outgoing.evidence_request
    items, payloads = [], []
    for index, file in enumerate(files):
        cid = f"cid:{uuid.uuid4().hex}@provider"
        if file.in_message:
            payloads.append(Payload(cid, file.part_type, file.data))
        items.append(
            EvidenceItem(
                registry_object_id=f"urn:uuid:{uuid.uuid4()}",
                metadata=EvidenceMetadata(
                    identifier=str(uuid.uuid4()),
                    is_about=about,  # type: ignore[arg-type]
                    issuing_authority=provider,
                    classification=classification,
                    titles=(LocalizedText(f"Certificate of Birth {index}", "EN"),),
                    issuing_date=dt.date(2026, 1, 1),
                    distribution=Distribution(format=file.declared),
                ),
                attachment=AttachmentRef(href=cid, title="Evidence"),
            )
        )
    response = EvidenceResponse(
        version=exchange.edm_version,
        request_id=outgoing.request_id if request_id is _DEFAULT else request_id,  # type: ignore[arg-type]
        status=ResponseStatus.SUCCESS,
        response_id=str(uuid.uuid4()),
        issue_datetime=dt.datetime.now(dt.UTC).replace(microsecond=0),
        evidence_provider=provider,
        evidence_requester=REQUESTER,
        evidences=tuple(items),
    )
    return envelope(
        outgoing,
        build_response(response),
        payloads,
        conversation_id=exchange.conversation_id if conversation_id is _DEFAULT else conversation_id,
        sender=sender,
        original_sender=original_sender,
    )


def envelope(
    outgoing: OutgoingMessage,
    regrep: bytes,
    attachments: Sequence[Payload] = (),
    *,
    conversation_id: object = _DEFAULT,
    sender: PartyId = PROVIDER_AP,
    original_sender: PartyId | None = None,
    action: str = ebms.ACTION_RESPONSE,
) -> AsMessage:
    """The ebMS user message carrying ``regrep`` to the portal, from ``sender`` on behalf of
    ``original_sender`` (the provider asked, unless given)."""
    exchange = outgoing.evidence_request
    corners = Corners(
        sender_access_point=sender,
        receiver_access_point=PORTAL_AP,
        original_sender=original_sender
        or PartyId(exchange.provider_identifier, exchange.provider_scheme or None),
        final_recipient=PORTAL,
    )
    conversation = exchange.conversation_id if conversation_id is _DEFAULT else conversation_id
    message = oots_message(
        corners=corners,
        action=action,
        conversation_id=str(conversation or "none"),
        regrep=regrep,
        regrep_cid=f"cid:{uuid.uuid4().hex}@provider",
        attachments=attachments,
        specification_id=exchange.edm_version,
        message_id=f"{uuid.uuid4()}@forger.example",
        timestamp=dt.datetime.now(dt.UTC),
    )
    if conversation is None:
        message = dataclasses.replace(
            message, header=dataclasses.replace(message.header, conversation_id=None)
        )
    return message


def _invalid_request_error(outgoing: OutgoingMessage) -> AsMessage:
    """An error response without ``requestId`` (allowed for InvalidRequest, R-EDM-ERR-S003): it cannot be
    tied to a request, so it must not end the exchange its ConversationId names."""
    error = ErrorResponse(
        version=outgoing.evidence_request.edm_version,
        request_id=None,
        response_id=str(uuid.uuid4()),
        exceptions=(
            EdmException(
                type="InvalidRequestExceptionType",
                code="EDM:ERR:0003",
                severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error",
                message="The request is invalid",
                timestamp=dt.datetime.now(dt.UTC).replace(microsecond=0),
            ),
        ),
        error_provider=PROVIDER,
        evidence_requester=REQUESTER,
    )
    return envelope(outgoing, build_error(error), action=ebms.ACTION_EXCEPTION)


def _not_xsd_valid(outgoing: OutgoingMessage) -> AsMessage:
    """A response the parser can read but the RegRep schema refuses (an attribute it does not declare)."""
    message = answer(outgoing)
    regrep = message.payloads[0]
    broken = regrep.data.replace(b"<query:QueryResponse ", b'<query:QueryResponse forged="yes" ', 1)
    assert broken != regrep.data
    return dataclasses.replace(
        message, payloads=(dataclasses.replace(regrep, data=broken), *message.payloads[1:])
    )


def _unreadable(outgoing: OutgoingMessage) -> AsMessage:
    return envelope(outgoing, b"<query:QueryResponse xmlns:query='urn:oasis:names:tc:ebxml-regrep:xsd:query")


def _a_request(outgoing: OutgoingMessage) -> AsMessage:
    request = request_message(example_request())
    regrep = ebms.regrep_payload(request)
    assert regrep is not None
    return envelope(outgoing, regrep.data, action=ebms.ACTION_REQUEST)


OTHER_PERSON = NaturalPerson(
    level_of_assurance="High",
    identifier=Identifier("DE/NL/987654321", "eidas"),
    family_name="Smith",
    given_name="Jack",
    date_of_birth=dt.date(1999, 3, 1),
)
OTHER_PROVIDER = Agent(
    identifier=Identifier("DE11111111", "urn:cef.eu:names:identifier:EAS:9930"),
    names=(LocalizedText("Another registry", "EN"),),
)


@dataclass(frozen=True)
class Forgery:
    name: str
    reason: IncomingReason
    build: Callable[[OutgoingMessage], AsMessage]


FORGERIES: tuple[Forgery, ...] = (
    Forgery("unreadable RegRep", IncomingReason.UNREADABLE, _unreadable),
    Forgery("breaks the RegRep schema", IncomingReason.INVALID, _not_xsd_valid),
    Forgery("a request instead of an answer", IncomingReason.NOT_AN_ANSWER, _a_request),
    Forgery("only the ConversationId (no requestId)", IncomingReason.MISSING_IDS, _invalid_request_error),
    Forgery(
        "only the requestId (no ConversationId)",
        IncomingReason.MISSING_IDS,
        lambda o: answer(o, conversation_id=None),
    ),
    Forgery(
        "the ConversationId with a requestId the portal never sent",
        IncomingReason.IDS_DISAGREE,
        lambda o: answer(o, request_id=new_request_id()),
    ),
    Forgery(
        "the requestId with another ConversationId",
        IncomingReason.IDS_DISAGREE,
        lambda o: answer(o, conversation_id=str(uuid.uuid4())),
    ),
    Forgery(
        "ids of no exchange",
        IncomingReason.UNKNOWN_EXCHANGE,
        lambda o: answer(o, conversation_id=str(uuid.uuid4()), request_id=new_request_id()),
    ),
    Forgery(
        "sent by another access point",
        IncomingReason.WRONG_SENDER,
        lambda o: answer(o, sender=PartyId("AP_XX_FORGER", ebms.PARTY_ID_TYPE)),
    ),
    Forgery(
        "the Directory's access point id with another party-id type",
        IncomingReason.WRONG_SENDER,
        lambda o: answer(
            o, sender=PartyId(PROVIDER_AP.value, "urn:oasis:names:tc:ebcore:partyid-type:other")
        ),
    ),
    Forgery(
        "on behalf of another original sender",
        IncomingReason.WRONG_ORIGINAL_SENDER,
        lambda o: answer(o, original_sender=PartyId("DE11111111", "urn:cef.eu:names:identifier:EAS:9930")),
    ),
    Forgery(
        "from a provider nobody asked",
        IncomingReason.WRONG_PROVIDER,
        lambda o: answer(o, provider=OTHER_PROVIDER),
    ),
    Forgery(
        "another person's evidence",
        IncomingReason.WRONG_SUBJECT,
        lambda o: answer(o, about=OTHER_PERSON),
    ),
    Forgery(
        "another evidence type",
        IncomingReason.WRONG_EVIDENCE_TYPE,
        lambda o: answer(
            o,
            classification="https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/"
            "00000000-0000-4000-8000-000000000000",
        ),
    ),
    Forgery(
        "an evidence whose file is not in the message",
        IncomingReason.MISSING_ATTACHMENT,
        lambda o: answer(o, files=(File(), File(in_message=False))),
    ),
    Forgery(
        "a PNG declared and sent as a PDF",
        IncomingReason.WRONG_MEDIA_TYPE,
        lambda o: answer(o, files=(File(data=PNG),)),
    ),
    Forgery(
        "a PDF whose AS4 part says it is a PNG",
        IncomingReason.WRONG_MEDIA_TYPE,
        lambda o: answer(o, files=(File(part_type="image/png"),)),
    ),
    Forgery(
        "an HTML page declared as XML",
        IncomingReason.WRONG_MEDIA_TYPE,
        lambda o: answer(
            o,
            files=(File("application/xml", "application/xml", b"<html><body><p>Hello<br></body></html>"),),
        ),
    ),
    Forgery(
        "a file larger than allowed",
        IncomingReason.TOO_LARGE,
        lambda o: answer(o, files=(File(data=PDF + b"0" * 300_000),)),
    ),
)
# The limit the tests give the workers (OOTS_EVIDENCE_MAX_BYTES): above the honest files, below the last one.
EVIDENCE_MAX_BYTES = 200_000


def inject(base_url: str, message: AsMessage, *, auth: tuple[str, str]) -> str:
    """Put ``message`` into the portal's inbox through the access-point simulator (over HTTP)."""
    response = requests.post(
        f"{base_url}/sim/ap/control/inbox",
        data=soap.submit_request(message),
        headers={"Content-Type": soap.SOAP_CONTENT_TYPE},
        auth=auth,
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["message_id"])

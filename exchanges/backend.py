"""``/oots/backend/``: the BackendService the Domibus WS plugin pushes its notifications to.

Domibus calls it with SOAP 1.2 (namespace ``eu.domibus``, BackendService.wsdl) and HTTP Basic
credentials (``OOTS_BACKEND_USERNAME`` / ``OOTS_BACKEND_PASSWORD``). A notification only says *which*
message; the portal then retrieves it itself, in a worker, so this view answers fast and loses nothing:
the notification is recorded in the database before the answer, and the poll finds anything missed.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from lxml import etree

from exchanges import services
from exchanges.models import ExchangeLog, IncomingMessage, LogDirection, OutgoingMessage
from oots_client.access_point import MalformedSoapError, soap

logger = logging.getLogger(__name__)

BACKEND_NS = "eu.domibus"
MAX_NOTIFICATION_BYTES = 1024 * 1024  # notifications carry ids, not payloads
# The columns a notification's id is written to (IncomingMessage, ExchangeLog, OutgoingMessage).
MAX_MESSAGE_ID_CHARS = min(
    model._meta.get_field("ebms_message_id").max_length
    for model in (IncomingMessage, ExchangeLog, OutgoingMessage)
)
MAX_STATUS_CHARS = ExchangeLog._meta.get_field("outcome").max_length  # a Domibus status is a short enum name


def _answer(operation: str) -> HttpResponse:
    body = etree.Element(f"{{{BACKEND_NS}}}{operation}Response", nsmap={"ns": BACKEND_NS})
    return HttpResponse(soap.envelope(body), content_type=soap.SOAP_CONTENT_TYPE)


def _fault(status: int, reason: str, code: str) -> HttpResponse:
    return HttpResponse(
        soap.fault(reason, code=code, message=reason, sender=status < 500),
        status=status,
        content_type=soap.SOAP_CONTENT_TYPE,
    )


def _authorised(request: HttpRequest) -> bool:
    expected_user, expected_password = settings.OOTS_BACKEND_USERNAME, settings.OOTS_BACKEND_PASSWORD
    if not expected_user or not expected_password:
        return False  # an unconfigured endpoint accepts nobody
    header = request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return False
    try:
        user, _, password = base64.b64decode(header[6:], validate=True).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return hmac.compare_digest(user.encode(), expected_user.encode()) & hmac.compare_digest(
        password.encode(), expected_password.encode()
    )


@csrf_exempt
@require_POST
def backend_service(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        response = _fault(401, "authentication required", "BACKEND:0001")
        response["WWW-Authenticate"] = 'Basic realm="oots-portal backend"'
        return response
    if len(request.body) > MAX_NOTIFICATION_BYTES:
        return _fault(413, "notification too large", "BACKEND:0002")
    try:
        envelope = soap.parse_envelope(request.body, max_bytes=MAX_NOTIFICATION_BYTES)
        operation = soap.body_element(envelope)
    except MalformedSoapError as exc:
        return _fault(400, f"malformed notification: {exc}", "BACKEND:0003")
    qname = etree.QName(operation)
    name = qname.localname
    message_id = (
        operation.findtext("messageID") or operation.findtext(f"{{{BACKEND_NS}}}messageID") or ""
    ).strip()
    if qname.namespace != BACKEND_NS or name not in _HANDLERS:
        return _fault(400, f"unsupported operation {qname.text}", "BACKEND:0004")
    if not message_id:
        return _fault(400, "messageID is required", "BACKEND:0005")
    if len(message_id) > MAX_MESSAGE_ID_CHARS:
        # Refused before any write: the id is stored in columns of this size (an ebMS MessageId is a
        # short "uuid@domain"), and PostgreSQL would fail the insert half-way through the handler.
        return _fault(400, f"messageID longer than {MAX_MESSAGE_ID_CHARS} characters", "BACKEND:0006")
    if len((operation.findtext("messageStatus") or "").strip()) > MAX_STATUS_CHARS:
        return _fault(400, f"messageStatus longer than {MAX_STATUS_CHARS} characters", "BACKEND:0006")
    _HANDLERS[name](message_id, operation)
    return _answer(name)


def _receive_success(message_id: str, operation: etree._Element) -> None:
    from exchanges.tasks import fetch_incoming_message

    with transaction.atomic():
        _, needs_work = services.incoming_announce(ebms_message_id=message_id, source="push")
        if needs_work:
            # robust: the notification is recorded either way; with the broker down the poll fetches it later.
            transaction.on_commit(lambda: fetch_incoming_message.delay(message_id), robust=True)


def _notification(event: str) -> object:
    def handle(message_id: str, operation: etree._Element) -> None:
        services.exchange_log(
            evidence_request=None,
            direction=LogDirection.NOTIFICATION,
            event=event,
            ebms_message_id=message_id,
            outcome=(operation.findtext("messageStatus") or "").strip(),
        )

    return handle


def _send_failure(message_id: str, operation: etree._Element) -> None:
    services.outgoing_delivery_failed(ebms_message_id=message_id, detail="Domibus reported sendFailure")


def _send_success(message_id: str, operation: etree._Element) -> None:
    _notification("send_success")(message_id, operation)  # type: ignore[operator]
    services.outgoing_delivered(ebms_message_id=message_id)  # the receipt: no status check needed


def _status_change(message_id: str, operation: etree._Element) -> None:
    status = (operation.findtext("messageStatus") or "").strip()
    if status == "SEND_FAILURE":
        services.outgoing_delivery_failed(ebms_message_id=message_id, detail="Domibus status SEND_FAILURE")
    else:
        _notification("status_change")(message_id, operation)  # type: ignore[operator]
        if status in ("ACKNOWLEDGED", "ACKNOWLEDGED_WITH_WARNING"):
            services.outgoing_delivered(ebms_message_id=message_id)


_HANDLERS = {
    "receiveSuccess": _receive_success,
    "receiveFailure": _notification("receive_failure"),
    "sendSuccess": _send_success,
    "sendFailure": _send_failure,
    "messageStatusChange": _status_change,
}

"""HTTP face of the access-point simulator.

``POST /sim/ap/services/wsplugin`` — the Domibus 5 default WS plugin (SOAP 1.2, HTTP Basic as the plugin user
``OOTS_AP_USERNAME``): ``submitMessage``, ``listPendingMessages``, ``retrieveMessage``,
``markMessageAsDownloaded``, ``getStatus``, ``getMessageErrors``. Requests are checked against the plugin's
schemas as leniently as Domibus (``soap.schema_errors(lenient=True)``); what fails gets a SOAP fault with the
plugin's ``FaultDetail``, HTTP 500, as Domibus (CXF) answers.

``GET|POST /sim/ap/control`` — the fault switch (JSON); ``GET /sim/ap/control/messages`` — the message log;
``POST /sim/ap/control/inbox`` — a message put into the portal's inbox as any party (forged answers).
Open when ``DEBUG`` is on; otherwise HTTP Basic as the plugin user. See docs/simulators.md.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from typing import Any, Final

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from lxml import etree

from oots_client.access_point import soap
from oots_client.access_point.errors import MalformedSoapError
from oots_client.access_point.model import MessageStatus
from simulators.access_point import services
from simulators.access_point.auth import control_allowed, is_plugin_user, unauthorised
from simulators.access_point.models import ApControl, ApMessage, Direction

# The simulator's fault codes, in the form of Domibus's WS-plugin codes.
INVALID_REQUEST: Final = "WS_PLUGIN:0002"
NOT_FOUND: Final = "WS_PLUGIN:0009"
UNSUPPORTED: Final = "WS_PLUGIN:0001"
DUPLICATE: Final = "EBMS:0004"  # Domibus's DuplicateMessageException (ebMS error "Other")

CONTROL_FIELDS: Final = {
    "available": bool,
    "delay_ms": int,
    "failure_rate": int,
    "push": (bool, type(None)),
    "unreachable_parties": list,
}


class Fault(Exception):
    def __init__(self, reason: str, code: str, message: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.code = code
        self.message = message


def _soap(body: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type=soap.SOAP_CONTENT_TYPE)


def _faulty(control: ApControl) -> HttpResponse | None:
    """The fault switch: a delay, then maybe HTTP 503 with a plain body (as a proxy in front of Domibus)."""
    if control.delay_ms:
        time.sleep(control.delay_ms / 1000)
    if not control.available or random.randrange(100) < control.failure_rate:  # noqa: S311 (fault injection)
        return HttpResponse(
            "Service Unavailable (access-point simulator)\n", status=503, content_type="text/plain"
        )
    return None


# --- the WS plugin -------------------------------------------------------------------------------------


def _child_text(operation: etree._Element, local: str) -> str | None:
    for child in operation:
        if isinstance(child.tag, str) and etree.QName(child).localname == local:
            return (child.text or "").strip() or None
    return None


def _required_id(operation: etree._Element) -> str:
    message_id = _child_text(operation, "messageID")
    if message_id is None:
        raise Fault("Invalid request", INVALID_REQUEST, "messageID is required")
    return message_id


def _submit(envelope: etree._Element, operation: etree._Element, raw: bytes) -> bytes:
    try:
        message = soap.read_message(envelope)
    except MalformedSoapError as exc:
        raise Fault("Submission failed", INVALID_REQUEST, str(exc)) from None
    message_id, duplicate = services.message_submit(envelope=raw, message=message)
    if duplicate:
        # As Domibus 5 answers it: BackendMessageValidator.validateMessageIsUnique throws a
        # DuplicateMessageException (ebMS code EBMS:0004), which the WS plugin returns as a
        # SubmitMessageFault "Message submission failed" with that code and text.
        raise Fault(
            "Message submission failed",
            DUPLICATE,
            f"Message with id [{message_id} and role SENDING] already exists. "
            "Message identifiers must be unique",
        )
    return soap.envelope(soap.ws("submitResponse", ("messageID", message_id)))


def _list_pending(envelope: etree._Element, operation: etree._Element, raw: bytes) -> bytes:
    ids = services.pending_ids(conversation_id=_child_text(operation, "conversationId"))
    return soap.envelope(soap.ws("listPendingMessagesResponse", *(("messageID", i) for i in ids)))


def _retrieve(envelope: etree._Element, operation: etree._Element, raw: bytes) -> bytes:
    message_id = _required_id(operation)
    message = services.inbound_get(message_id)
    if message is None:
        raise Fault("Retrieve failed", NOT_FOUND, f"No message with id [{message_id}] pending for download")
    # The schema's default is "true"; the portal sends "false" and marks the message once it is stored.
    if operation.get("markAsDownloaded", "true").strip().lower() == "true":
        services.message_mark_downloaded(message_id=message_id)
    return message.envelope_bytes()


def _mark_downloaded(envelope: etree._Element, operation: etree._Element, raw: bytes) -> bytes:
    message_id = _required_id(operation)
    if not services.message_mark_downloaded(message_id=message_id):
        raise Fault("Mark as downloaded failed", NOT_FOUND, f"No message with id [{message_id}]")
    return soap.envelope(soap.ws("markMessageAsDownloadedResponse", ("messageID", message_id)))


def _status(envelope: etree._Element, operation: etree._Element, raw: bytes) -> bytes:
    message = ApMessage.objects.filter(message_id=_required_id(operation)).first()
    answer = soap.ws("getStatusResponse")
    answer.text = message.status if message is not None else MessageStatus.NOT_FOUND.value
    return soap.envelope(answer)


def _errors(envelope: etree._Element, operation: etree._Element, raw: bytes) -> bytes:
    message = ApMessage.objects.filter(message_id=_required_id(operation)).first()
    answer = soap.ws("getMessageErrorsResponse")
    if message is not None and message.error_code:
        item = etree.SubElement(answer, "item")
        etree.SubElement(item, "domibusErrorCode").text = message.error_code
        etree.SubElement(item, "errorDetail").text = message.error_detail
        etree.SubElement(item, "messageInErrorId").text = message.message_id
        role = "SENDING" if message.direction == Direction.OUTBOUND else "RECEIVING"
        etree.SubElement(item, "mshRole").text = role
        etree.SubElement(item, "timestamp").text = (message.delivered_at or message.created_at).isoformat()
    return soap.envelope(answer)


OPERATIONS: Final[dict[str, Callable[[etree._Element, etree._Element, bytes], bytes]]] = {
    "submitRequest": _submit,
    "listPendingMessagesRequest": _list_pending,
    "retrieveMessageRequest": _retrieve,
    "markMessageAsDownloadedRequest": _mark_downloaded,
    "statusRequest": _status,
    "getStatusRequest": _status,
    "statusRequestWithAccessPointRole": _status,
    "getErrorsRequest": _errors,
    "getErrorsRequestWithAccessPointRole": _errors,
}


@csrf_exempt
@require_http_methods(["POST"])
def wsplugin(request: HttpRequest) -> HttpResponse:
    if (unavailable := _faulty(services.control_get())) is not None:
        return unavailable
    if not is_plugin_user(request):
        return unauthorised()
    raw = request.body
    try:
        try:
            errors = soap.schema_errors(raw, lenient=True)
        except MalformedSoapError as exc:
            raise Fault("Invalid request", INVALID_REQUEST, str(exc)) from None
        envelope = soap.parse_envelope(raw)
        operation = soap.body_element(envelope)
        name = etree.QName(operation).localname
        handler = OPERATIONS.get(name)
        if handler is None:
            raise Fault("Operation not supported", UNSUPPORTED, f"{name} is not supported by the simulator")
        if errors:
            raise Fault("Invalid request", INVALID_REQUEST, "; ".join(errors[:5]))
        return _soap(handler(envelope, operation, raw))
    except Fault as fault:
        return _soap(soap.fault(fault.reason, code=fault.code, message=fault.message), status=500)


# --- control and log, for tests and testers -------------------------------------------------------------


def _control_json(control: ApControl) -> dict[str, Any]:
    return {
        "available": control.available,
        "delay_ms": control.delay_ms,
        "failure_rate": control.failure_rate,
        "push": control.push,
        "push_effective": services.push_enabled(),
        "unreachable_parties": control.unreachable_parties,
        "updated_at": control.updated_at.isoformat() if control.updated_at else None,
    }


@csrf_exempt
@require_http_methods(["GET", "POST", "PUT", "DELETE"])
def control(request: HttpRequest) -> HttpResponse:
    """GET: the switch; POST/PUT: change the fields given (JSON object); DELETE: back to normal."""
    if not control_allowed(request):
        return unauthorised()
    if request.method == "DELETE":
        return JsonResponse(_control_json(services.control_reset()))
    if request.method in ("POST", "PUT"):
        try:
            changes = json.loads(request.body or b"{}")
        except json.JSONDecodeError as exc:
            return JsonResponse({"error": f"not JSON: {exc}"}, status=400)
        if not isinstance(changes, dict):
            return JsonResponse({"error": "expected a JSON object"}, status=400)
        for name, value in changes.items():
            expected = CONTROL_FIELDS.get(name)
            if expected is None:
                return JsonResponse(
                    {"error": f"unknown field {name!r}", "fields": list(CONTROL_FIELDS)}, status=400
                )
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                return JsonResponse({"error": f"wrong type for {name!r}"}, status=400)
        if not 0 <= changes.get("failure_rate", 0) <= 100 or changes.get("delay_ms", 0) < 0:
            return JsonResponse({"error": "failure_rate is 0..100, delay_ms >= 0"}, status=400)
        if not all(isinstance(p, str) for p in changes.get("unreachable_parties", [])):
            return JsonResponse({"error": "unreachable_parties is a list of party ids"}, status=400)
        return JsonResponse(_control_json(services.control_update(**changes)))
    return JsonResponse(_control_json(services.control_get()))


def _message_json(message: ApMessage) -> dict[str, Any]:
    submissions = list(message.submissions.all())
    return {
        "message_id": message.message_id,
        "direction": message.direction,
        "status": message.status,
        "action": message.action,
        "conversation_id": message.conversation_id,
        "ref_to_message_id": message.ref_to_message_id,
        "from_party": message.from_party,
        "to_party": message.to_party,
        "original_sender": message.original_sender,
        "final_recipient": message.final_recipient,
        "created_at": message.created_at.isoformat(),
        "available_at": message.available_at.isoformat(),
        "delivered_at": message.delivered_at.isoformat() if message.delivered_at else None,
        "downloaded_at": message.downloaded_at.isoformat() if message.downloaded_at else None,
        "pending": message.direction == Direction.INBOUND
        and message.status == MessageStatus.RECEIVED
        and message.available_at <= timezone.now(),
        "submissions": len(submissions),
        "duplicate_submissions": sum(1 for s in submissions if s.duplicate),
        "error_code": message.error_code or None,
        "notifications": [
            {"operation": n.operation, "status": n.status, "attempts": n.attempts, "last_error": n.last_error}
            for n in message.notifications.all()
        ],
    }


@csrf_exempt
@require_http_methods(["POST"])
def inbox(request: HttpRequest) -> HttpResponse:
    """Put a message into the portal's inbox as any party: the body is a WS-plugin ``submitRequest``
    envelope (header and payloads) as that party's back end would submit it. The simulator stores it as
    received and pushes ``receiveSuccess``, as it does for a provider's answer. For testers who play a
    faulty or malicious party (see docs/simulators.md). Answers ``{"message_id": …}``."""
    if not control_allowed(request):
        return unauthorised()
    try:
        message = soap.read_message(soap.parse_envelope(request.body))
    except MalformedSoapError as exc:
        return JsonResponse({"error": f"not a submitRequest envelope: {exc}"}, status=400)
    try:
        stored = services.inbound_inject(message=message)
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=409)
    return JsonResponse({"message_id": stored.message_id}, status=201)


@require_http_methods(["GET"])
def message_log(request: HttpRequest) -> HttpResponse:
    """Every message handled, oldest first; filters ``conversation_id``, ``direction``, ``message_id``."""
    if not control_allowed(request):
        return unauthorised()
    messages = ApMessage.objects.prefetch_related("submissions", "notifications")
    for name in ("conversation_id", "direction", "message_id"):
        if value := request.GET.get(name):
            messages = messages.filter(**{name: value})
    return JsonResponse({"messages": [_message_json(m) for m in messages]})

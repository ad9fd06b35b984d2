"""The Domibus 5 default WS-plugin adapter (SOAP 1.2 over HTTP, HTTP Basic as a plugin user).

Every call is one POST of a SOAP envelope to ``…/services/wsplugin``. Failures are sorted for the caller:
network trouble, timeouts, 5xx without a Domibus fault and 429 are :class:`AccessPointUnavailable`
(transient: try later); a SOAP fault or an authentication refusal is :class:`AccessPointRejected`
(permanent: trying again sends the same thing and gets the same answer).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final

import requests
from lxml import etree

from oots_client.access_point import soap
from oots_client.access_point.errors import (
    AccessPointRejected,
    AccessPointUnavailable,
    AlreadySubmitted,
    MalformedSoapError,
)
from oots_client.access_point.model import AsMessage, MessageError, MessageStatus

_TRANSIENT_HTTP = {408, 425, 429, 500, 502, 503, 504}

# Domibus refuses a second submission of a message id with a DuplicateMessageException, which the WS plugin
# turns into a SubmitMessageFault whose FaultDetail has the exception's ebMS code, EBMS:0004 ("Other"), and
# its text: "Message with id [<id>] already exists. Message identifiers must be unique" (Domibus 4), "Message
# with id [<id> and role SENDING] already exists. …" (Domibus 5, BackendMessageValidator). The code alone is
# generic, so the text must name the very id that was submitted.
DUPLICATE_FAULT_CODE: Final = "EBMS:0004"
_DUPLICATE_TEXT: Final = re.compile(
    r"Message with id \[(?P<id>.+?)(?: and role [A-Z_]+)?\] already exists", re.DOTALL
)


@dataclass(frozen=True, slots=True, kw_only=True)
class DomibusConfig:
    url: str  # e.g. https://ap.example.gov/domibus/services/wsplugin
    username: str
    password: str = field(repr=False)
    connect_timeout: float = 5.0
    read_timeout: float = 60.0  # a 40 MB evidence takes a while to come down
    verify_tls: bool | str = True  # False only for a test access point; or a CA bundle path
    max_envelope_bytes: int = soap.DEFAULT_MAX_ENVELOPE_BYTES


class DomibusWsPlugin:
    """:class:`~oots_client.access_point.protocol.AccessPoint` over the Domibus 5 WS plugin."""

    def __init__(self, config: DomibusConfig, session: requests.Session | None = None) -> None:
        self.config = config
        self._session = session or requests.Session()
        self._session.auth = (config.username, config.password)

    # --- the calls -------------------------------------------------------------------------------

    def submit(self, message: AsMessage) -> str:
        """The ebMS message id the access point gave the message.

        Raises :class:`AlreadySubmitted` when Domibus already holds a message with this id (a retry of a
        send whose answer was lost: the message is at the access point), :class:`AccessPointRejected` for
        any other refusal, :class:`AccessPointUnavailable` when trying again later may help.
        """
        try:
            answer = self._call(soap.submit_request(message), "submitResponse")
        except AccessPointRejected as exc:
            duplicate = duplicate_of(exc, message.header.message_id)
            if duplicate is not None:
                raise duplicate from exc
            raise
        ids = soap.read_message_ids(answer)
        if not ids:
            raise AccessPointRejected("Domibus accepted the message but returned no message id")
        return ids[0]

    def list_pending(self, *, conversation_id: str | None = None) -> list[str]:
        children = [("conversationId", conversation_id)] if conversation_id else []
        answer = self._call(
            soap.envelope(soap.ws("listPendingMessagesRequest", *children)), "listPendingMessagesResponse"
        )
        return list(soap.read_message_ids(answer))

    def retrieve(self, message_id: str, *, mark_as_downloaded: bool = False) -> AsMessage:
        request = soap.ws("retrieveMessageRequest", ("messageID", message_id))
        # Left pending by default: the portal marks a message downloaded only once its evidence is stored.
        request.set("markAsDownloaded", "true" if mark_as_downloaded else "false")
        response = self._send(soap.envelope(request))
        with response:
            if response.status_code != 200:
                self._interpret(response)  # raises: a fault, an error status or an unusable answer
                raise AccessPointRejected(f"access point answered HTTP {response.status_code}")
            try:
                # The evidence is decoded as it arrives instead of being held as text first.
                return soap.read_retrieved(
                    response.iter_content(64 * 1024), max_bytes=self.config.max_envelope_bytes
                )
            except soap.SoapFault as fault:
                detail = fault.message or fault.reason
                raise AccessPointRejected(
                    f"Domibus refused the call: {detail}", code=fault.code, detail=detail
                ) from None
            except MalformedSoapError as exc:
                raise AccessPointRejected(
                    f"the access point's answer is not a usable SOAP message: {exc}"
                ) from exc
            except requests.RequestException as exc:
                raise AccessPointUnavailable(f"access point connection broke while answering: {exc}") from exc

    def mark_downloaded(self, message_id: str) -> None:
        request = soap.ws("markMessageAsDownloadedRequest", ("messageID", message_id))
        self._call(soap.envelope(request), "markMessageAsDownloadedResponse")

    def status(self, message_id: str) -> MessageStatus:
        answer = self._call(
            soap.envelope(soap.ws("statusRequest", ("messageID", message_id))), "getStatusResponse"
        )
        text = (answer.text or "").strip()
        try:
            return MessageStatus(text)
        except ValueError:
            raise AccessPointRejected(f"unknown Domibus message status {text!r}") from None

    def errors(self, message_id: str) -> list[MessageError]:
        request = soap.ws("getErrorsRequest", ("messageID", message_id))
        return list(soap.read_errors(self._call(soap.envelope(request), "getMessageErrorsResponse")))

    # --- plumbing ----------------------------------------------------------------------------------

    def _call(self, body: bytes, expected: str) -> etree._Element:
        envelope = self._post(body)
        return self._expect(envelope, expected)

    @staticmethod
    def _expect(envelope: etree._Element, expected: str) -> etree._Element:
        operation = soap.body_element(envelope)
        name = soap.operation_name(operation)
        if name != expected:
            raise AccessPointRejected(f"Domibus answered {name}, expected {expected}")
        return operation

    def _post(self, body: bytes) -> etree._Element:
        response = self._send(body)
        with response:
            return self._interpret(response)

    def _send(self, body: bytes) -> requests.Response:
        try:
            response = self._session.post(
                self.config.url,
                data=body,
                headers={"Content-Type": soap.SOAP_CONTENT_TYPE},
                timeout=(self.config.connect_timeout, self.config.read_timeout),
                verify=self.config.verify_tls,
                stream=True,  # parsed as it arrives (see _parse and retrieve)
            )
        except requests.Timeout as exc:
            raise AccessPointUnavailable(f"access point timed out: {exc}") from exc
        except requests.RequestException as exc:
            raise AccessPointUnavailable(f"access point unreachable: {exc}") from exc
        if response.status_code in (401, 403):
            response.close()
            raise AccessPointRejected(
                f"access point refused the plugin user ({response.status_code}): "
                "check the WS-plugin credentials"
            )
        return response

    def _interpret(self, response: requests.Response) -> etree._Element:
        envelope = self._parse(response)
        fault = soap.read_fault(envelope) if envelope is not None else None
        if fault is not None:
            reason, code, detail = fault
            message = f"Domibus refused the call: {detail or reason}" + (f" [{code}]" if code else "")
            if response.status_code in _TRANSIENT_HTTP - {500}:
                raise AccessPointUnavailable(message)
            raise AccessPointRejected(message, code=code, detail=detail or reason)
        if response.status_code in _TRANSIENT_HTTP:
            raise AccessPointUnavailable(f"access point answered HTTP {response.status_code}")
        if response.status_code >= 300 or envelope is None:
            raise AccessPointRejected(
                f"access point answered HTTP {response.status_code} without a SOAP envelope"
            )
        return envelope

    def _parse(self, response: requests.Response) -> etree._Element | None:
        max_bytes = self.config.max_envelope_bytes
        try:
            if response.status_code == 200:
                # Streamed into the parser: a retrieved 40 MB evidence is never held as a whole body too.
                return soap.parse_envelope_chunks(response.iter_content(64 * 1024), max_bytes=max_bytes)
            content = response.content
            if not content.strip():
                return None
            return soap.parse_envelope(content, max_bytes=max_bytes)
        except requests.RequestException as exc:
            raise AccessPointUnavailable(f"access point connection broke while answering: {exc}") from exc
        except MalformedSoapError as exc:
            if response.status_code in _TRANSIENT_HTTP:
                return None  # a proxy's HTML error page: the status code says it all
            raise AccessPointRejected(
                f"the access point's answer is not a usable SOAP message: {exc}"
            ) from exc


def duplicate_of(refusal: AccessPointRejected, message_id: str | None) -> AlreadySubmitted | None:
    """The refusal as :class:`AlreadySubmitted` when it is Domibus's duplicate check on ``message_id``."""
    if message_id is None or refusal.code not in (DUPLICATE_FAULT_CODE, None):
        return None
    match = _DUPLICATE_TEXT.search(refusal.detail or "")
    if match is None or match.group("id").strip() != message_id:
        return None
    return AlreadySubmitted(
        f"the access point already holds message {message_id}",
        message_id=message_id,
        code=refusal.code,
        detail=refusal.detail,
    )

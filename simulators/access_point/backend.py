"""The simulator's client of the portal's ``BackendService`` (Domibus's push notifications, SOAP 1.2).

``receiveSuccess`` / ``receiveFailure`` / ``sendSuccess`` / ``sendFailure`` carry the ebMS ``messageID``;
``messageStatusChange`` adds ``messageStatus`` (BackendService.xsd, namespace ``eu.domibus``). Elements are
qualified in that namespace, as the schema's ``elementFormDefault`` is unqualified only for the WS plugin.
"""

from __future__ import annotations

from typing import Final

import requests
from lxml import etree

from oots_client.access_point import soap

BACKEND_NS: Final = "eu.domibus"
OPERATIONS: Final = frozenset(
    {"receiveSuccess", "receiveFailure", "sendSuccess", "sendFailure", "messageStatusChange"}
)


class PushRefused(Exception):
    """The portal answered, but refused the notification for good (401, 403, 404, another 4xx)."""


class PushFailed(Exception):
    """The portal could not take the notification now (down, timeout, 5xx, a SOAP fault): try later."""


def notification_envelope(operation: str, message_id: str, status: str | None = None) -> bytes:
    if operation not in OPERATIONS:
        raise ValueError(f"unknown BackendService operation {operation!r}")
    element = etree.Element(soap.q(BACKEND_NS, operation), nsmap={"ns": BACKEND_NS})
    etree.SubElement(element, "messageID").text = message_id
    if operation == "messageStatusChange":
        etree.SubElement(element, "messageStatus").text = status or ""
    return soap.envelope(element)


def notify(
    *, url: str, username: str, password: str, operation: str, message_id: str, timeout: float = 10.0
) -> None:
    """POST one notification; raise :class:`PushFailed` (retry) or :class:`PushRefused` (don't)."""
    body = notification_envelope(operation, message_id)
    try:
        response = requests.post(
            url,
            data=body,
            auth=(username, password),
            headers={"Content-Type": soap.SOAP_CONTENT_TYPE},
            timeout=timeout,
        )
    except requests.RequestException as exc:
        raise PushFailed(f"{url} unreachable: {exc}") from exc
    if response.status_code >= 500 or response.status_code in (408, 425, 429):
        raise PushFailed(f"{url} answered HTTP {response.status_code}: {response.text[:300]}")
    if response.status_code >= 300:
        raise PushRefused(f"{url} answered HTTP {response.status_code}: {response.text[:300]}")

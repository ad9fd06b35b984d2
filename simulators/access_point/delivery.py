"""How the access-point simulator hands a request to the back end behind it (the Evidence Provider simulator,
C4) and what that back end hands back: :data:`request_delivered`, a signal the back end's app connects to
when it is installed, so that the access point imports no back end (and the two apps no cycle)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.dispatch import Signal

from oots_client.access_point.model import AsMessage, Payload


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderAnswer:
    """One answer message: the RegRep document, its evidence parts, and when it may leave.

    ``key`` names the answer among the answers to the same request ("answer", "later", "preview-decision"):
    the access point derives the answer's ebMS message id from the request's id and the key, so that an answer
    produced twice (a task run twice) is stored once.
    """

    key: str
    regrep: bytes
    specification_id: str
    error: bool = False  # a Failure response, sent with Action ExceptionResponse
    attachments: tuple[Payload, ...] = ()
    available_at: dt.datetime | None = None  # None: at once


# Sent with ``message`` (the AS4 request, an ``AsMessage``) and ``message_id`` (its ebMS id); each receiver
# returns the list of :class:`ProviderAnswer` that can leave now.
request_delivered = Signal()


def request_deliver(*, message: AsMessage, message_id: str) -> list[ProviderAnswer]:
    """The answers of the back ends behind this access point to one request (none when none is installed)."""
    answers: list[ProviderAnswer] = []
    for _receiver, response in request_delivered.send(
        sender=ProviderAnswer, message=message, message_id=message_id
    ):
        answers += response
    return answers

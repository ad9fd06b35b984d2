"""What the Evidence Provider simulator hands back to its access point for one request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from oots_client.access_point.model import Payload


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

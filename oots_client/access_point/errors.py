"""Errors of the access-point adapter, split by whether trying again can help."""

from __future__ import annotations

from oots_client.errors import PermanentError, TransientError


class AccessPointUnavailable(TransientError):
    """The access point could not be reached or asked us to come back later (timeout, 5xx, 429)."""


class AccessPointRejected(PermanentError):
    """The access point refused the call (a SOAP fault, or an authentication failure).

    ``code`` and ``detail`` are Domibus's own (e.g. ``WS_PLUGIN:0005``), so that an operator can look them
    up in the Domibus logs.
    """

    def __init__(self, message: str, *, code: str | None = None, detail: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.detail = detail


class AlreadySubmitted(AccessPointRejected):
    """The access point already holds a message with this ``MessageId``: an earlier attempt got through.

    Domibus refuses the second ``submitMessage`` of a message id (its duplicate check); for a sender that
    chose the id before its first attempt, so that a retry re-submits the very same message, this refusal
    means "sent". ``message_id`` is the id the access point named.
    """

    def __init__(
        self, message: str, *, message_id: str, code: str | None = None, detail: str | None = None
    ) -> None:
        super().__init__(message, code=code, detail=detail)
        self.message_id = message_id


class MalformedSoapError(PermanentError):
    """A SOAP message that is not well-formed, not SOAP 1.2, or not the expected WS-plugin element."""

    def __init__(self, what: str, where: str = "") -> None:
        super().__init__(f"{what} (at {where})" if where else what)
        self.what = what
        self.where = where

"""What the portal needs of an access point, whatever its product (Domibus, Harmony, a simulator)."""

from __future__ import annotations

from typing import Protocol

from oots_client.access_point.model import AsMessage, MessageError, MessageStatus


class AccessPoint(Protocol):
    def submit(self, message: AsMessage) -> str:
        """Hand a user message to the access point; return the ebMS message id it was given.

        Raises :class:`~oots_client.access_point.errors.AlreadySubmitted` when the access point already
        holds a message with the same id (the message is there: an earlier attempt got through).
        """

    def list_pending(self, *, conversation_id: str | None = None) -> list[str]:
        """Ids of received messages not yet downloaded."""

    def retrieve(self, message_id: str, *, mark_as_downloaded: bool = False) -> AsMessage:
        """A received message with its payloads (left pending unless ``mark_as_downloaded``)."""

    def mark_downloaded(self, message_id: str) -> None:
        """Acknowledge a message once it is safely stored (it stops being pending)."""

    def status(self, message_id: str) -> MessageStatus:
        """Domibus's status of a message."""

    def errors(self, message_id: str) -> list[MessageError]:
        """Domibus's errors for a message (e.g. why sending failed)."""

"""What the access-point simulator remembers: every message it handled, every submit call, every push.

The state lives in the database, not in process memory: the web process answers the WS plugin, a Celery worker
delivers to the Evidence Provider simulator and pushes to the portal, and both must see the same messages.
"""

from __future__ import annotations

import uuid
from typing import Final

from django.core.files.base import ContentFile
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oots_client.access_point.model import MessageStatus


class Direction(models.TextChoices):
    OUTBOUND = "outbound", _("submitted by the portal")
    INBOUND = "inbound", _("received for the portal")


# Envelopes up to this size stay in the database row (requests, errors, small evidences).
ENVELOPE_IN_ROW_BYTES: Final = 64 * 1024


class ApMessageManager(models.Manager["ApMessage"]):
    def get_queryset(self) -> models.QuerySet[ApMessage]:
        # The envelope carries the evidence (base64, megabytes): loaded only where it is read (``.envelope``
        # on an instance fetches it then), not by every status change or log line.
        return super().get_queryset().defer("envelope")


class ApMessage(models.Model):
    """One ebMS user message: submitted by the portal (outbound) or answered by a provider (inbound)."""

    message_id = models.CharField(max_length=255, unique=True)
    direction = models.CharField(max_length=8, choices=Direction.choices)
    status = models.CharField(max_length=32, choices=[(s.value, s.value) for s in MessageStatus])
    action = models.CharField(max_length=100)
    conversation_id = models.CharField(max_length=255, blank=True, db_index=True)
    ref_to_message_id = models.CharField(max_length=255, blank=True)
    from_party = models.CharField(max_length=255)
    to_party = models.CharField(max_length=255, blank=True)
    original_sender = models.CharField(max_length=255, blank=True)
    final_recipient = models.CharField(max_length=255, blank=True)
    # Outbound: the submitRequest envelope as the portal sent it. Inbound: the retrieveMessageResponse
    # envelope served to the portal (header and base64 payloads). A large one (an evidence of megabytes) is
    # kept as a file instead, as Domibus keeps payloads on its file system when configured to
    # (domibus.attachment.storage.location): the database then writes and reads none of it.
    envelope = models.BinaryField(blank=True)
    envelope_file = models.FileField(upload_to="sim-ap/", blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Inbound only: a provider's later answer ("Unavailable until …") becomes pending from this time on.
    available_at = models.DateTimeField(default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    downloaded_at = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=20, blank=True)  # a Domibus error code, e.g. EBMS_0005
    error_detail = models.TextField(blank=True)

    objects = ApMessageManager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["direction", "status", "available_at"])]

    def __str__(self) -> str:
        return f"{self.direction} {self.action} {self.message_id}"

    def envelope_set(self, data: bytes) -> None:
        """Keep ``data`` as the envelope: in the row when small, else in a file (saved now)."""
        if len(data) <= ENVELOPE_IN_ROW_BYTES:
            self.envelope = data
            return
        self.envelope = b""
        self.envelope_file.save(f"{uuid.uuid4().hex}.xml", ContentFile(data), save=False)

    def envelope_bytes(self) -> bytes:
        if self.envelope_file:
            with self.envelope_file.open("rb") as handle:
                return bytes(handle.read())
        return bytes(self.envelope)


class ApSubmission(models.Model):
    """One ``submitMessage`` call: duplicates of an already submitted message id are logged, not delivered."""

    message = models.ForeignKey(ApMessage, on_delete=models.CASCADE, related_name="submissions")
    received_at = models.DateTimeField(default=timezone.now)
    duplicate = models.BooleanField(default=False)

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"submission {self.pk} (duplicate: {self.duplicate})"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class ApNotification(models.Model):
    """A push to the portal's BackendService (``receiveSuccess``, ``sendSuccess``, …), with its attempts."""

    message = models.ForeignKey(ApMessage, on_delete=models.CASCADE, related_name="notifications")
    operation = models.CharField(max_length=32)
    status = models.CharField(
        max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When the next attempt is due, or when the running one must have ended: a pending push past this (plus
    # a grace) lost its task (worker killed, broker restarted) and the sweep sends it again.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "operation"], name="sim_ap_one_notification_per_op")
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.status}"


class ApControl(models.Model):
    """The fault switch of the simulator (one row), set at run time by tests and testers."""

    available = models.BooleanField(default=True)  # False: every WS-plugin call gets HTTP 503
    delay_ms = models.PositiveIntegerField(default=0)  # added before every WS-plugin answer
    failure_rate = models.PositiveSmallIntegerField(default=0)  # percentage of calls answered HTTP 503
    push = models.BooleanField(null=True, blank=True)  # None: the OOTS_AP_SIM_PUSH setting decides
    # Party ids (eb:To) whose access point "cannot be reached": their messages end in SEND_FAILURE.
    unreachable_parties = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "access-point simulator control"


@receiver(post_delete, sender=ApMessage)
def _envelope_file_delete(sender: type[ApMessage], instance: ApMessage, **_: object) -> None:
    if instance.envelope_file:
        instance.envelope_file.delete(save=False)

"""One evidence exchange, the messages it sent and received, the evidence it brought, and its log.

State machine of an exchange (DESIGN §3)::

    draft → requested → sent → preview_required → awaiting_response → received
                  ╰──────────────────────────────────────────────────→ failed | timed_out | declined

``requested`` means the user gave the explicit request and a first :class:`OutgoingMessage` waits for a
worker; ``sent`` that the access point accepted it; ``awaiting_response`` that the second request of the
preview flow was sent (or that the provider said *Unavailable* and will answer later).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExchangeState(models.TextChoices):
    DRAFT = "draft", _("Not requested yet")
    REQUESTED = "requested", _("Requested")
    SENT = "sent", _("Sent to the provider")
    PREVIEW_REQUIRED = "preview_required", _("Preview required")
    AWAITING_RESPONSE = "awaiting_response", _("Waiting for the provider")
    RECEIVED = "received", _("Evidence received")
    FAILED = "failed", _("Failed")
    TIMED_OUT = "timed_out", _("No answer in time")
    DECLINED = "declined", _("Declined")


TERMINAL_STATES = frozenset(
    {ExchangeState.RECEIVED, ExchangeState.FAILED, ExchangeState.TIMED_OUT, ExchangeState.DECLINED}
)
# Requested and not answered yet: a provider's answer is awaited (nothing for the user to do meanwhile).
WAITING_STATES = frozenset({ExchangeState.REQUESTED, ExchangeState.SENT, ExchangeState.AWAITING_RESPONSE})
# Ended without evidence.
UNSUCCESSFUL_STATES = TERMINAL_STATES - {ExchangeState.RECEIVED}


class EvidenceRequest(models.Model):
    """One exchange: one evidence type from one provider, for one application."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(
        "procedures.Application", on_delete=models.CASCADE, related_name="evidence_requests"
    )
    requirement = models.ForeignKey(
        "procedures.Requirement", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=20, choices=ExchangeState.choices, default=ExchangeState.DRAFT)
    conversation_id = models.CharField(max_length=100, unique=True, default=uuid.uuid4)
    edm_version = models.CharField(_("EDM version"), max_length=20)
    # What is requested, from whom (copied from the Data Service Directory's answer).
    evidence_type_classification = models.CharField(max_length=300)
    evidence_type_title = models.CharField(max_length=500)
    provider_identifier = models.CharField(max_length=200)
    provider_scheme = models.CharField(max_length=200)
    provider_name = models.CharField(max_length=500)
    provider_country = models.CharField(max_length=2, blank=True)
    access_point_id = models.CharField(max_length=200)  # C3, from the DSD AccessService identifier
    access_point_type = models.CharField(max_length=200)
    # The EDM request content (oots_client.edm.serialize of an EvidenceRequest): personal data, purged with
    # the evidence after the retention period.
    request_content = models.JSONField(default=dict)
    # Who the evidence is about, pseudonymous (exchanges.audit.subject_reference: a keyed HMAC of the
    # subject's eIDAS identifier): copied into every log entry and the explicit request's record, which
    # outlive the exchange (docs/audit.md).
    subject_reference = models.CharField(_("subject reference"), max_length=64, blank=True)
    explicit_request_at = models.DateTimeField(_("explicit request given at"), null=True, blank=True)
    preview_location = models.URLField(max_length=2000, blank=True)
    preview_description = models.TextField(blank=True)
    preview_method = models.CharField(max_length=10, blank=True)
    response_available_at = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    error_code = models.CharField(max_length=50, blank=True)
    error_message = models.TextField(blank=True)
    # The level of assurance the provider requires (its Directory entry's AuthenticationLevelOfAssurance, as
    # the login names levels: low, substantial, high); empty when it names none. The caller checks the user's
    # login against it when the request is sent.
    required_loa = models.CharField(max_length=12, blank=True)
    # Every rs:Exception of the provider's error answer, in its order (``code``, ``type``, ``message``,
    # ``detail``): ``error_code``/``error_message`` are the first one's (R-EDM-ERR-C011 allows several).
    error_exceptions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("evidence request")
        verbose_name_plural = _("evidence requests")
        indexes = [models.Index(fields=["state", "deadline"])]

    def __str__(self) -> str:
        return f"{self.evidence_type_title} ← {self.provider_name} ({self.get_state_display()})"

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    @property
    def is_waiting(self) -> bool:
        return self.state in WAITING_STATES


class OutgoingState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SUBMITTED = "submitted", _("Accepted by the access point")
    FAILED = "failed", _("Could not be sent")


class OutgoingMessage(models.Model):
    """One EDM request handed to the access point (the first, and the second of the preview flow).

    The ebMS MessageId is chosen here, before the first attempt, so that a retry after a crash re-submits
    the *same* message: the access point's duplicate detection then makes the send happen once.
    """

    evidence_request = models.ForeignKey(EvidenceRequest, on_delete=models.CASCADE, related_name="outgoing")
    request_id = models.CharField(max_length=100, unique=True)
    ebms_message_id = models.CharField(max_length=255, unique=True)
    preview_location = models.URLField(max_length=2000, blank=True)
    state = models.CharField(max_length=20, choices=OutgoingState.choices, default=OutgoingState.PENDING)
    payload = models.BinaryField(null=True, blank=True)  # the built RegRep document, resent as is
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The receiving access point's receipt: Domibus pushed sendSuccess, said ACKNOWLEDGED when asked, or an
    # answer to this request arrived. Until then, the status checks ask the access point (getStatus).
    delivered_at = models.DateTimeField(null=True, blank=True)
    status_checks = models.PositiveIntegerField(default=0)
    next_status_check_at = models.DateTimeField(null=True, blank=True)
    access_point_status = models.CharField(max_length=32, blank=True)  # Domibus's, at the last check
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"]),
            models.Index(fields=["state", "next_status_check_at"]),
        ]

    def __str__(self) -> str:
        return self.ebms_message_id


class IncomingState(models.TextChoices):
    NOTIFIED = "notified", _("Announced by the access point")
    PROCESSED = "processed", _("Applied to its exchange")
    PARKED = "parked", _("Parked (arrived when it could not be applied)")
    REFUSED = "refused", _("Refused")
    REJECTED = "rejected", _("Not given by the access point")


FINAL_INCOMING_STATES = frozenset(
    {IncomingState.PROCESSED, IncomingState.PARKED, IncomingState.REFUSED, IncomingState.REJECTED}
)


class IncomingReason(models.TextChoices):
    """Why an incoming message was refused or parked (docs/exchanges.md, "What an answer must prove")."""

    # Refused: the message does not prove that it is the answer to this exchange's request.
    UNREADABLE = "unreadable", _("Not a readable EDM message")
    INVALID = "invalid", _("Breaks the EDM schema or rules")
    NOT_AN_ANSWER = "not_an_answer", _("Not an answer (a request)")
    MISSING_IDS = "missing_ids", _("ConversationId or requestId missing")
    UNKNOWN_EXCHANGE = "unknown_exchange", _("Names no exchange of this portal")
    IDS_DISAGREE = "ids_disagree", _("ConversationId and requestId name different exchanges")
    STALE_REQUEST = "stale_request", _("Answers an earlier request of the exchange")
    WRONG_SENDER = "wrong_sender", _("Sent by another access point than the Directory named")
    WRONG_ORIGINAL_SENDER = "wrong_original_sender", _("originalSender is not the provider asked")
    WRONG_PROVIDER = "wrong_provider", _("EvidenceProvider is not the provider asked")
    WRONG_SUBJECT = "wrong_subject", _("The evidence is about someone else")
    WRONG_EVIDENCE_TYPE = "wrong_evidence_type", _("Not the evidence type requested")
    MISSING_ATTACHMENT = "missing_attachment", _("An evidence file is missing")
    WRONG_MEDIA_TYPE = "wrong_media_type", _("An evidence file is not of its declared media type")
    TOO_LARGE = "too_large", _("An evidence file is larger than allowed")
    PROCESSING_FAILED = "processing_failed", _("Could not be processed (see the logs)")
    # Parked: a genuine answer that came when it could not be applied; recorded, never applied later.
    AWAITING_PREVIEW = "awaiting_preview", _("Arrived while the user was to preview the evidence")
    EXCHANGE_FINISHED = "exchange_finished", _("Arrived after the exchange had ended")
    EXCHANGE_DISCARDED = "exchange_discarded", _("Arrived after the draft was deleted")


class IncomingMessage(models.Model):
    """One message announced or found at the access point; its ebMS id makes processing idempotent.

    ``evidence_request`` is the exchange the message was applied to, or the one it claims (by its
    ``ConversationId``, else its ``requestId``) when it was refused or parked.
    """

    ebms_message_id = models.CharField(max_length=255, unique=True)
    state = models.CharField(max_length=20, choices=IncomingState.choices, default=IncomingState.NOTIFIED)
    reason = models.CharField(max_length=30, choices=IncomingReason.choices, blank=True)
    evidence_request = models.ForeignKey(
        EvidenceRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="incoming"
    )
    conversation_id = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    action = models.CharField(max_length=100, blank=True)
    # Who the ebMS header says sent it (``type:value``): the sending access point and the original sender.
    from_party = models.CharField(max_length=255, blank=True)
    original_sender = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveIntegerField(default=0)  # processing attempts (bounded: never loops)
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    downloaded = models.BooleanField(default=False)
    detail = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incoming message")
        verbose_name_plural = _("incoming messages")
        indexes = [models.Index(fields=["state", "reason"])]

    def __str__(self) -> str:
        return self.ebms_message_id


def evidence_file_path(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.evidence_request.public_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """A piece of evidence received from a provider (main evidence or an annex)."""

    evidence_request = models.ForeignKey(EvidenceRequest, on_delete=models.CASCADE, related_name="evidences")
    identifier = models.CharField(max_length=300)
    title = models.CharField(max_length=500)
    media_type = models.CharField(max_length=100)
    conforms_to = models.CharField(max_length=500, blank=True)
    classification_node = models.CharField(max_length=100, blank=True)
    cid = models.CharField(max_length=300, blank=True)
    file = models.FileField(upload_to=evidence_file_path, null=True, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    metadata = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidences")

    def __str__(self) -> str:
        return self.title


class LogDirection(models.TextChoices):
    OUT = "out", _("Sent")
    IN = "in", _("Received")
    NOTIFICATION = "notification", _("Notification")
    EVENT = "event", _("Event")


class ExchangeLog(models.Model):
    """Every message in and out, and every state change (IR 2022/1463 art. 17: kept 12 months).

    No personal data here: ids, digests, sizes and outcomes only, and the subject's pseudonymous reference.
    The entries form one hash chain (``sequence``, ``previous_hash``, ``entry_hash``; written only by
    ``exchanges.audit.chain_append``, checked by ``manage.py oots_audit verify``, docs/audit.md); the link to
    the exchange is nulled when the exchange is deleted, its ids stay (``exchange_public_id``).
    """

    evidence_request = models.ForeignKey(
        EvidenceRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="log"
    )
    direction = models.CharField(max_length=20, choices=LogDirection.choices)
    event = models.CharField(max_length=50)
    ebms_message_id = models.CharField(max_length=255, blank=True)
    conversation_id = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(max_length=100, blank=True)
    payload_sha256 = models.CharField(max_length=64, blank=True)
    payload_size = models.PositiveBigIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=50, blank=True)
    reason = models.CharField(max_length=30, choices=IncomingReason.choices, blank=True)
    detail = models.TextField(blank=True)
    # What the EDM validation found in the message (XSD, Schematron, code lists, own rules): rule ids,
    # locations and texts of the rules, never the message's content.
    findings = models.JSONField(default=list, blank=True)
    # The hash chain (exchanges.audit): the exchange's ids copied (they survive its deletion), what the
    # citizen was shown for an explicit request (``facts``), the entry's place and hashes.
    exchange_public_id = models.UUIDField(null=True, blank=True)
    subject_reference = models.CharField(max_length=64, blank=True, db_index=True)
    facts = models.JSONField(default=dict, blank=True)
    sequence = models.PositiveBigIntegerField(unique=True)
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)
    # Set by the append itself (not auto_now_add, which would overwrite it): the hash covers this value.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("exchange log entry")
        verbose_name_plural = _("exchange log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.direction} {self.event}"


# The explicit request's record and the chain's head and checkpoints (docs/audit.md).
from exchanges.audit_models import AuditChainHead, AuditCheckpoint, ExplicitRequest  # noqa: E402, F401

"""What the Evidence Provider simulator remembers: requests seen, preview sessions, testers' overrides."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProviderRequest(models.Model):
    """One Evidence Request received, keyed by its ebMS message id (a redelivery is recognised)."""

    message_id = models.CharField(max_length=255, unique=True)
    request_id = models.CharField(max_length=255, blank=True)  # the QueryRequest @id
    conversation_id = models.CharField(max_length=255, blank=True, db_index=True)
    version = models.CharField(max_length=32, blank=True)
    scenario = models.CharField(max_length=32)
    scenario_source = models.CharField(max_length=64)  # override, person, evidence type, default, …
    subject = models.CharField(max_length=255, blank=True)  # the person's name, for the log and preview page
    regrep = models.BinaryField()
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.scenario} {self.request_id or self.message_id}"


class Decision(models.TextChoices):
    PENDING = "pending", _("not decided yet")
    ACCEPTED = "accepted", _("accepted")
    REFUSED = "refused", _("refused")


class PreviewSession(models.Model):
    """The preview space of one first request: the user sees the evidence, then accepts or refuses."""

    token = models.CharField(max_length=64, unique=True)
    first_request = models.OneToOneField(ProviderRequest, on_delete=models.CASCADE, related_name="preview")
    decision = models.CharField(max_length=8, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    # EDM 2.0 carries the portal's return address in the request (ReturnLocation); 1.x in ?returnurl=.
    return_location = models.URLField(max_length=2000, blank=True)
    # The second request (with PreviewLocation), when it came before the decision: answered on decision.
    second_request = models.ForeignKey(
        ProviderRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"preview {self.token} ({self.decision})"


class ScenarioOverride(models.Model):
    """A tester's choice for coming requests: of one conversation, of one person, or of anyone.

    ``uses`` counts down at each request it applies to ("the next request": 1); None applies until deleted.
    """

    scenario = models.CharField(max_length=32)
    conversation_id = models.CharField(max_length=255, blank=True)
    person = models.CharField(max_length=255, blank=True)  # identifier, family name, full name or legal name
    uses = models.PositiveIntegerField(null=True, blank=True, default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.scenario} for {self.conversation_id or self.person or 'anyone'}"

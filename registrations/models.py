"""How submitted applications reach an authority's own systems (issue 15, item 3).

A procedure's owner chooses its *registration backends* (:class:`RegistrationBackend` rows): an email to a
functional mailbox, a signed webhook, or the back-office API that the authority polls. Every submitted
application gets one :class:`Delivery` per backend, created in the submission's transaction (unique per
application and backend: exactly once). Keys that sign webhooks (:class:`SigningKey`) and tokens that open the
API (:class:`ApiToken`) belong to the authority that owns the procedure.
"""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from authorities.models import Authority
from procedures.models import Application, Procedure
from registrations.addresses import webhook_url_refusal


class BackendKind(models.TextChoices):
    EMAIL = "email", _("Email to a functional mailbox")
    WEBHOOK = "webhook", _("Signed webhook (HTTPS)")
    API = "api", _("Back-office API (the authority collects)")


class RegistrationBackend(models.Model):
    """One way the applications of a procedure are handed on; a procedure may have several."""

    procedure = models.ForeignKey(
        Procedure,
        on_delete=models.CASCADE,
        related_name="registration_backends",
        verbose_name=_("procedure"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=BackendKind.choices)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("What your colleagues call it, e.g. “Admissions mailbox”.")
    )
    email_to = models.EmailField(
        _("mailbox"),
        blank=True,
        help_text=_("For an email backend: the functional mailbox that receives it."),
    )
    webhook_url = models.URLField(
        _("webhook address"),
        max_length=2000,
        blank=True,
        help_text=_("For a webhook backend: the https address the signed document is posted to."),
    )
    enabled = models.BooleanField(
        _("enabled"), default=True, help_text=_("Applications submitted while disabled are not handed on.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["procedure", "kind", "name"]
        verbose_name = _("registration backend")
        verbose_name_plural = _("registration backends")
        constraints = [
            # The API lists a procedure's applications once: a second API backend would list them twice.
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(kind="api"),
                name="registrationbackend_one_api_per_procedure",
            ),
            models.CheckConstraint(
                condition=~Q(kind="email") | ~Q(email_to=""), name="registrationbackend_email_has_mailbox"
            ),
            models.CheckConstraint(
                condition=~Q(kind="webhook") | ~Q(webhook_url=""), name="registrationbackend_webhook_has_url"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def clean(self) -> None:
        if self.kind == BackendKind.EMAIL and not self.email_to:
            raise ValidationError({"email_to": _("An email backend needs a mailbox.")})
        if self.kind == BackendKind.WEBHOOK:
            if not self.webhook_url:
                raise ValidationError({"webhook_url": _("A webhook backend needs an address.")})
            refusal = webhook_url_refusal(self.webhook_url)
            if refusal:
                raise ValidationError({"webhook_url": refusal})
        if self.kind != BackendKind.EMAIL and self.email_to:
            raise ValidationError({"email_to": _("Only an email backend has a mailbox.")})
        if self.kind != BackendKind.WEBHOOK and self.webhook_url:
            raise ValidationError({"webhook_url": _("Only a webhook backend has an address.")})


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    AVAILABLE = "available", _("Waiting for the back office to collect it")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One application handed on through one backend: created with the submission, then sent (email,
    webhook) or collected and acknowledged (API)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("application")
    )
    backend = models.ForeignKey(
        RegistrationBackend, on_delete=models.PROTECT, related_name="deliveries", verbose_name=_("backend")
    )
    state = models.CharField(
        _("state"), max_length=20, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["application", "backend"], name="delivery_once_per_backend")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.application} → {self.backend}"

    @property
    def idempotency_key(self) -> str:
        """What the receiver uses to recognise a repeated delivery: the application's reference."""
        return str(self.application.reference)


def _key_id() -> str:
    return secrets.token_hex(4)


def _key_secret() -> str:
    return secrets.token_urlsafe(32)


class SigningKey(models.Model):
    """A secret shared with the authority's back office: webhooks are signed with every active key
    (HMAC-SHA256), so that a new key can be added, deployed at the receiver, and the old one retired later
    without a delivery the receiver cannot check."""

    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, related_name="signing_keys", verbose_name=_("authority")
    )
    key_id = models.CharField(_("key id"), max_length=16, unique=True, default=_key_id, editable=False)
    # Kept in clear: HMAC needs the secret itself to sign (only a digest is kept of API tokens).
    secret = models.CharField(_("secret"), max_length=100, default=_key_secret, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["authority", "-created_at"]
        verbose_name = _("webhook signing key")
        verbose_name_plural = _("webhook signing keys")

    def __str__(self) -> str:
        return f"{self.authority} · {self.key_id}"


TOKEN_PREFIX = "oots_bo_"  # noqa: S105 - a public marker, not a secret


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A token that opens the back-office API for one authority; only its SHA-256 is kept."""

    authority = models.ForeignKey(
        Authority, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("authority")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("Which system uses it."))
    prefix = models.CharField(_("starts with"), max_length=20, editable=False)
    digest = models.CharField(_("SHA-256"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["authority", "-created_at"]
        verbose_name = _("back-office API token")
        verbose_name_plural = _("back-office API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def set_new_token(self) -> str:
        """Give the row a fresh token and return it: the only moment it is known in clear."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        self.prefix = token[: len(TOKEN_PREFIX) + 6]
        self.digest = token_digest(token)
        return token

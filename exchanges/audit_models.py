"""The audit trail's own rows: the explicit request as the citizen gave it, and the hash chain's head and
checkpoints (the entries themselves are ``ExchangeLog`` rows). Written only by ``exchanges.audit``.

Imported by ``exchanges.models`` (Django finds the models there); docs/audit.md says what they hold and why.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PreviewDecision(models.TextChoices):
    """What became of a preview the provider asked for (the state changes behind it are in the chain)."""

    CONTINUED = "continued", _("Came back from the preview; the evidence was asked for again")
    DECLINED = "declined", _("Chose not to use OOTS for this evidence")
    EXPIRED = "expired", _("Did not come back before the deadline")


class ExplicitRequest(models.Model):
    """The explicit request for one exchange (SDGR art. 14(3)(a), IR 2022/1463 art. 10), with what the
    citizen was shown when giving it: the evidence type, the provider, the requirement, whether a preview may
    be asked for, the page's language, the time.

    Copies, not links: the record outlives the draft and the exchange (``evidence_request`` is nulled when
    the exchange is deleted); its immutable part (:meth:`facts`) is also the ``facts`` of its chained log
    entry, so ``oots_audit verify`` detects a change to either. Kept as long as the exchange log.
    """

    evidence_request = models.OneToOneField(
        "exchanges.EvidenceRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="explicit_request",
    )
    log_entry = models.OneToOneField(
        "exchanges.ExchangeLog", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exchange_public_id = models.UUIDField(_("exchange"))
    conversation_id = models.CharField(max_length=100)
    subject_reference = models.CharField(_("subject reference"), max_length=64, db_index=True)
    # The natural person who gave the request for the subject (eIDAS representation), when not the subject.
    representative_reference = models.CharField(_("representative reference"), max_length=64, blank=True)
    given_at = models.DateTimeField(_("given at"), db_index=True)
    language = models.CharField(_("language of the page"), max_length=10)
    procedure = models.CharField(_("procedure"), max_length=20, blank=True)
    evidence_type_identifier = models.CharField(_("evidence type identifier"), max_length=300)
    evidence_type_classification = models.CharField(_("evidence type classification"), max_length=300)
    evidence_type_title = models.CharField(_("evidence type as shown"), max_length=500)
    provider_identifier = models.CharField(_("provider identifier"), max_length=200)
    provider_scheme = models.CharField(_("provider identifier scheme"), max_length=200)
    provider_name = models.CharField(_("provider as shown"), max_length=500)
    provider_country = models.CharField(_("provider country"), max_length=2, blank=True)
    requirement_identifier = models.CharField(_("requirement identifier"), max_length=300, blank=True)
    requirement_name = models.CharField(_("requirement as shown"), max_length=500, blank=True)
    # The request's PossibilityForPreview: the citizen was told a provider may ask them to preview first.
    preview_possible = models.BooleanField(_("preview possible"))
    # Later: the provider asked for a preview (EDM:ERR:0002), and what the citizen did about it.
    preview_required_at = models.DateTimeField(_("preview required at"), null=True, blank=True)
    preview_decision = models.CharField(
        _("preview decision"), max_length=20, choices=PreviewDecision.choices, blank=True
    )
    preview_decided_at = models.DateTimeField(_("preview decided at"), null=True, blank=True)

    class Meta:
        ordering = ["given_at", "id"]
        verbose_name = _("explicit request")
        verbose_name_plural = _("explicit requests")

    def __str__(self) -> str:
        return f"{self.given_at:%Y-%m-%d %H:%M:%S} {self.evidence_type_title} ← {self.provider_name}"

    def facts(self) -> dict[str, object]:
        """What was given and shown (the part that never changes), as chained in its log entry."""
        return {
            "explicit_request": True,
            "given_at": self.given_at.isoformat(),
            "language": self.language,
            "procedure": self.procedure,
            "subject_reference": self.subject_reference,
            "representative_reference": self.representative_reference,
            "evidence_type": {
                "identifier": self.evidence_type_identifier,
                "classification": self.evidence_type_classification,
                "title": self.evidence_type_title,
            },
            "provider": {
                "identifier": self.provider_identifier,
                "scheme": self.provider_scheme,
                "name": self.provider_name,
                "country": self.provider_country,
            },
            "requirement": {"identifier": self.requirement_identifier, "name": self.requirement_name},
            "preview_possible": self.preview_possible,
        }


class AuditChainHead(models.Model):
    """The one row (pk 1) that says where the chain ends; locked by every append (``SELECT … FOR UPDATE``),
    so that concurrent appends form one chain, and read by ``verify`` to detect entries removed at the end."""

    sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.last_hash[:12]}…"


class AuditCheckpoint(models.Model):
    """Where the chain starts after a purge: the last purged entry's number and hash (the next entry's
    ``previous_hash``). Each purge is also a chained entry (event ``audit_purged``) naming them."""

    sequence = models.PositiveBigIntegerField(unique=True)
    last_hash = models.CharField(max_length=64)
    entries_purged = models.PositiveBigIntegerField()
    purged_at = models.DateTimeField()

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"#{self.sequence} {self.last_hash[:12]}…"

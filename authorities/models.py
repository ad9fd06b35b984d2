"""A competent authority (the OOTS Evidence Requester of its procedures) and the staff who work for it.

An authority owns procedures (``procedures.Procedure.authority``); it is named in every request sent on
their behalf (the EDM ``EvidenceRequester``, R-EDM-REQ-C015…C017: identifier with its scheme, name,
country). Staff belong to authorities through :class:`Membership` rows, one per role: what a staff user
may see in the admin is what the authorities of their memberships own (``authorities.scope``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

country_code_validator = RegexValidator(r"^[A-Z]{2}$", _("Enter a two-letter country code, e.g. BE."))


class Authority(models.Model):
    name = models.CharField(_("name"), max_length=300)
    country = models.CharField(
        _("country"),
        max_length=2,
        validators=[country_code_validator],
        help_text=_("The authority's Member State (ISO 3166-1 alpha-2)."),
    )
    requester_identifier = models.CharField(
        _("Evidence Requester identifier"),
        max_length=200,
        help_text=_("The identifier by which OOTS knows this authority as Evidence Requester."),
    )
    requester_scheme = models.CharField(
        _("Evidence Requester identifier scheme"),
        max_length=200,
        help_text=_(
            "An EAS scheme (urn:cef.eu:names:identifier:EAS:…) or an ebCore unregistered party type."
        ),
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=50, blank=True)
    contact_web = models.URLField(_("contact web page"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        constraints = [
            # One authority per Evidence Requester identity: the answers come back to it by that identity.
            models.UniqueConstraint(
                fields=["requester_scheme", "requester_identifier"], name="authority_unique_requester"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", _("Procedure owner")
    CASE_WORKER = "case_worker", _("Case worker")


class Membership(models.Model):
    """A staff user works for an authority in one role; a user with both roles has two rows."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(_("since"), auto_now_add=True)

    class Meta:
        ordering = ["authority__name", "role"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "authority", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.authority} · {self.get_role_display()}"

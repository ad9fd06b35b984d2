"""The portal's user model.

A custom user model from the first migration, because eIDAS identities (person identifier, LoA)
will hang off it and swapping the model later is painful.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class LevelOfAssurance(models.TextChoices):
    """The eIDAS levels of assurance, weakest first: the one definition the login (``accounts.eidas.loa``:
    their URIs and order), the procedures (the level each requires), the pages (``{{ level|loa_label }}``)
    and the EDM requests (:attr:`edm_code`) read."""

    LOW = "low", _("Low")
    SUBSTANTIAL = "substantial", _("Substantial")
    HIGH = "high", _("High")

    @property
    def uri(self) -> str:
        """The eIDAS ``AuthnContextClassRef`` (eIDAS SAML Attribute Profile, section 2.3)."""
        return f"http://eidas.europa.eu/LoA/{self.value}"

    @property
    def edm_code(self) -> str:
        """The EDM's ``LevelOfAssurance`` value (LevelsOfAssurance code list: ``Low``, ``Substantial``,
        ``High``)."""
        return self.value.capitalize()


class User(AbstractUser):
    """A citizen or a procedure owner. Citizens have no usable local password."""

    def display_name(self) -> str:
        full = self.get_full_name()
        return full or self.get_username()


class EidasIdentity(models.Model):
    """What the eIDAS node said about the user at their last eIDAS login.

    A natural person, a legal person, or a natural person representing a legal person (both sets
    filled). Updated at every login, so it always matches the session the user is in; the LoA of
    the current session itself is kept in the session (``accounts.eidas.loa``).
    """

    class Kind(models.TextChoices):
        NATURAL = "natural", _("natural person")
        LEGAL = "legal", _("legal person")
        REPRESENTATIVE = "representative", _("natural person representing a legal person")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="eidas_identity",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, blank=True)
    person_identifier = models.CharField(_("person identifier"), max_length=256, blank=True)
    given_name = models.CharField(_("given name"), max_length=300, blank=True)
    family_name = models.CharField(_("family name"), max_length=300, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    birth_name = models.CharField(_("birth name"), max_length=300, blank=True)
    place_of_birth = models.CharField(_("place of birth"), max_length=300, blank=True)
    current_address = models.TextField(_("current address"), blank=True)
    gender = models.CharField(_("gender"), max_length=30, blank=True)
    legal_person_identifier = models.CharField(_("legal person identifier"), max_length=256, blank=True)
    legal_name = models.CharField(_("legal name"), max_length=500, blank=True)
    legal_attributes = models.JSONField(_("other legal person attributes"), default=dict, blank=True)
    loa = models.CharField(_("level of assurance"), max_length=12)
    authenticated_at = models.DateTimeField(_("authenticated at"))

    class Meta:
        verbose_name = _("eIDAS identity")
        verbose_name_plural = _("eIDAS identities")

    def __str__(self) -> str:
        names = " ".join(part for part in (self.given_name, self.family_name) if part)
        return names or self.legal_name or self.person_identifier

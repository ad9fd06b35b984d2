"""The portal's user model.

A custom user model from the first migration, because eIDAS identities (person identifier, LoA)
will hang off it and swapping the model later is painful.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.eidas.address import EidasAddress as EidasAddressParts


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

    The subject of the login, a natural person (the ``person_identifier`` … ``email_address`` columns) or a
    legal person (``legal_person_identifier`` … ``sic``), and the natural person acting for the subject when
    someone does (the ``representative_…`` columns), whichever form of representation the node used
    (``accounts.eidas.attributes``). The addresses are :class:`EidasAddress` rows. Updated at every login,
    so it always matches the session the user is in; the LoA of the current session itself is kept in the
    session (``accounts.eidas.loa``).
    """

    class Kind(models.TextChoices):
        NATURAL = "natural", _("natural person")
        LEGAL = "legal", _("legal person")
        REPRESENTATIVE = "representative", _("natural person representing a legal person")
        NATURAL_REPRESENTATIVE = (
            "natural_representative",
            _("natural person representing another natural person"),
        )

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="eidas_identity",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    country = models.CharField(_("country"), max_length=2, blank=True)
    # The subject, when a natural person (eIDAS natural-person attributes).
    person_identifier = models.CharField(_("person identifier"), max_length=256, blank=True)
    given_name = models.CharField(_("given name"), max_length=300, blank=True)
    family_name = models.CharField(_("family name"), max_length=300, blank=True)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    birth_name = models.CharField(_("birth name"), max_length=300, blank=True)
    place_of_birth = models.CharField(_("place of birth"), max_length=300, blank=True)
    gender = models.CharField(_("gender"), max_length=30, blank=True)
    nationality = models.CharField(_("nationality"), max_length=2, blank=True)
    country_of_birth = models.CharField(_("country of birth"), max_length=2, blank=True)
    town_of_birth = models.CharField(_("town of birth"), max_length=300, blank=True)
    country_of_residence = models.CharField(_("country of residence"), max_length=2, blank=True)
    phone_number = models.CharField(_("phone number"), max_length=64, blank=True)
    email_address = models.CharField(_("email address"), max_length=254, blank=True)
    # The subject, when a legal person (eIDAS legal-person attributes).
    legal_person_identifier = models.CharField(_("legal person identifier"), max_length=256, blank=True)
    legal_name = models.CharField(_("legal name"), max_length=500, blank=True)
    vat_registration = models.CharField(_("VAT registration number"), max_length=300, blank=True)
    tax_reference = models.CharField(_("tax reference number"), max_length=300, blank=True)
    eu_identifier = models.CharField(_("EU business register identifier (EUID)"), max_length=300, blank=True)
    lei = models.CharField(_("Legal Entity Identifier (LEI)"), max_length=300, blank=True)
    eori = models.CharField(_("EORI number"), max_length=300, blank=True)
    seed = models.CharField(_("SEED excise number"), max_length=300, blank=True)
    sic = models.CharField(_("SIC code"), max_length=300, blank=True)
    # The natural person acting for the subject, if any (eIDAS representative or two data sets).
    representative_person_identifier = models.CharField(
        _("representative's person identifier"), max_length=256, blank=True
    )
    representative_given_name = models.CharField(_("representative's given name"), max_length=300, blank=True)
    representative_family_name = models.CharField(
        _("representative's family name"), max_length=300, blank=True
    )
    representative_date_of_birth = models.DateField(
        _("representative's date of birth"), null=True, blank=True
    )
    representative_birth_name = models.CharField(_("representative's birth name"), max_length=300, blank=True)
    representative_place_of_birth = models.CharField(
        _("representative's place of birth"), max_length=300, blank=True
    )
    representative_gender = models.CharField(_("representative's gender"), max_length=30, blank=True)
    representative_nationality = models.CharField(_("representative's nationality"), max_length=2, blank=True)
    representative_country_of_birth = models.CharField(
        _("representative's country of birth"), max_length=2, blank=True
    )
    representative_town_of_birth = models.CharField(
        _("representative's town of birth"), max_length=300, blank=True
    )
    representative_country_of_residence = models.CharField(
        _("representative's country of residence"), max_length=2, blank=True
    )
    representative_phone_number = models.CharField(
        _("representative's phone number"), max_length=64, blank=True
    )
    representative_email_address = models.CharField(
        _("representative's email address"), max_length=254, blank=True
    )
    loa = models.CharField(_("level of assurance"), max_length=12)
    authenticated_at = models.DateTimeField(_("authenticated at"))

    class Meta:
        verbose_name = _("eIDAS identity")
        verbose_name_plural = _("eIDAS identities")

    def __str__(self) -> str:
        names = " ".join(part for part in (self.given_name, self.family_name) if part)
        return names or self.legal_name or self.person_identifier

    @property
    def is_represented(self) -> bool:
        """Whether a natural person acts for the subject (``representative_…`` is that person)."""
        return self.kind in (self.Kind.REPRESENTATIVE, self.Kind.NATURAL_REPRESENTATIVE)

    def address(self, role: str) -> EidasAddress | None:
        """The address of ``role`` (:class:`EidasAddress.Role`); reads ``prefetch_related("addresses")``."""
        if self.pk is None:  # an identity built in memory (the test runners) has no address rows
            return None
        return next((address for address in self.addresses.all() if address.role == role), None)

    @property
    def current_address(self) -> EidasAddress | None:
        """The natural person subject's address (eIDAS ``CurrentAddress``)."""
        return self.address(EidasAddress.Role.CURRENT)

    @property
    def legal_address(self) -> EidasAddress | None:
        """The legal person subject's registered address (eIDAS ``LegalPersonAddress``)."""
        return self.address(EidasAddress.Role.LEGAL)

    @property
    def representative_address(self) -> EidasAddress | None:
        """The representative's own address (eIDAS ``CurrentAddress`` of the representative)."""
        return self.address(EidasAddress.Role.REPRESENTATIVE)


class EidasAddress(models.Model):
    """An address the eIDAS node gave at the last login, in the parts of the ISA Core Location vocabulary
    that the eIDAS address attributes use (``accounts.eidas.address``)."""

    class Role(models.TextChoices):
        CURRENT = "current", _("current address")
        LEGAL = "legal", _("registered address")
        REPRESENTATIVE = "representative", _("representative's current address")

    identity = models.ForeignKey(
        EidasIdentity, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("eIDAS identity")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    po_box = models.CharField(_("PO box"), max_length=300, blank=True)
    locator_designator = models.CharField(_("house number"), max_length=300, blank=True)
    locator_name = models.CharField(_("building name"), max_length=300, blank=True)
    cv_address_area = models.CharField(_("district or village"), max_length=300, blank=True)
    thoroughfare = models.CharField(_("street"), max_length=300, blank=True)
    post_name = models.CharField(_("town"), max_length=300, blank=True)
    admin_unit_first_line = models.CharField(_("country"), max_length=300, blank=True)
    admin_unit_second_line = models.CharField(_("region"), max_length=300, blank=True)
    post_code = models.CharField(_("post code"), max_length=300, blank=True)
    full_address = models.CharField(_("full address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("eIDAS address")
        verbose_name_plural = _("eIDAS addresses")
        constraints = [
            models.UniqueConstraint(fields=["identity", "role"], name="eidas_address_one_per_role")
        ]

    def __str__(self) -> str:
        return self.parts().one_line()

    def parts(self) -> EidasAddressParts:
        return EidasAddressParts(**{name: getattr(self, name) for name in EidasAddressParts().as_dict()})

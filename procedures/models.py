"""Procedures configured by procedure owners, and the applications citizens make to them."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import LevelOfAssurance
from procedures.choices import parse_choices


class LifeEvent(models.TextChoices):
    """The life events of SDGR Annex II, under which the 21 procedures are grouped."""

    BIRTH = "birth", _("Birth")
    RESIDENCE = "residence", _("Residence")
    STUDYING = "studying", _("Studying")
    WORKING = "working", _("Working")
    MOVING = "moving", _("Moving")
    RETIRING = "retiring", _("Retiring")
    BUSINESS = "business", _("Starting, running and closing a business")
    TESTING = "testing", _("Testing")


country_code_validator = RegexValidator(r"^[A-Z]{2}$", _("Enter a two-letter country code, e.g. BE."))


class Procedure(models.Model):
    code = models.CharField(
        _("OOTS procedure code"),
        max_length=8,
        unique=True,
        help_text=_("Code from the OOTS Procedures code list (R1 … X6, or 00 for tests)."),
    )
    # 1000: the French and German names of some Annex II procedures pass 500 characters.
    name = models.CharField(_("name"), max_length=1000)
    description = models.TextField(_("description for citizens"), blank=True)
    life_event = models.CharField(_("life event"), max_length=20, choices=LifeEvent.choices)
    country = models.CharField(
        _("country of the portal"),
        max_length=2,
        validators=[country_code_validator],
        help_text=_("The Evidence Requester's jurisdiction (ISO 3166-1 alpha-2)."),
    )
    possibility_for_preview = models.BooleanField(
        _("possibility for preview"),
        default=True,
        help_text=_("Whether the law of this Member State lets the user preview evidence (SDGR art. 14)."),
    )
    # The Evidence Requester named in the requests (its identifier, scheme and name): the authority's.
    authority = models.ForeignKey(
        "authorities.Authority",
        on_delete=models.PROTECT,
        related_name="procedures",
        verbose_name=_("authority"),
    )
    required_loa = models.CharField(
        _("minimum level of assurance"),
        max_length=12,
        choices=LevelOfAssurance.choices,
        default=LevelOfAssurance.SUBSTANTIAL,
    )
    form_position = models.CharField(
        _("form position"),
        max_length=10,
        choices=[("before", _("Before the evidence")), ("after", _("After the evidence"))],
        default="after",
        help_text=_("Whether citizens fill in the form before or after they provide the evidence."),
    )
    published = models.BooleanField(_("published"), default=False)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        permissions = [("publish_procedure", _("Can publish and unpublish procedures"))]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    EMAIL = "email", _("Email address")
    DATE = "date", _("Date")
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    CHECKBOX = "checkbox", _("Checkbox")
    FILE = "file", _("File upload")


class PrefillSource(models.TextChoices):
    """eIDAS attributes a form field can be pre-filled from (``procedures.prefill`` reads them)."""

    GIVEN_NAME = "given_name", _("Given name (eIDAS)")
    FAMILY_NAME = "family_name", _("Family name (eIDAS)")
    BIRTH_NAME = "birth_name", _("Birth name (eIDAS)")
    DATE_OF_BIRTH = "date_of_birth", _("Date of birth (eIDAS)")
    PLACE_OF_BIRTH = "place_of_birth", _("Place of birth (eIDAS)")
    NATIONALITY = "nationality", _("Nationality (eIDAS)")
    ADDRESS = "address", _("Current address (eIDAS)")
    EMAIL = "email_address", _("Email address (eIDAS)")
    PHONE = "phone_number", _("Phone number (eIDAS)")
    LEGAL_NAME = "legal_name", _("Legal person's name (eIDAS)")


field_key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,49}$", _("Use lower-case letters, digits and underscores, starting with a letter.")
)


class FormField(models.Model):
    """One field of a procedure's application form; the form is built from these rows at run time."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="form_fields")
    key = models.CharField(
        _("key"),
        max_length=50,
        validators=[field_key_validator],
        help_text=_("Stable machine name of the field; the answers are stored under it."),
    )
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices, default=FieldType.TEXT)
    label = models.CharField(_("label"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=True)
    choices = models.TextField(
        _("choices"),
        blank=True,
        help_text=_(
            "For a choice field: one option per line, as “key | label”. The key is stored with the answer "
            "and stays the same in every language; only the label is translated."
        ),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    show_when_key = models.CharField(
        _("show only when field"),
        max_length=50,
        blank=True,
        help_text=_("The key of an earlier choice or checkbox field; empty: always shown."),
    )
    show_when_value = models.CharField(
        _("has the value"),
        max_length=50,
        blank=True,
        help_text=_("A choice's key, or “yes” / “no” for a checkbox."),
    )
    prefill = models.CharField(
        _("pre-fill from"),
        max_length=30,
        blank=True,
        choices=PrefillSource.choices,
        help_text=_("An attribute of the citizen's eIDAS login that fills the field in advance."),
    )
    prefill_locked = models.BooleanField(
        _("pre-filled value locked"),
        default=False,
        help_text=_("The citizen cannot change a value that came from eIDAS."),
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("form field")
        verbose_name_plural = _("form fields")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "key"], name="formfield_unique_key_per_procedure")
        ]

    def __str__(self) -> str:
        return self.label

    def choice_list(self) -> list[tuple[str, str]]:
        """(key, label) of each option, the label in the active language (``procedures.choices``)."""
        return parse_choices(self.choices)

    def choice_label(self, key: object) -> str:
        """The label of the option stored as ``key``; an unknown key (an option since removed) as is."""
        return dict(self.choice_list()).get(str(key), str(key))

    @property
    def is_conditional(self) -> bool:
        return bool(self.show_when_key)

    def clean(self) -> None:
        if self.field_type == FieldType.CHOICE and len(self.choice_list()) < 2:
            raise ValidationError({"choices": _("A choice field needs at least two options, one per line.")})
        if self.field_type != FieldType.CHOICE and self.choices.strip():
            raise ValidationError({"choices": _("Only choice fields have choices.")})
        if bool(self.show_when_key) != bool(self.show_when_value):
            raise ValidationError(
                {"show_when_value": _("Give both the field and the value that make this field shown.")}
            )
        if self.show_when_key and self.show_when_key == self.key:
            raise ValidationError({"show_when_key": _("A field cannot depend on itself.")})
        if self.prefill_locked and not self.prefill:
            raise ValidationError({"prefill_locked": _("Only a pre-filled field can be locked.")})


class Requirement(models.Model):
    """A Semantic Repository requirement of a procedure (from the Evidence Broker)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="requirements")
    identifier = models.URLField(
        _("requirement URI"), max_length=300, help_text=_("Semantic Repository requirement URI.")
    )
    name = models.CharField(_("name"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    allow_upload = models.BooleanField(
        _("manual upload allowed"),
        default=True,
        help_text=_("Whether the user may upload the document instead of using OOTS."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "identifier"], name="requirement_unique_uri_per_procedure"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Application(models.Model):
    """A user's case for one procedure: the form answers, a draft until submitted."""

    reference = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="applications")
    status = models.CharField(
        _("status"), max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT
    )
    data = models.JSONField(_("answers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [models.Index(fields=["user", "-updated_at"])]

    def __str__(self) -> str:
        return f"{self.procedure.code} · {self.short_reference}"

    @property
    def short_reference(self) -> str:
        return str(self.reference)[:8].upper()

    @property
    def is_draft(self) -> bool:
        return self.status == ApplicationStatus.DRAFT


def application_file_path(instance: ApplicationFile, filename: str) -> str:
    # The user's file name is kept in a column, never in the path: no path tricks, no personal
    # data in file names on disk.
    return f"applications/{instance.application.reference}/{uuid.uuid4().hex}"


class ApplicationFile(models.Model):
    """A file a user uploaded for a file field of the form."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    field_key = models.CharField(_("field"), max_length=50)
    file = models.FileField(_("file"), upload_to=application_file_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("uploaded file")
        verbose_name_plural = _("uploaded files")
        constraints = [
            # Evidence uploads have no field key (an ``EvidenceItem`` points to them): the form's keys and
            # the evidence never share a namespace.
            models.UniqueConstraint(
                fields=["application", "field_key"],
                condition=~models.Q(field_key=""),
                name="one_file_per_field",
            )
        ]

    def __str__(self) -> str:
        return self.original_name


# --- The journey: what the citizen chose for each requirement, and each evidence item ---------------------


class EvidenceRoute(models.TextChoices):
    OOTS = "oots", _("Requested through OOTS")
    UPLOAD = "upload", _("Uploaded by the applicant")


class RequirementChoice(models.Model):
    """How the applicant meets one requirement of their application: through OOTS from a country (and the
    evidence type list chosen, and the Data Service Directory's questions answered: ``DirectoryAnswer``), or
    by uploading the document. Its evidence items are ``EvidenceItem`` rows."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="requirement_choices")
    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="+")
    route = models.CharField(_("route"), max_length=10, choices=EvidenceRoute.choices, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    alternative = models.CharField(_("evidence type list"), max_length=300, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("requirement choice")
        verbose_name_plural = _("requirement choices")
        constraints = [
            models.UniqueConstraint(fields=["application", "requirement"], name="one_choice_per_requirement")
        ]

    def __str__(self) -> str:
        return f"{self.requirement} ({self.route or '-'})"


class DirectoryAnswer(models.Model):
    """An answer the applicant gave to a Data Service Directory question (``DSD:ERR:0005``: a region or a
    classification) about one evidence type of the chosen list."""

    choice = models.ForeignKey(RequirementChoice, on_delete=models.CASCADE, related_name="answers")
    name = models.CharField(_("question"), max_length=20)  # j<i> (region) or c<i>_<n> (classification)
    label = models.CharField(_("question text"), max_length=500, blank=True)
    value = models.CharField(_("answer"), max_length=300)
    value_label = models.CharField(_("answer text"), max_length=500, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("directory answer")
        verbose_name_plural = _("directory answers")
        constraints = [models.UniqueConstraint(fields=["choice", "name"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class EvidenceItem(models.Model):
    """One document a requirement needs (one evidence type of the chosen list: a diploma, its supplement),
    received through its exchange, uploaded by the applicant, or still missing. A retry points the item to
    the new exchange; an upload fills exactly this item."""

    choice = models.ForeignKey(RequirementChoice, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    title = models.CharField(_("evidence"), max_length=500)
    evidence_type = models.CharField(_("evidence type"), max_length=300, blank=True)
    exchange = models.ForeignKey(
        "exchanges.EvidenceRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    upload = models.OneToOneField(
        ApplicationFile, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence_item"
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        constraints = [models.UniqueConstraint(fields=["choice", "position"], name="one_item_per_position")]

    def __str__(self) -> str:
        return self.title


class CaseStatus(models.TextChoices):
    """Where the authority is with a submitted application; set by its case workers."""

    RECEIVED = "received", _("Received")
    IN_PROGRESS = "in_progress", _("In progress")
    MORE_INFORMATION = "more_information", _("More information needed")
    GRANTED = "granted", _("Decided: granted")
    REFUSED = "refused", _("Decided: refused")


class CaseStatusChange(models.Model):
    """One step of an application's case history, with the message the applicant is sent.

    The application's case status is its latest row (``procedures.casework.case_status``); a submitted
    application without rows is *received*.
    """

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="case_history")
    status = models.CharField(_("case status"), max_length=20, choices=CaseStatus.choices)
    message = models.TextField(_("message to the applicant"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("case status change")
        verbose_name_plural = _("case status changes")
        indexes = [models.Index(fields=["application", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.application} · {self.get_status_display()}"


class NotificationConsent(models.Model):
    """The citizen's answer, asked once, to "shall we tell you by email?": the address and the language.

    The latest row is the answer in force; a later row (a new address, a withdrawal) replaces it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_consents"
    )
    email = models.EmailField(_("email address"), blank=True)
    consented = models.BooleanField(_("agreed to be told by email"))
    language = models.CharField(_("language"), max_length=10)
    answered_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        ordering = ["-answered_at", "-pk"]
        verbose_name = _("email consent")
        verbose_name_plural = _("email consents")

    def __str__(self) -> str:
        return f"{self.user} · {self.email or '—'}"


class NotificationKind(models.TextChoices):
    EVIDENCE_ARRIVED = "evidence_arrived", _("Evidence arrived")
    EXCHANGE_FAILED = "exchange_failed", _("Evidence request failed")
    CASE_STATUS = "case_status", _("Case status changed")


class Notification(models.Model):
    """One email to an applicant; ``key`` makes it once per event however often it is queued."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    key = models.CharField(max_length=100, unique=True)
    email = models.EmailField(_("email address"))
    language = models.CharField(_("language"), max_length=10)
    case_status_change = models.ForeignKey(
        CaseStatusChange, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    evidence_request = models.ForeignKey(
        "exchanges.EvidenceRequest", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.key


class StatusPageSeen(models.Model):
    """When the citizen last had the evidence status page open (it polls while open): what arrives after
    they left is sent to them by email."""

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="status_seen")
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.application} · {self.seen_at:%Y-%m-%d %H:%M}"

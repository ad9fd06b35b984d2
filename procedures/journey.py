"""What the citizen's journey stands on, read once per request: for every requirement of the application its
``RequirementChoice`` (OOTS from a country, or an upload; the Directory's questions answered) and its
``EvidenceItem`` rows (received through their exchange, uploaded, or still missing).

The steps that are drawn from it are ``procedures.steps`` (the task list, one object per step); step 2's
dialogue with the Common Services is ``procedures.locate``; the writes are ``procedures.journey_services``.
``Application.data`` holds the form's answers only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.eidas.loa import session_loa
from accounts.models import EidasIdentity
from exchanges.models import UNSUCCESSFUL_STATES, EvidenceRequest, ExchangeState
from procedures.locate import country_name
from procedures.models import (
    Application,
    ApplicationFile,
    EvidenceItem,
    EvidenceRoute,
    Procedure,
    Requirement,
    RequirementChoice,
)


class ItemStatus:
    """Where one evidence item stands, as the citizen reads it."""

    MISSING = "missing"  # nothing asked, nothing uploaded
    CHOSEN = "chosen"  # an exchange drafted, the explicit request not given yet
    IN_PROGRESS = "in_progress"  # asked; waiting for the authority or for the citizen's preview
    RECEIVED = "received"
    UPLOADED = "uploaded"
    REFUSED = "refused"  # the citizen chose not to share it in the preview
    FAILED = "failed"  # the authority could not send it (the citizen may ask again or upload)


def preview_refused(exchange: EvidenceRequest) -> bool:
    """The citizen went to the preview and chose not to share: the provider then answers the second request
    (the one a preview precedes) with an empty Success, no evidence and no error code."""
    return (
        exchange.state == ExchangeState.FAILED
        and exchange.error_code == "NO_EVIDENCE"
        and bool(exchange.preview_location)
    )


def item_status(exchange: EvidenceRequest | None, upload: ApplicationFile | None) -> str:
    if exchange is not None and exchange.state == ExchangeState.RECEIVED:
        return ItemStatus.RECEIVED  # evidence that arrived is never hidden behind an upload
    if upload is not None:
        return ItemStatus.UPLOADED
    if exchange is None or exchange.state == ExchangeState.DECLINED:
        return ItemStatus.MISSING
    if exchange.state == ExchangeState.DRAFT:
        return ItemStatus.CHOSEN
    if preview_refused(exchange):
        return ItemStatus.REFUSED
    if exchange.state in UNSUCCESSFUL_STATES:
        return ItemStatus.FAILED
    return ItemStatus.IN_PROGRESS


@dataclass
class ItemProgress:
    item: EvidenceItem
    exchange: EvidenceRequest | None
    upload: ApplicationFile | None

    @property
    def status(self) -> str:
        return item_status(self.exchange, self.upload)

    @property
    def satisfied(self) -> bool:
        return self.status in (ItemStatus.RECEIVED, ItemStatus.UPLOADED)

    @property
    def can_upload(self) -> bool:
        return self.status in (ItemStatus.MISSING, ItemStatus.REFUSED, ItemStatus.FAILED, ItemStatus.UPLOADED)


class RequirementStatus:
    TODO = "todo"
    CHOSEN = "chosen"  # exchanges drafted, explicit request not given yet
    IN_PROGRESS = "in_progress"
    RECEIVED = "received"
    FAILED = "failed"  # an item is missing after its exchange ended (refused, not found, …)
    UPLOADED = "uploaded"
    PARTLY = "partly"  # every item received or uploaded, some of each


@dataclass
class RequirementProgress:
    requirement: Requirement
    choice: RequirementChoice | None = None
    items: list[ItemProgress] = field(default_factory=list)

    @property
    def mode(self) -> str:
        return self.choice.route if self.choice else ""

    @property
    def country(self) -> str:
        return self.choice.country if self.choice else ""

    @property
    def country_name(self) -> str:
        return country_name(self.country)

    @property
    def exchanges(self) -> list[EvidenceRequest]:
        return [p.exchange for p in self.items if p.exchange is not None]

    @property
    def uploads(self) -> list[ApplicationFile]:
        return [p.upload for p in self.items if p.upload is not None]

    @property
    def status(self) -> str:
        statuses = {p.status for p in self.items}
        if not self.mode or not statuses or (ItemStatus.MISSING in statuses and len(statuses) == 1):
            return RequirementStatus.TODO
        if statuses <= {ItemStatus.RECEIVED, ItemStatus.UPLOADED}:
            if statuses == {ItemStatus.RECEIVED}:
                return RequirementStatus.RECEIVED
            return (
                RequirementStatus.UPLOADED if statuses == {ItemStatus.UPLOADED} else RequirementStatus.PARTLY
            )
        if ItemStatus.CHOSEN in statuses:
            return RequirementStatus.CHOSEN
        if ItemStatus.IN_PROGRESS in statuses:
            return RequirementStatus.IN_PROGRESS
        return RequirementStatus.FAILED

    @property
    def located(self) -> bool:
        return self.status != RequirementStatus.TODO

    @property
    def satisfied(self) -> bool:
        return bool(self.items) and all(p.satisfied for p in self.items)

    @property
    def has_received(self) -> bool:
        """Some evidence of this requirement arrived: it is kept (no upload of the whole requirement)."""
        return any(p.status == ItemStatus.RECEIVED for p in self.items)

    @property
    def missing_items(self) -> list[ItemProgress]:
        return [p for p in self.items if not p.satisfied]


STATUS_LABELS = {
    ItemStatus.MISSING: _("Missing"),
    ItemStatus.CHOSEN: _("To be requested"),
    ItemStatus.IN_PROGRESS: _("Requested"),
    ItemStatus.RECEIVED: _("Received"),
    ItemStatus.UPLOADED: _("Uploaded by you"),
    ItemStatus.REFUSED: _("You chose not to share it"),
    ItemStatus.FAILED: _("Not received"),
}


def evidence_per_requirement(
    application: Application, requirements: list[Requirement] | None = None
) -> list[RequirementProgress]:
    """Each requirement of the procedure, in order, with its choice and its evidence items (each with its
    exchange, its evidence, its upload). The one place evidence is grouped by requirement: the journey's
    pages, the case workers' page and export (``procedures.casework``), the back office's document
    (``registrations.document``)."""
    if requirements is None:
        requirements = list(application.procedure.requirements.all())
    choices = {
        choice.requirement_id: choice
        for choice in RequirementChoice.objects.filter(application=application).prefetch_related(
            "answers",
            # The item's exchange and upload joined in (one query, not three): every journey page loads this.
            Prefetch("items", EvidenceItem.objects.select_related("exchange", "upload")),
            "items__exchange__evidences",
        )
    }
    progress: list[RequirementProgress] = []
    for requirement in requirements:
        choice = choices.get(requirement.pk)
        items = (
            [ItemProgress(item, item.exchange, item.upload) for item in choice.items.all()] if choice else []
        )
        progress.append(RequirementProgress(requirement=requirement, choice=choice, items=items))
    return progress


class Journey:
    """Everything the steps look at, loaded once per request."""

    def __init__(self, request: HttpRequest, application: Application) -> None:
        self.request = request
        self.application = application
        self.procedure: Procedure = application.procedure
        self.requirements = list(self.procedure.requirements.all())
        self.loa = session_loa(request)
        self.identity = (
            EidasIdentity.objects.filter(user_id=application.user_id).first()
            if request.user.is_authenticated
            else None
        )
        self.progress: list[RequirementProgress] = evidence_per_requirement(application, self.requirements)

    def progress_for(self, requirement_pk: int) -> RequirementProgress | None:
        return next((p for p in self.progress if p.requirement.pk == requirement_pk), None)

    def item_progress(self, item_pk: int) -> tuple[RequirementProgress, ItemProgress] | None:
        for progress in self.progress:
            for item in progress.items:
                if item.item.pk == item_pk:
                    return progress, item
        return None

    @property
    def oots_progress(self) -> list[RequirementProgress]:
        return [p for p in self.progress if p.mode == EvidenceRoute.OOTS]

    @property
    def exchanges(self) -> list[EvidenceRequest]:
        return [exchange for p in self.oots_progress for exchange in p.exchanges]

    @property
    def draft_exchanges(self) -> list[EvidenceRequest]:
        return [e for e in self.exchanges if e.state == ExchangeState.DRAFT]

    @property
    def evidence_complete(self) -> bool:
        return all(p.satisfied for p in self.progress)

    @property
    def applicant_name(self) -> str:
        """Who applies: the eIDAS subject (a company for a representative), else the account's name."""
        if self.identity is not None:
            return str(self.identity)
        return str(self.application.user.display_name())

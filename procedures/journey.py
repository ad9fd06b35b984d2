"""The citizen's journey through a procedure: step objects, each knowing whether it applies and whether it is
complete (in the manner of pretix's checkout flow), and the reads the journey pages are built from.

The seven steps of DESIGN §2 become five pages for the user: 1 log in, 2 find the evidence (per requirement:
country, alternative, the Data Service Directory's questions, provider, or upload instead), 3 request it
(the explicit request), 4-6 preview and receive (one status page for every exchange, with the preview
hand-off and the evidence as it arrives), 7 check and submit (the application form with the evidence).

What the user chose per requirement (OOTS from which exchanges, or an upload) is kept in the application's
data under ``_journey`` (field keys cannot start with ``_``): ``{"<requirement pk>": {"mode": "oots" |
"upload", "country": "DE", "exchanges": ["<public id>", ...]}}``.

Step 2's dialogue with the Common Services is ``procedures.locate``; the request it leads to is built by
``procedures.request_content``; the writes are ``procedures.journey_services``; the pages
``procedures.journey_views`` and ``procedures.evidence_views``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.eidas.loa import loa_satisfies, session_loa
from accounts.models import EidasIdentity
from exchanges.models import UNSUCCESSFUL_STATES, EvidenceRequest, ExchangeState
from procedures.locate import country_name
from procedures.models import Application, ApplicationFile, Procedure, Requirement
from procedures.selectors import evidence_requests_by_public_id

PLAN_KEY = "_journey"
UPLOAD_KEY_PREFIX = "evidence_"


def upload_key(requirement: Requirement) -> str:
    return f"{UPLOAD_KEY_PREFIX}{requirement.pk}"


# --- Progress of each requirement -----------------------------------------------------------------------


class RequirementStatus:
    TODO = "todo"
    CHOSEN = "chosen"  # exchanges created, explicit request not given yet
    IN_PROGRESS = "in_progress"
    RECEIVED = "received"
    FAILED = "failed"
    UPLOADED = "uploaded"


@dataclass
class RequirementProgress:
    requirement: Requirement
    mode: str | None = None
    country: str = ""
    exchanges: list[EvidenceRequest] = field(default_factory=list)
    upload: ApplicationFile | None = None

    @property
    def status(self) -> str:
        if self.mode == "upload":
            return RequirementStatus.UPLOADED if self.upload else RequirementStatus.TODO
        if self.mode != "oots" or not self.exchanges:
            return RequirementStatus.TODO
        states = {exchange.state for exchange in self.exchanges}
        if ExchangeState.DRAFT in states:
            return RequirementStatus.CHOSEN
        if states <= {ExchangeState.RECEIVED}:
            return RequirementStatus.RECEIVED
        if states & UNSUCCESSFUL_STATES:
            return RequirementStatus.FAILED
        return RequirementStatus.IN_PROGRESS

    @property
    def located(self) -> bool:
        return self.status != RequirementStatus.TODO

    @property
    def satisfied(self) -> bool:
        return self.status in (RequirementStatus.RECEIVED, RequirementStatus.UPLOADED)

    @property
    def country_name(self) -> str:
        return country_name(self.country)


def journey_plan(application: Application) -> dict[str, dict[str, Any]]:
    plan = application.data.get(PLAN_KEY)
    return plan if isinstance(plan, dict) else {}


class Journey:
    """Everything the steps look at, loaded once per request."""

    def __init__(self, request: HttpRequest, application: Application) -> None:
        self.request = request
        self.application = application
        self.procedure: Procedure = application.procedure
        self.requirements = list(self.procedure.requirements.all())
        self.loa = session_loa(request)
        self.identity = (
            EidasIdentity.objects.filter(user=application.user).first()
            if request.user.is_authenticated
            else None
        )
        plan = journey_plan(application)
        files = {f.field_key: f for f in application.files.all()}
        wanted = [pid for entry in plan.values() for pid in entry.get("exchanges", [])]
        exchanges = evidence_requests_by_public_id(application=application, public_ids=wanted)
        self.progress: list[RequirementProgress] = []
        for requirement in self.requirements:
            entry = plan.get(str(requirement.pk), {})
            self.progress.append(
                RequirementProgress(
                    requirement=requirement,
                    mode=entry.get("mode"),
                    country=entry.get("country", ""),
                    exchanges=[exchanges[p] for p in entry.get("exchanges", []) if p in exchanges],
                    upload=files.get(upload_key(requirement)),
                )
            )
        self.steps: list[Step] = [step_class(self) for step_class in STEPS]

    # convenience ------------------------------------------------------------------------------------
    def progress_for(self, requirement_pk: int) -> RequirementProgress | None:
        return next((p for p in self.progress if p.requirement.pk == requirement_pk), None)

    @property
    def oots_progress(self) -> list[RequirementProgress]:
        return [p for p in self.progress if p.mode == "oots"]

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
    def applicable_steps(self) -> list[Step]:
        return [step for step in self.steps if step.is_applicable()]

    def current_step(self) -> Step:
        """The first applicable step not completed yet (the last one when all are)."""
        applicable = self.applicable_steps
        return next((step for step in applicable if not step.is_completed()), applicable[-1])

    def step(self, key: str) -> Step:
        return next(step for step in self.steps if step.key == key)

    def numbered(self, key: str) -> tuple[int, int]:
        """(position, count) of a step among the applicable ones, for "Step 2 of 5"."""
        applicable = self.applicable_steps
        keys = [step.key for step in applicable]
        return (keys.index(key) + 1 if key in keys else 0, len(applicable))


# --- Steps ----------------------------------------------------------------------------------------------


class Step:
    key = ""
    title: Any = ""

    def __init__(self, journey: Journey) -> None:
        self.journey = journey

    @property
    def reference(self) -> str:
        return str(self.journey.application.reference)

    def is_applicable(self) -> bool:
        return True

    def is_completed(self) -> bool:
        raise NotImplementedError

    def url(self) -> str:
        raise NotImplementedError


class AuthenticateStep(Step):
    """1. Logged in through eIDAS at (at least) the procedure's level of assurance."""

    key = "authenticate"
    title = _("Log in")

    def is_completed(self) -> bool:
        journey = self.journey
        return journey.identity is not None and loa_satisfies(journey.loa, journey.procedure.required_loa)

    def url(self) -> str:
        next_url = reverse("procedures:journey", args=[self.reference])
        query = urlencode({"next": next_url, "loa": self.journey.procedure.required_loa})
        return f"{reverse('accounts:login')}?{query}"


class LocateStep(Step):
    """2. For every requirement: evidence through OOTS from a chosen provider, or an upload."""

    key = "locate"
    title = _("Find your evidence")

    def is_applicable(self) -> bool:
        return bool(self.journey.requirements)

    def is_completed(self) -> bool:
        return all(progress.located for progress in self.journey.progress)

    def url(self) -> str:
        return reverse("procedures:journey_locate", args=[self.reference])


class RequestStep(Step):
    """3. The explicit request: nothing is sent before it."""

    key = "request"
    title = _("Request it")

    def is_applicable(self) -> bool:
        return bool(self.journey.oots_progress)

    def is_completed(self) -> bool:
        return not self.journey.draft_exchanges

    def url(self) -> str:
        return reverse("procedures:journey_request", args=[self.reference])


class StatusStep(Step):
    """4.-6. Preview when the provider asks for it, and the evidence (or the error) as it arrives."""

    key = "status"
    title = _("Preview and receive")

    def is_applicable(self) -> bool:
        return bool(self.journey.oots_progress)

    def is_completed(self) -> bool:
        return self.journey.evidence_complete

    def url(self) -> str:
        return reverse("procedures:journey_status", args=[self.reference])


class SubmitStep(Step):
    """7. The form with the evidence attached, submitted."""

    key = "submit"
    title = _("Check and submit")

    def is_completed(self) -> bool:
        return not self.journey.application.is_draft

    def url(self) -> str:
        return reverse("procedures:application", args=[self.reference])


STEPS: Sequence[type[Step]] = (AuthenticateStep, LocateStep, RequestStep, StatusStep, SubmitStep)

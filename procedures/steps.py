"""The journey's steps as objects (after pretix's checkout flow): each knows its template, whether it applies,
what it needs before it (the steps ahead of it done), whether it is done, and handles its page. One URL
pattern serves them all (``/applications/<ref>/step/<slug>/[<part>/]``, ``procedures.journey_views``).

The task list shows every task of the procedure, always in the same order with the same numbers: a task that
does not apply to this application (no evidence to request, no form) says "Not needed" rather than vanishing.
The form comes before or after the evidence as the procedure's owner chose (``Procedure.form_position``).
Step 2's pages (a requirement, an upload) are ``procedures.steps_evidence``.
"""

from __future__ import annotations

import contextlib
from functools import cached_property
from typing import Any

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.eidas.loa import loa_check, loa_satisfies
from procedures.answers import answer_display, answered_rows
from procedures.evidence_cards import requirement_rows
from procedures.forms import ApplicationForm, initial_from_answers
from procedures.journey import Journey
from procedures.journey_services import journey_request, required_loa_of
from procedures.models import FieldType, FormField
from procedures.notify import status_page_seen
from procedures.person_data import person_data_shown
from procedures.prefill import eidas_prefill
from procedures.selectors import procedure_form_fields
from procedures.services import ApplicationNotDraft, application_save_draft, application_submit
from procedures.step_base import TASK_STATE_LABELS, Step, TaskState
from procedures.steps_evidence import EvidenceTask, UploadItemPage, UploadPage

__all__ = ["Flow", "Step", "TaskState"]


class LoginStep(Step):
    """Logged in through eIDAS at (at least) the procedure's level of assurance."""

    slug = "login"
    title = gettext_lazy("Log in with eIDAS")

    def is_done(self) -> bool:
        journey = self.journey
        return journey.identity is not None and loa_satisfies(journey.loa, journey.procedure.required_loa)

    def url(self, part: int | None = None) -> str:
        next_url = reverse("procedures:journey", args=[self.journey.application.reference])
        query = urlencode({"next": next_url, "loa": self.journey.procedure.required_loa})
        return f"{reverse('accounts:login')}?{query}"


def _as_form_data(rows: list[Any], answers: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for row in rows:
        value = answers.get(row.key)
        if value is None or value is False:
            continue
        data[row.key] = "on" if value is True else value
    return data


class AnswersStep(Step):
    """The procedure's form (``FormField`` rows), read with the Django form built from them."""

    slug = "answers"
    title = gettext_lazy("Answer the questions")
    template = "journey/answers.html"

    @cached_property
    def rows(self) -> list[FormField]:
        """The form's fields, read when a page needs them (a POST of step 2 that redirects does not)."""
        return procedure_form_fields(procedure=self.journey.procedure)

    @cached_property
    def prefill(self) -> dict[str, Any]:
        """The eIDAS values the form's fields ask for (``procedures.prefill``)."""
        return eidas_prefill(self.journey.identity, {row.prefill for row in self.rows if row.prefill})

    @cached_property
    def uploaded(self) -> dict[str, Any]:
        """The files uploaded for the form's file fields (none asked for: no query on every page)."""
        if not any(row.field_type == FieldType.FILE for row in self.rows):
            return {}
        return {f.field_key: f for f in self.journey.application.files.all() if f.field_key}

    def form(self, *args: Any, **kwargs: Any) -> ApplicationForm:
        """The procedure's form, with the eIDAS pre-fill and the uploaded files."""
        return ApplicationForm(
            *args, rows=self.rows, uploaded_keys=self.uploaded.keys(), prefill=self.prefill, **kwargs
        )

    def is_applicable(self) -> bool:
        return bool(self.rows)

    def is_done(self) -> bool:
        return self.form(_as_form_data(self.rows, self.journey.application.data)).is_valid()

    def is_started(self) -> bool:
        data = self.journey.application.data
        return any(data.get(row.key) not in (None, "") for row in self.rows) or bool(self.uploaded)

    def post(self, request: HttpRequest) -> HttpResponse:
        saving = request.POST.get("action") == "save"
        form = self.form(request.POST, request.FILES, for_draft=saving)
        if not form.is_valid():
            return self.render(request, status=400, form=form)
        try:
            application_save_draft(
                application=self.journey.application,
                answers=form.answers(),
                uploads=form.uploads(),
                discard=form.hidden_keys,  # conditional fields now hidden: their earlier answers go
            )
        except ApplicationNotDraft:
            return HttpResponseRedirect(
                reverse("procedures:application", args=[self.journey.application.reference])
            )
        if saving:
            messages.success(request, _("Your draft was saved. You can come back to it at any time."))
            return HttpResponseRedirect(self.url())
        return HttpResponseRedirect(reverse("procedures:journey", args=[self.journey.application.reference]))

    def context(self, request: HttpRequest) -> dict[str, Any]:
        return {"files": self.uploaded}

    def render(
        self, request: HttpRequest, status: int = 200, template: str | None = None, **extra: Any
    ) -> HttpResponse:
        form = extra.pop("form", None) or self.form(
            initial=initial_from_answers(self.rows, self.journey.application.data)
        )
        files = self.uploaded
        fields = [(form[row.key], files.get(row.key)) for row in self.rows]
        return super().render(request, status, template, form=form, fields=fields, **extra)


class RequestStep(Step):
    """The explicit request: nothing is sent before it (``ExplicitRequestGiven``, timestamped)."""

    slug = "request"
    title = gettext_lazy("Request your evidence")
    template = "journey/request.html"

    def is_applicable(self) -> bool:
        # Not needed once every requirement is met by an upload; otherwise it keeps its place and number.
        return bool(self.journey.requirements) and not all(p.mode == "upload" for p in self.journey.progress)

    def is_done(self) -> bool:
        return bool(self.journey.oots_progress) and not self.journey.draft_exchanges

    def dispatch(self, request: HttpRequest, part: int | None) -> HttpResponse:
        # The login the request is given in must reach what every chosen provider requires (a new login at a
        # lower level may have come since the provider was chosen): else the step-up page, before anything.
        required = required_loa_of(self.journey.draft_exchanges)
        refused = loa_check(request, required) if required else None
        if refused is not None:
            return refused
        return super().dispatch(request, part)

    def post(self, request: HttpRequest) -> HttpResponse:
        journey = self.journey
        drafts = journey.draft_exchanges
        if not drafts:
            return HttpResponseRedirect(self.next_url())
        try:
            # The person and level of assurance as the current login gives them, read now (issue 17 item 4).
            if journey.identity is not None:  # each request carries the address: read once for all
                prefetch_related_objects([journey.identity], "addresses")
            count = journey_request(
                application=journey.application, exchanges=drafts, identity=journey.identity, loa=journey.loa
            )
        except ApplicationNotDraft:
            return HttpResponseRedirect(
                reverse("procedures:application", args=[journey.application.reference])
            )
        messages.success(
            request,
            ngettext(
                "Your request was sent (%(count)d evidence request). You can follow it on this page.",
                "Your request was sent (%(count)d evidence requests). You can follow it on this page.",
                count,
            )
            % {"count": count},
        )
        return HttpResponseRedirect(self.flow.step("receive").url())

    def render(
        self, request: HttpRequest, status: int = 200, template: str | None = None, **extra: Any
    ) -> HttpResponse:
        if not self.journey.draft_exchanges:
            return HttpResponseRedirect(self.next_url())
        return super().render(
            request,
            status,
            template,
            drafts=self.journey.draft_exchanges,
            person_data=person_data_shown(self.journey.identity, self.journey.loa),
            **extra,
        )


class ReceiveStep(Step):
    """Preview when the provider asks for it, and the evidence (or the error) as it arrives."""

    slug = "receive"
    title = gettext_lazy("Preview and receive your evidence")
    template = "journey/status.html"

    def is_applicable(self) -> bool:
        return RequestStep(self.flow).is_applicable()

    def is_done(self) -> bool:
        return bool(self.journey.requirements) and self.journey.evidence_complete

    def is_started(self) -> bool:
        return any(e.explicit_request_at for e in self.journey.exchanges)

    def context(self, request: HttpRequest) -> dict[str, Any]:
        status_page_seen(application=self.journey.application)  # what arrives while it is open is not emailed
        rows = requirement_rows(self.journey)
        return {
            "rows": rows,
            "pending": any(card["waiting"] for row in rows for card in row["cards"]),
            "complete": self.journey.evidence_complete,
        }


class CheckStep(Step):
    """Check your answers, then submit (the application can no longer change afterwards)."""

    slug = "check"
    title = gettext_lazy("Check your answers and submit")
    template = "journey/check.html"

    def is_done(self) -> bool:
        return not self.journey.application.is_draft

    def post(self, request: HttpRequest) -> HttpResponse:
        application = self.journey.application
        if not self.prerequisites_met():
            messages.error(request, _("Some answers or evidence are still missing."))
            return HttpResponseRedirect(self.next_url())
        with contextlib.suppress(ApplicationNotDraft):  # submitted meanwhile, in another tab
            application_submit(application=application, answers={}, uploads={})
        return HttpResponseRedirect(reverse("procedures:application", args=[application.reference]))

    def context(self, request: HttpRequest) -> dict[str, Any]:
        form_step = self.flow.step("answers")
        assert isinstance(form_step, AnswersStep)
        rows, files = form_step.rows, form_step.uploaded  # read once, if the task list has not already
        data = self.journey.application.data
        # Labels, choices and dates in the reader's language; conditional fields left hidden have no line.
        answers = [
            (
                row,
                answer_display(row, data.get(row.key)),
                files.get(row.key) if row.field_type == FieldType.FILE else None,
            )
            for row in answered_rows(rows, data)
        ]
        return {"answers": answers, "rows": requirement_rows(self.journey)}


class Flow:
    """The steps of one application, in the procedure's order."""

    def __init__(self, journey: Journey) -> None:
        self.journey = journey
        order: list[type[Step]] = [LoginStep, EvidenceTask, RequestStep, ReceiveStep, CheckStep]
        order.insert(1 if journey.procedure.form_position == "before" else 4, AnswersStep)
        self.steps: list[Step] = [step_class(self) for step_class in order]
        self.pages: list[Step] = [UploadPage(self), UploadItemPage(self)]  # parts of the evidence task
        self._done: dict[str, bool] = {}

    def done(self, step: Step) -> bool:
        """``step.is_done()``, asked once per page: the task list asks every step for its state and each
        state asks the steps before it, and the answers step validates the whole form each time. A page
        writes only in a POST that then redirects, so an answer never outlives what it was read from."""
        if step.slug not in self._done:
            self._done[step.slug] = step.is_done()
        return self._done[step.slug]

    def step(self, slug: str) -> Step:
        found = next((step for step in [*self.steps, *self.pages] if step.slug == slug), None)
        if found is None:
            raise Http404
        return found

    def before(self, step: Step) -> list[Step]:
        index = self.steps.index(step) if step in self.steps else len(self.steps)
        return [s for s in self.steps[:index] if s.is_applicable()]

    def current(self) -> Step:
        """The first applicable step not done (the last one when all are)."""
        applicable = [step for step in self.steps if step.is_applicable()]
        return next((step for step in applicable if not self.done(step)), applicable[-1])

    def tasks(self) -> list[tuple[int, Step, str, str]]:
        """(number, step, state, label) of every task; the numbers never change for an application."""
        tasks = []
        for number, step in enumerate(self.steps, start=1):
            state = step.state()
            tasks.append((number, step, state, str(TASK_STATE_LABELS[state])))
        return tasks

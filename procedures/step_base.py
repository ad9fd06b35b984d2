"""The base of the journey's step objects (``procedures.steps``): what every step knows and the states a task
shows in the task list (GOV.UK task list pattern)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from procedures.steps import Flow


class TaskState:
    COMPLETED = "completed"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"
    CANNOT_START = "cannot_start"
    NOT_NEEDED = "not_needed"


TASK_STATE_LABELS = {
    TaskState.COMPLETED: gettext_lazy("Completed"),
    TaskState.IN_PROGRESS: gettext_lazy("In progress"),
    TaskState.NOT_STARTED: gettext_lazy("Not yet started"),
    TaskState.CANNOT_START: gettext_lazy("Cannot start yet"),
    TaskState.NOT_NEEDED: gettext_lazy("Not needed"),
}


class Step:
    slug = ""
    title: Any = ""
    template = ""
    listed = True  # a task of the task list (the upload pages belong to the evidence task)

    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.journey = flow.journey

    # --- what the flow asks -----------------------------------------------------------------------------
    def is_applicable(self) -> bool:
        return True

    def is_done(self) -> bool:
        raise NotImplementedError

    def is_started(self) -> bool:
        return self.is_done()

    def prerequisites_met(self) -> bool:
        return all(self.flow.done(step) for step in self.flow.before(self))

    def url(self, part: int | None = None) -> str:
        reference = self.journey.application.reference
        if part is None:
            return reverse("procedures:journey_step", args=[reference, self.slug])
        return reverse("procedures:journey_step", args=[reference, self.slug, part])

    def state(self) -> str:
        if not self.is_applicable():
            return TaskState.NOT_NEEDED
        if self.flow.done(self):
            return TaskState.COMPLETED
        if not self.prerequisites_met():
            return TaskState.CANNOT_START
        return TaskState.IN_PROGRESS if self.is_started() else TaskState.NOT_STARTED

    # --- the page -----------------------------------------------------------------------------------------
    def dispatch(self, request: HttpRequest, part: int | None) -> HttpResponse:
        if part is not None:
            raise Http404
        if request.method == "POST":
            return self.post(request)
        return self.render(request)

    def post(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(self.url())

    def context(self, request: HttpRequest) -> dict[str, Any]:
        return {}

    def render(
        self, request: HttpRequest, status: int = 200, template: str | None = None, **extra: Any
    ) -> HttpResponse:
        return render(
            request,
            template or self.template,
            {
                "journey": self.journey,
                "flow": self.flow,
                "step": self,
                "application": self.journey.application,
                "procedure": self.journey.procedure,
                **self.context(request),
                **extra,
            },
            status=status,
        )

    def next_url(self) -> str:
        return self.flow.current().url()

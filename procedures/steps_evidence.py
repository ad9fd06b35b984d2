"""Step 2, finding the evidence: the list of requirements (``EvidenceTask``), the page of one requirement
(``RequirementPage``: country, evidence type list, the Data Service Directory's questions, the providers),
and the upload pages (the whole requirement, or exactly one missing item).

Every answer the citizen gives is posted through a Django form and kept in rows (``RequirementChoice``,
``DirectoryAnswer``), shown back with a "Change" button; the dialogue with the Common Services is replayed
from those rows (``procedures.locate``, cached).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exchanges.services import TransitionRefused
from procedures.common_services import common_services_client
from procedures.evidence_display import directory_problem
from procedures.forms import UploadField
from procedures.journey import STATUS_LABELS, ItemProgress, RequirementProgress
from procedures.journey_services import (
    AnswerGiven,
    journey_answer,
    journey_choose_oots,
    journey_choose_upload,
    journey_forget_answer,
    journey_set_alternative,
    journey_set_country,
    journey_upload_item,
)
from procedures.locate import (
    COUNTRIES,
    Location,
    OfferChoice,
    Question,
    countries_delivering,
    country_name,
    locate,
)
from procedures.preview_return import return_address_maker, return_bind
from procedures.services import ApplicationNotDraft
from procedures.step_base import Step
from procedures.uploads import ALLOWED_TYPES_LABEL


def _lang(request: HttpRequest) -> str:
    return (getattr(request, "LANGUAGE_CODE", "") or "en").upper()


class EvidenceTask(Step):
    """For every requirement: evidence through OOTS from a chosen provider, or an upload."""

    slug = "evidence"
    title = gettext_lazy("Find your evidence")
    template = "journey/locate.html"

    def is_applicable(self) -> bool:
        return bool(self.journey.requirements)

    def is_done(self) -> bool:
        return all(progress.located for progress in self.journey.progress)

    def is_started(self) -> bool:
        return any(progress.located for progress in self.journey.progress)

    def dispatch(self, request: HttpRequest, part: int | None) -> HttpResponse:
        if part is None:
            return super().dispatch(request, None)
        progress = self.journey.progress_for(part)
        if progress is None:
            raise Http404
        return RequirementPage(self, progress).dispatch(request)

    def context(self, request: HttpRequest) -> dict[str, Any]:
        return {"status_labels": STATUS_LABELS, "next_url": self.next_url()}


class CountryForm(forms.Form):
    country = forms.ChoiceField(label=gettext_lazy("Which country should the evidence come from?"))

    def __init__(self, *args: Any, countries: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Choose a country…")), *countries]


def _questions_form(questions: list[Question], data: Any = None) -> forms.Form:
    form = forms.Form(data)
    for question in questions:
        if question.choices:
            form.fields[question.name] = forms.ChoiceField(
                label=question.label, choices=[(v.code, v.label) for v in question.choices]
            )
        else:
            form.fields[question.name] = forms.CharField(label=question.label, max_length=100)
    return form


def _value_label(question: Question, value: str, lang: str) -> str:
    found = next((v for v in question.choices if v.code == value), None)
    if found is None:
        return value
    return f"{found.label(lang)} ({value})" if question.kind == "region" else found.label(lang)


class RequirementPage:
    """The page of one requirement (part of the evidence task)."""

    template = "journey/requirement.html"

    def __init__(self, task: EvidenceTask, progress: RequirementProgress) -> None:
        self.task = task
        self.journey = task.journey
        self.progress = progress
        self.requirement = progress.requirement

    def _params(self) -> dict[str, str]:
        choice = self.progress.choice
        if choice is None:
            return {}
        params = {"country": choice.country, "alt": choice.alternative}
        params.update({answer.name: answer.value for answer in choice.answers.all()})
        return params

    def _locate(self, request: HttpRequest) -> Location:
        return locate(
            client=common_services_client(),
            requirement=self.requirement,
            params=self._params(),
            loa=self.journey.loa,
            lang=_lang(request),
        )

    def _countries(self) -> tuple[list[tuple[str, str]], bool]:
        """The countries offered (those that can deliver, when the Directory says), and whether filtered."""
        codes = countries_delivering(
            client_factory=common_services_client,
            requirement=self.requirement,
            cache=cache,
            ttl=settings.OOTS_CS_CACHE_TTL,
        )
        shown = codes if codes is not None else list(COUNTRIES)
        return sorted(((c, country_name(c)) for c in shown), key=lambda item: item[1]), codes is not None

    def _redirect(self) -> HttpResponse:
        return HttpResponseRedirect(self.task.url(self.requirement.pk))

    def dispatch(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST":
            return self.render(request)
        action = request.POST.get("action", "")
        app, requirement = self.journey.application, self.requirement
        try:
            if action == "change":
                journey_forget_answer(
                    application=app, requirement=requirement, name=request.POST.get("name", "")
                )
                return self._redirect()
            if action == "country":
                countries, _filtered = self._countries()
                form = CountryForm(request.POST, countries=countries)
                if not form.is_valid():
                    return self.render(request, status=400, errors=[_("Choose a country from the list.")])
                journey_set_country(
                    application=app, requirement=requirement, country=form.cleaned_data["country"]
                )
                return self._redirect()
            location = self._locate(request)
            if action == "alt":
                field = forms.ChoiceField(
                    choices=[(a.identifier, a.identifier) for a in location.alternatives]
                )
                try:
                    alternative = field.clean(request.POST.get("alt"))
                except forms.ValidationError:
                    return self.render(
                        request, status=400, errors=[_("Choose the evidence you want to provide.")]
                    )
                journey_set_alternative(application=app, requirement=requirement, alternative=alternative)
                return self._redirect()
            if action == "answers" and location.pending_type is not None:
                questions = location.pending_type.questions
                form = _questions_form(questions, request.POST)
                if not form.is_valid():
                    return self.render(request, status=400, errors=[_("Please answer the questions.")])
                lang = _lang(request)
                journey_answer(
                    application=app,
                    requirement=requirement,
                    answers=[
                        AnswerGiven(
                            q.name,
                            form.cleaned_data[q.name],
                            q.label,
                            _value_label(q, form.cleaned_data[q.name], lang),
                        )
                        for q in questions
                    ],
                )
                return self._redirect()
            if action == "provider" and location.ready:
                return self._choose_providers(request, location)
        except ApplicationNotDraft:
            return HttpResponseRedirect(self.task.next_url())
        return self.render(request, status=400, errors=[_("Please answer the questions first.")])

    def _choose_providers(self, request: HttpRequest, location: Location) -> HttpResponse:
        form = forms.Form(request.POST)
        for here in location.types:
            form.fields[f"offer{here.index}"] = forms.TypedChoiceField(
                choices=[(str(c.index), c.provider_name) for c in here.choices], coerce=int, required=False
            )
        form.is_valid()
        picks: dict[int, OfferChoice] = {}
        errors: list[str] = []
        for here in location.types:
            raw = form.cleaned_data.get(f"offer{here.index}")
            chosen = next((c for c in here.choices if c.index == raw), None)
            if chosen is None and len(here.choices) == 1:
                chosen = here.choices[0]
            if chosen is None:
                errors.append(_("Choose the authority for “%(evidence)s”.") % {"evidence": here.title})
            elif chosen.loa_too_low:
                errors.append(
                    _("%(provider)s needs a stronger login than yours.") % {"provider": chosen.provider_name}
                )
            elif not chosen.usable:
                errors.append(
                    _("%(provider)s cannot be asked by this portal.") % {"provider": chosen.provider_name}
                )
            else:
                picks[here.index] = chosen
        if errors:
            return self.render(request, status=400, errors=errors, location=location)
        assert self.journey.identity is not None
        created = journey_choose_oots(
            application=self.journey.application,
            requirement=self.requirement,
            location=location,
            picks=picks,
            identity=self.journey.identity,
            loa=self.journey.loa,
            return_address=return_address_maker(request),
        )
        for exchange, nonce in created:
            if nonce:
                return_bind(request, nonce, exchange)
        messages.success(
            request,
            _("Noted: “%(requirement)s” will be requested through OOTS.")
            % {"requirement": self.requirement.name},
        )
        return HttpResponseRedirect(self.task.url())

    def render(
        self, request: HttpRequest, status: int = 200, errors: list[str] | None = None, **extra: Any
    ) -> HttpResponse:
        location = extra.pop("location", None) or self._locate(request)
        errors = list(errors or [])
        errors += [
            _("Your answer about “%(evidence)s” was not accepted: please choose again.") % {"evidence": title}
            for title in location.errors
        ]
        countries, filtered = self._countries()
        preset = ""
        identity = self.journey.identity
        if not location.country and identity is not None:
            # The country is preset from the eIDAS nationality (when it can deliver this evidence).
            nationality = identity.nationality  # the subject's (none for a company)
            preset = next((code for code, _name in countries if code == (nationality or "").upper()), "")
        step_up_level = next((c.required_loa for t in location.types for c in t.choices if c.loa_too_low), "")
        choice = self.progress.choice
        return self.task.render(
            request,
            status=400 if errors else status,
            template=self.template,
            progress=self.progress,
            requirement=self.requirement,
            location=location,
            countries=countries,
            countries_filtered=filtered,
            preset_country=preset,
            country_label=country_name(location.country),
            answers_given=list(choice.answers.all()) if choice else [],
            errors=errors,
            step_up_level=step_up_level,
            problem_detail=directory_problem(location.problem_code),
            **extra,
        )


class EvidenceUploadForm(forms.Form):
    document = UploadField(
        label=gettext_lazy("The document"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}),
    )


class UploadPage(Step):
    """Upload the document of a whole requirement instead of using OOTS (``part``: the requirement)."""

    slug = "upload"
    title = gettext_lazy("Upload a document")
    template = "journey/upload.html"
    listed = False

    def is_applicable(self) -> bool:
        return bool(self.journey.requirements)

    def is_done(self) -> bool:
        return self.flow.step("evidence").is_done()

    def prerequisites_met(self) -> bool:
        return self.flow.step("evidence").prerequisites_met()

    def _target(self, part: int | None) -> tuple[RequirementProgress, ItemProgress | None]:
        progress = self.journey.progress_for(part or 0)
        if progress is None or not progress.requirement.allow_upload or progress.has_received:
            raise Http404  # evidence that arrived is kept: the missing documents have their own uploads
        return progress, None

    def _store(self, progress: RequirementProgress, item: ItemProgress | None, upload: Any) -> None:
        journey_choose_upload(
            application=self.journey.application, requirement=progress.requirement, upload=upload
        )

    def dispatch(self, request: HttpRequest, part: int | None) -> HttpResponse:
        progress, item = self._target(part)
        form = EvidenceUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                self._store(progress, item, form.cleaned_data["document"])
            except ApplicationNotDraft:
                return HttpResponseRedirect(self.next_url())
            except TransitionRefused:
                messages.error(request, _("This evidence was received: it is kept."))
                return HttpResponseRedirect(self.next_url())
            messages.success(request, _("Your document was uploaded."))
            # Where to go is decided again with the upload counted (this flow was read before it).
            return HttpResponseRedirect(
                reverse("procedures:journey", args=[self.journey.application.reference])
            )
        form.fields["document"].help_text = _("Accepted: %(types)s, up to %(size)d MB.") % {
            "types": ALLOWED_TYPES_LABEL,
            "size": settings.OOTS_UPLOAD_MAX_BYTES // (1024 * 1024),
        }
        return self.render(
            request, status=400 if form.errors else 200, progress=progress, item=item, form=form
        )


class UploadItemPage(UploadPage):
    """Upload the document of exactly one evidence item (``part``: the item) that did not arrive: a
    requirement met by several documents gets one upload per missing document."""

    slug = "upload-item"

    def _target(self, part: int | None) -> tuple[RequirementProgress, ItemProgress | None]:
        found = self.journey.item_progress(part or 0)
        if found is None or not found[0].requirement.allow_upload or not found[1].can_upload:
            raise Http404
        return found

    def _store(self, progress: RequirementProgress, item: ItemProgress | None, upload: Any) -> None:
        assert item is not None
        journey_upload_item(application=self.journey.application, item=item.item, upload=upload)

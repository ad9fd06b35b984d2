"""The citizen's journey through a procedure: step objects, each knowing whether it applies and whether it is
complete (in the manner of pretix's checkout flow), and the reads the journey pages are built from.

The seven steps of DESIGN §2 become five pages for the user: 1 log in, 2 find the evidence (per requirement:
country, alternative, the Data Service Directory's questions, provider, or upload instead), 3 request it
(the explicit request), 4-6 preview and receive (one status page for every exchange, with the preview
hand-off and the evidence as it arrives), 7 check and submit (the application form with the evidence).

What the user chose per requirement (OOTS from which exchanges, or an upload) is kept in the application's
data under ``_journey`` (field keys cannot start with ``_``): ``{"<requirement pk>": {"mode": "oots" |
"upload", "country": "DE", "exchanges": ["<public id>", ...]}}``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.eidas.loa import loa_satisfies, session_loa
from accounts.models import EidasIdentity
from exchanges.models import EvidenceRequest, ExchangeState
from exchanges.selectors import evidence_requests_by_public_id
from oots_client.common_services import (
    AdditionalInputRequired,
    CommonServicesError,
    DataServiceOffer,
    DataServicesResult,
    EvidenceTypeList,
    InvalidAnswerError,
)
from oots_client.common_services import Distribution as CsDistribution
from oots_client.common_services.genericode import nuts_in
from oots_client.common_services.model import CodeValue, EvidenceType, text_in
from oots_client.edm import VERSIONS
from oots_client.edm.model import (
    Address,
    Agent,
    Distribution,
    EvidenceProviderClassification,
    Identifier,
    LegalPerson,
    LocalizedText,
    NaturalPerson,
    RequestedEvidenceType,
)
from oots_client.edm.model import (
    EvidenceRequest as EdmEvidenceRequest,
)
from oots_client.edm.model import Requirement as EdmRequirement
from oots_client.errors import OotsError
from procedures.models import Application, ApplicationFile, Procedure, Requirement

PLAN_KEY = "_journey"
UPLOAD_KEY_PREFIX = "evidence_"

# EDM versions in the order the portal prefers them when a provider's access service speaks several: v1.2 is
# the version the network runs (preview with the ``returnurl`` parameter, well-known to every provider); v2.0
# next; v1.0 last (it cannot carry requirement descriptions nor the v1.2 person attributes).
EDM_PREFERENCE = ("oots-edm:v1.2", "oots-edm:v2.0", "oots-edm:v1.0")

# Member States (and EEA states) whose evidence can be asked for; names are translated.
COUNTRIES: dict[str, Any] = {
    "AT": _("Austria"),
    "BE": _("Belgium"),
    "BG": _("Bulgaria"),
    "HR": _("Croatia"),
    "CY": _("Cyprus"),
    "CZ": _("Czechia"),
    "DK": _("Denmark"),
    "EE": _("Estonia"),
    "FI": _("Finland"),
    "FR": _("France"),
    "DE": _("Germany"),
    "EL": _("Greece"),
    "HU": _("Hungary"),
    "IS": _("Iceland"),
    "IE": _("Ireland"),
    "IT": _("Italy"),
    "LV": _("Latvia"),
    "LI": _("Liechtenstein"),
    "LT": _("Lithuania"),
    "LU": _("Luxembourg"),
    "MT": _("Malta"),
    "NL": _("Netherlands"),
    "NO": _("Norway"),
    "PL": _("Poland"),
    "PT": _("Portugal"),
    "RO": _("Romania"),
    "SK": _("Slovakia"),
    "SI": _("Slovenia"),
    "ES": _("Spain"),
    "SE": _("Sweden"),
}


def country_name(code: str) -> str:
    return str(COUNTRIES.get(code, code))


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


_FAILED_STATES = {ExchangeState.FAILED, ExchangeState.TIMED_OUT, ExchangeState.DECLINED}


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
        if states & _FAILED_STATES:
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


# --- Step 2: locating the evidence of one requirement ------------------------------------------------------


@dataclass(frozen=True)
class OfferChoice:
    """One provider the user may pick for an evidence type (with the one distribution the portal asks for)."""

    index: int
    offer: DataServiceOffer
    distribution: CsDistribution
    edm_version: str | None
    loa_too_low: bool

    @property
    def provider_name(self) -> str:
        publisher = self.offer.publisher
        return publisher.name() if publisher else self.offer.access_service.identifier

    @property
    def usable(self) -> bool:
        return self.edm_version is not None and not self.loa_too_low and self.offer.publisher is not None

    @property
    def required_loa(self) -> str:
        return (self.offer.evidence_type.level_of_assurance or "").lower()


@dataclass(frozen=True)
class Question:
    """A ``DSD:ERR:0005`` question put to the user (a region, or a classification)."""

    name: str  # form field name
    kind: str  # "region" | "lau" | "classification"
    label: str
    choices: tuple[CodeValue, ...] = ()
    value: str = ""
    help: str = ""


@dataclass
class TypeLocation:
    """Where one evidence type of the chosen alternative stands."""

    index: int
    evidence_type: EvidenceType
    title: str
    questions: list[Question] = field(default_factory=list)
    choices: list[OfferChoice] = field(default_factory=list)
    no_provider: bool = False
    additional: AdditionalInputRequired | None = None
    answers: Any = None  # AdditionalInputAnswers
    classification_values: dict[str, str] = field(default_factory=dict)

    @property
    def resolved(self) -> bool:
        return bool(self.choices) and not self.questions


@dataclass
class Location:
    """The state of the locate page for one requirement, derived from the query parameters alone."""

    country: str = ""
    alternatives: tuple[EvidenceTypeList, ...] = ()
    alternative: EvidenceTypeList | None = None
    types: list[TypeLocation] = field(default_factory=list)
    problem: str = ""  # a plain-language message: no provider, service down…
    errors: list[str] = field(default_factory=list)  # the user's answers that were refused

    @property
    def pending_type(self) -> TypeLocation | None:
        """The first evidence type that still needs the user's answers."""
        return next((t for t in self.types if t.questions), None)

    @property
    def ready(self) -> bool:
        return bool(self.types) and all(t.resolved for t in self.types) and not self.problem

    @property
    def no_provider(self) -> bool:
        return any(t.no_provider for t in self.types)


def preferred_distribution(distributions: Sequence[CsDistribution]) -> CsDistribution:
    """The one distribution asked for: a PDF when offered (readable by the user and the civil servant), else
    the first one the provider lists."""
    for candidate in distributions:
        if candidate.format == "application/pdf":
            return candidate
    return distributions[0] if distributions else CsDistribution(format="application/pdf")


def preferred_edm_version(conforms_to: Sequence[str]) -> str | None:
    return next((v for v in EDM_PREFERENCE if v in conforms_to and v in VERSIONS), None)


def _questions(
    question: AdditionalInputRequired, index: int, params: Mapping[str, str], country: str, lang: str
) -> list[Question]:
    result: list[Question] = []
    if question.jurisdiction is not None:
        level = question.jurisdiction.level
        name = f"j{index}"
        label = question.jurisdiction.label(lang) or str(_("Region"))
        if level == "LAU":
            result.append(
                Question(
                    name,
                    "lau",
                    label,
                    value=params.get(name, ""),
                    help=str(_("The code of the municipality (local administrative unit).")),
                )
            )
        else:
            result.append(
                Question(name, "region", label, tuple(nuts_in(country, level)), params.get(name, ""))
            )
    for position, classification in enumerate(question.classification_questions):
        name = f"c{index}_{position}"
        result.append(
            Question(
                name,
                "classification",
                classification.question(lang) or str(_("Please choose")),
                classification.allowed_values,
                params.get(name, ""),
            )
        )
    return result


def _answered(question: AdditionalInputRequired, index: int, params: Mapping[str, str]) -> bool:
    names = ([f"j{index}"] if question.jurisdiction is not None else []) + [
        f"c{index}_{n}" for n in range(len(question.classification_questions))
    ]
    return bool(names) and all(params.get(name) for name in names)


def locate(
    *, client: Any, requirement: Requirement, params: Mapping[str, str], loa: str | None, lang: str
) -> Location:
    """Ask the Evidence Broker and the Data Service Directory what the parameters lead to.

    ``params``: ``country``; ``alt`` (the evidence type list chosen); per evidence type ``i`` of the list,
    ``j<i>`` (region answer) and ``c<i>_<n>`` (classification answers) to ``DSD:ERR:0005`` questions.
    """
    location = Location(country=params.get("country", "").upper())
    if location.country not in COUNTRIES:
        location.country = ""
        return location
    try:
        result = client.evidence_types(requirement=requirement.identifier, country=location.country)
    except CommonServicesError:
        location.problem = "no_provider"
        return location
    except OotsError:
        location.problem = "unavailable"
        return location
    location.alternatives = tuple(a for a in result.alternatives if a.evidence_types)
    if not location.alternatives:
        location.problem = "no_provider"
        return location
    wanted = params.get("alt", "")
    if len(location.alternatives) == 1:
        location.alternative = location.alternatives[0]
    else:
        location.alternative = next((a for a in location.alternatives if a.identifier == wanted), None)
    if location.alternative is None:
        return location
    for index, evidence_type in enumerate(location.alternative.evidence_types):
        here = TypeLocation(index=index, evidence_type=evidence_type, title=evidence_type.title(lang))
        location.types.append(here)
        try:
            answer = client.data_services(
                evidence_type=evidence_type.classification, country=location.country
            )
            if isinstance(answer, AdditionalInputRequired):
                here.additional = answer
                if _answered(answer, index, params):
                    classifications = {
                        q.identifier: params.get(f"c{index}_{n}", "")
                        for n, q in enumerate(answer.classification_questions)
                    }
                    try:
                        here.answers = answer.answer(
                            jurisdiction=params.get(f"j{index}") or None, classifications=classifications
                        )
                    except InvalidAnswerError:
                        location.errors.append(here.title)
                        here.questions = _questions(answer, index, params, location.country, lang)
                        continue
                    here.classification_values = classifications
                    answer = client.data_services(
                        evidence_type=evidence_type.classification,
                        country=location.country,
                        answers=here.answers,
                    )
                if isinstance(answer, AdditionalInputRequired):
                    here.questions = _questions(answer, index, params, location.country, lang)
                    continue
        except CommonServicesError:
            here.no_provider = True
            location.problem = "no_provider"
            continue
        except OotsError:
            location.problem = "unavailable"
            return location
        assert isinstance(answer, DataServicesResult)
        for position, offer in enumerate(answer.offers):
            required = (offer.evidence_type.level_of_assurance or "").lower()
            here.choices.append(
                OfferChoice(
                    index=position,
                    offer=offer,
                    distribution=preferred_distribution(offer.evidence_type.distributions),
                    edm_version=preferred_edm_version(offer.access_service.conforms_to),
                    loa_too_low=bool(required) and not loa_satisfies(loa, required),
                )
            )
        if not any(choice.edm_version for choice in here.choices):
            here.no_provider = True
            location.problem = "no_provider"
    return location


def location_query(location: Location, requirement: Requirement) -> dict[str, str]:
    """The parameters that lead back to this location (hidden fields of the next form)."""
    query = {"country": location.country}
    if location.alternative is not None and len(location.alternatives) > 1:
        query["alt"] = location.alternative.identifier
    return query


# --- The EDM request content (DIGEST §10: built from the eIDAS identity, one chosen distribution) ---------


def _loa_value(loa: str | None) -> str | None:
    return loa.capitalize() if loa else None


def _natural_person(identity: EidasIdentity, loa: str | None) -> NaturalPerson:
    if identity.date_of_birth is None:
        raise ValueError("the eIDAS identity has no date of birth")
    return NaturalPerson(
        family_name=identity.family_name,
        given_name=identity.given_name,
        date_of_birth=identity.date_of_birth,
        level_of_assurance=_loa_value(loa),
        identifier=Identifier(identity.person_identifier, "eidas") if identity.person_identifier else None,
    )


def subject_and_representative(
    identity: EidasIdentity, loa: str | None
) -> tuple[NaturalPerson | LegalPerson, NaturalPerson | None]:
    """The request's subject: the natural person, or the legal person with its representative."""
    if identity.kind == EidasIdentity.Kind.NATURAL:
        return _natural_person(identity, loa), None
    legal = LegalPerson(
        legal_name=identity.legal_name,
        level_of_assurance=_loa_value(loa),
        legal_person_identifier=Identifier(identity.legal_person_identifier, "eidas")
        if identity.legal_person_identifier
        else None,
    )
    if identity.kind == EidasIdentity.Kind.REPRESENTATIVE:
        return legal, _natural_person(identity, loa)
    return legal, None


def requester_agent(procedure: Procedure) -> Agent:
    return Agent(
        identifier=Identifier(procedure.requester_identifier, procedure.requester_scheme),
        names=(LocalizedText(procedure.requester_name, "EN"),),
        address=Address(admin_unit_level1=procedure.country),
        classification="ER",
    )


def edm_request_content(
    *,
    procedure: Procedure,
    requirement: Requirement,
    identity: EidasIdentity,
    loa: str | None,
    choice: OfferChoice,
    type_location: TypeLocation,
    return_location: str | None = None,
) -> EdmEvidenceRequest:
    offer = choice.offer
    publisher = offer.publisher
    if publisher is None:
        raise ValueError("the data service names no evidence provider")
    evidence_type = offer.evidence_type
    distribution = choice.distribution
    subject, representative = subject_and_representative(identity, loa)
    classifications: list[EvidenceProviderClassification] = []
    if type_location.additional is not None:
        for question in type_location.additional.classification_questions:
            value = type_location.classification_values.get(question.identifier)
            if value:
                concept = question.concept
                classifications.append(
                    EvidenceProviderClassification(
                        identifier=Identifier(concept.identifier),
                        supported_values=(value,),
                        type=concept.type or None,
                        value_expression=concept.value_expression or None,
                        descriptions=concept.descriptions,
                    )
                )
    content = EdmEvidenceRequest(
        evidence_requester=requester_agent(procedure),
        evidence_provider=Agent(
            identifier=Identifier(publisher.identifier, publisher.scheme_id),
            names=publisher.names or (LocalizedText(publisher.identifier, "EN"),),
        ),
        evidence=RequestedEvidenceType(
            identifier=evidence_type.identifier,
            classification=evidence_type.classification,
            titles=evidence_type.titles,
            descriptions=evidence_type.descriptions,
            distribution=Distribution(
                format=distribution.format,
                conforms_to=distribution.conforms_to,
                transformation=distribution.transformation,
                languages=distribution.languages,
            ),
        ),
        subject=subject,
        authorized_representative=representative,
        possibility_for_preview=procedure.possibility_for_preview,
        procedure=procedure.code,
        requirements=(
            EdmRequirement(identifier=requirement.identifier, names=(LocalizedText(requirement.name, "EN"),)),
        ),
        evidence_provider_classifications=tuple(classifications),
    )
    if return_location and choice.edm_version == "oots-edm:v2.0":
        content = dataclasses.replace(content, return_location=return_location)
    return content


def person_data_shown(identity: EidasIdentity | None, loa: str | None) -> list[tuple[Any, str]]:
    """What the provider will see about the user (step 3 states it before the request)."""
    if identity is None:
        return []
    rows: list[tuple[Any, str]] = []
    if identity.kind != EidasIdentity.Kind.NATURAL:
        rows += [
            (_("Company or organisation"), identity.legal_name),
            (_("Its identifier"), identity.legal_person_identifier),
        ]
    if identity.kind != EidasIdentity.Kind.LEGAL:
        prefix = identity.kind == EidasIdentity.Kind.REPRESENTATIVE
        rows += [
            (_("Representative's given name") if prefix else _("Given name"), identity.given_name),
            (_("Representative's family name") if prefix else _("Family name"), identity.family_name),
            (_("Date of birth"), identity.date_of_birth.isoformat() if identity.date_of_birth else ""),
            (_("Personal identifier (eIDAS)"), identity.person_identifier),
        ]
    rows.append((_("Level of assurance of your login"), (loa or "").capitalize()))
    return [(label, value) for label, value in rows if value]


def evidence_type_text(evidence_type: EvidenceType, lang: str) -> tuple[str, str]:
    return evidence_type.title(lang), text_in(evidence_type.descriptions, lang)

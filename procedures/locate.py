"""Step 2 of the journey: where the evidence of one requirement comes from.

The Evidence Broker says which evidence types meet the requirement in a country; the Data Service Directory
says who provides each (after asking its ``DSD:ERR:0005`` questions, when it has any). :func:`locate` plays
that dialogue from the page's parameters and returns a :class:`Location` the requirement page is drawn from.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.eidas.loa import loa_satisfies
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
from oots_client.common_services.model import EvidenceType
from oots_client.edm import EdmVersion
from oots_client.edm.genericode import CodeValue
from oots_client.edm.model import EvidenceProviderClassification
from oots_client.errors import OotsError
from procedures.models import Requirement
from procedures.request_content import (
    echoed_classifications,
    offer_provider_name,
    preferred_distribution,
    preferred_edm_version,
)

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


@dataclass(frozen=True)
class OfferChoice:
    """One provider the user may pick for an evidence type (with the one distribution the portal asks for)."""

    index: int
    offer: DataServiceOffer
    distribution: CsDistribution
    edm_version: EdmVersion | None
    loa_too_low: bool

    @property
    def provider_name(self) -> str:
        return offer_provider_name(self.offer)

    @property
    def usable(self) -> bool:
        return self.edm_version is not None and not self.loa_too_low and self.offer.publisher is not None

    @property
    def required_loa(self) -> str:
        return _required_loa(self.offer)


def _required_loa(offer: DataServiceOffer) -> str:
    """The level the provider requires (``AuthenticationLevelOfAssurance``, in the EDM's spelling ``High``),
    as the login's levels are named (``high``); empty when it names none."""
    return (offer.evidence_type.level_of_assurance or "").lower()


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

    @property
    def classifications(self) -> tuple[EvidenceProviderClassification, ...]:
        """The classification answers given to the Directory, echoed in the request."""
        return echoed_classifications(self.additional, self.classification_values)


@dataclass
class Location:
    """The state of the locate page for one requirement, derived from the query parameters alone."""

    country: str = ""
    alternatives: tuple[EvidenceTypeList, ...] = ()
    alternative: EvidenceTypeList | None = None
    types: list[TypeLocation] = field(default_factory=list)
    problem: str = ""  # a plain-language message: no provider, service down…
    problem_code: str = ""  # the Evidence Broker's or Directory's error code behind "no_provider", if any
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
    except CommonServicesError as exc:
        location.problem, location.problem_code = "no_provider", exc.code
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
        except CommonServicesError as exc:
            here.no_provider = True
            location.problem, location.problem_code = "no_provider", exc.code
            continue
        except OotsError:
            location.problem = "unavailable"
            return location
        assert isinstance(answer, DataServicesResult)
        for position, offer in enumerate(answer.offers):
            required = _required_loa(offer)
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


def _country_delivers(client: Any, requirement: Requirement, country: str) -> bool:
    """Whether some authority of ``country`` can deliver evidence for the requirement: the Evidence Broker
    names an evidence type list there, and the Directory has a provider this portal can ask for the first
    evidence type of one of them, or asks its questions first (the answer decides; not a dead end)."""
    result = client.evidence_types(requirement=requirement.identifier, country=country)
    for alternative in result.alternatives:
        if not alternative.evidence_types:
            continue
        try:
            answer = client.data_services(
                evidence_type=alternative.evidence_types[0].classification, country=country
            )
        except CommonServicesError:
            continue
        if isinstance(answer, AdditionalInputRequired):
            return True
        if any(preferred_edm_version(o.access_service.conforms_to) for o in answer.offers):
            return True
    return False


#: Countries asked at once when the list is not cached: the Evidence Broker and the Directory answer each
#: in one or two round trips, and 30 of them one after the other kept the first citizen waiting seconds.
COUNTRY_CHECK_THREADS = 8


def countries_delivering(
    *, client_factory: Callable[[], Any], requirement: Requirement, cache: Any, ttl: int
) -> list[str] | None:
    """The countries whose authorities can deliver this requirement's evidence through OOTS (from the
    Evidence Broker and the Data Service Directory, cached like their answers); ``None`` when the
    Common Services cannot be reached (the page then offers every country rather than none). Countries are
    asked ``COUNTRY_CHECK_THREADS`` at a time, each thread with a client of its own (``client_factory``)."""
    key = "oots:countries-delivering:" + hashlib.sha256(requirement.identifier.encode()).hexdigest()
    found = cache.get(key)
    if isinstance(found, list):
        return found
    local = threading.local()

    def delivers(code: str) -> bool | None:
        if not hasattr(local, "client"):
            local.client = client_factory()
        try:
            return _country_delivers(local.client, requirement, code)
        except CommonServicesError:
            return False  # nothing there: a dead end, not offered
        except OotsError:
            return None  # the Common Services cannot be reached

    with ThreadPoolExecutor(max_workers=COUNTRY_CHECK_THREADS, thread_name_prefix="countries") as pool:
        answers = list(pool.map(delivers, COUNTRIES))
    if any(answer is None for answer in answers):
        return None
    delivering = [code for code, answer in zip(COUNTRIES, answers, strict=True) if answer]
    cache.set(key, delivering, ttl)
    return delivering

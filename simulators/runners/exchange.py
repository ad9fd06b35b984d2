"""The exchange runner behind ``manage.py oots_exchange``: one evidence exchange through the real engine.

It runs beside a portal that is up (web process with the simulators, Celery worker), with the same settings
and database, and plays the parts a tester would: it looks the evidence up in the Common Services (Evidence
Broker, then Data Service Directory), creates an application and a draft exchange for a test persona, asks the
Evidence Provider simulator for a scenario over HTTP, gives the explicit request (the engine's own service,
so the request goes services → Celery → access-point simulator → provider simulator), plays the preview space
over HTTP when the scenario has one, and waits — bounded — for the exchange to end. The request is built
as the portal builds a citizen's (``procedures.request_content``).

What each scenario must end in is :data:`EXPECTED`; docs/exchanges.md has the same table.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Final

import requests
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from accounts.models import EidasIdentity, User
from exchanges import services
from exchanges.models import (
    EvidenceRequest,
    ExchangeLog,
    ExchangeState,
    IncomingMessage,
    IncomingState,
    LogDirection,
)
from exchanges.tasks import sweep_exchanges
from oots_client.access_point import PartyId
from oots_client.common_services import CommonServicesClient, genericode
from oots_client.common_services import Distribution as CsDistribution
from oots_client.common_services.errors import CommonServicesError, InvalidAnswerError
from oots_client.common_services.model import (
    AdditionalInputRequired,
    DataServiceOffer,
    DataServicesResult,
)
from oots_client.edm import EdmVersion, EvidenceProviderClassification, LocalizedText
from oots_client.edm import Requirement as EdmRequirement
from oots_client.errors import OotsError
from procedures.common_services import common_services_client, common_services_config
from procedures.models import Application, Procedure, Requirement
from procedures.request_content import (
    echoed_classifications,
    edm_preference,
    edm_request_content,
    offer_access_point,
    offer_provider_name,
    preferred_distribution,
    preferred_edm_version,
    requirement_reference,
)
from simulators.eidas_idp.personas import PERSONAS, Persona

HTTP_TIMEOUT: Final = 10.0
POLL_SECONDS: Final = 0.05
MAX_ANSWERS_TRIED: Final = 40


class RunnerError(Exception):
    """Something the tester must fix (portal down, unknown procedure, no provider): the message says what."""


@dataclass(frozen=True)
class Expectation:
    state: str
    error_code: str = ""  # the exchange's error code, when it fails
    through: tuple[str, ...] = ()  # states the exchange must have passed through
    evidences: int = 0  # at least this many evidence files stored
    refused: str = ""  # an answer refused for this reason (IncomingReason)
    meaning: str = ""


EXPECTED: Final[dict[str, Expectation]] = {
    "immediate": Expectation(ExchangeState.RECEIVED, evidences=1, meaning="one PDF evidence stored"),
    "several-attachments": Expectation(
        ExchangeState.RECEIVED, evidences=3, meaning="the PDF, an annex PDF and a PNG stored"
    ),
    "structured-xml": Expectation(ExchangeState.RECEIVED, evidences=1, meaning="one XML evidence stored"),
    "preview": Expectation(
        ExchangeState.RECEIVED,
        through=(ExchangeState.PREVIEW_REQUIRED, ExchangeState.AWAITING_RESPONSE),
        evidences=1,
        meaning="preview accepted, the second request brings the evidence",
    ),
    "preview-refused": Expectation(
        ExchangeState.FAILED,
        error_code="NO_EVIDENCE",
        through=(ExchangeState.PREVIEW_REQUIRED, ExchangeState.AWAITING_RESPONSE),
        meaning="preview refused, the second request is answered with no evidence",
    ),
    "not-found": Expectation(
        ExchangeState.FAILED, error_code="EDM:ERR:0004", meaning="the provider has none"
    ),
    "timeout": Expectation(
        ExchangeState.TIMED_OUT,
        error_code="TIMEOUT",
        through=(ExchangeState.SENT,),
        meaning="no answer; the runner moves the deadline to now and runs the sweep",
    ),
    "unavailable": Expectation(
        ExchangeState.RECEIVED,
        through=(ExchangeState.AWAITING_RESPONSE,),
        evidences=1,
        meaning="Unavailable first, the evidence at the promised time",
    ),
    "malformed": Expectation(
        ExchangeState.TIMED_OUT,
        error_code="TIMEOUT",
        through=(ExchangeState.SENT,),
        refused="unreadable",
        meaning="the unreadable answer is refused (it proves nothing, so it ends nothing); the runner then "
        "moves the deadline to now and runs the sweep",
    ),
}
SCENARIOS: Final = tuple(EXPECTED)


# Jan Peeters of the eIDAS test IdP: no scenario is attached to him, so the provider simulator answers with
# the scenario the runner asks for.
DEFAULT_PERSONA: Final = PERSONAS["be-jan"]


@dataclass(frozen=True)
class Offer:
    """What will be requested, from whom: the DSD's evidence type and access service for the requirement."""

    requirement: EdmRequirement
    requirement_row: Requirement | None
    offer: DataServiceOffer
    distribution: CsDistribution
    version: EdmVersion
    classifications: tuple[EvidenceProviderClassification, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return self.offer.evidence_type.title() or self.offer.evidence_type.classification

    @property
    def provider_name(self) -> str:
        return offer_provider_name(self.offer)

    @property
    def access_point(self) -> PartyId:
        return offer_access_point(self.offer)


@dataclass
class Run:
    exchange: EvidenceRequest
    scenario: str
    notes: list[tuple[float, str]] = field(
        default_factory=list
    )  # (ms after the request, what the runner did)


# --- Looking the evidence up --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommonServices:
    """The Common Services client the runner asks, with where it asks them and which setting says so (for
    the error messages: a tester must know which address failed and what to change)."""

    client: Any
    eb_url: str
    dsd_url: str
    settings_hint: str

    @classmethod
    def from_settings(cls) -> CommonServices:
        config = common_services_config()
        return cls(
            common_services_client(),
            config.eb_url or "(found by DNS discovery)",
            config.dsd_url or "(found by DNS discovery)",
            "OOTS_CS_EB_URL / OOTS_CS_DSD_URL (or --base-url for a portal serving the simulators)",
        )

    @classmethod
    def simulators_at(cls, base_url: str) -> CommonServices:
        """The Common Services simulator of the portal at ``base_url`` (``--base-url``), whatever the settings
        name: the runner plays against that portal's simulators, the Common Services' included."""
        base = base_url.rstrip("/")
        config = dataclasses.replace(
            common_services_config(),
            eb_url=f"{base}/sim/cs/eb",
            dsd_url=f"{base}/sim/cs/dsd",
            discovery=None,
        )
        client = CommonServicesClient(config, cache=cache)
        return cls(client, config.eb_url, config.dsd_url, "--base-url")

    def unreachable(self, service: str, exc: BaseException) -> RunnerError:
        url = self.eb_url if service == "eb" else self.dsd_url
        name = "Evidence Broker" if service == "eb" else "Data Service Directory"
        return RunnerError(
            f"the {name} at {url} could not be asked ({exc.__class__.__name__}: {exc}); "
            f"is that address right? It comes from {self.settings_hint}"
        )


def _first_requirement(
    procedure: Procedure, services: CommonServices
) -> tuple[EdmRequirement, Requirement | None, str]:
    row = procedure.requirements.order_by("order", "pk").first()
    if row is not None:
        return requirement_reference(row), row, "the procedure's requirement"
    try:
        found = services.client.requirements(procedure=procedure.code, country=procedure.country)
    except CommonServicesError as exc:
        raise RunnerError(
            f"procedure {procedure.code} has no requirements and the Evidence Broker at "
            f"{services.eb_url} has none either: {exc}"
        ) from exc
    except (OotsError, OSError) as exc:
        raise services.unreachable("eb", exc) from exc
    if not found:
        raise RunnerError(
            f"the Evidence Broker at {services.eb_url} knows no requirement of procedure {procedure.code}"
        )
    first = found[0]
    names = first.names or (LocalizedText(first.identifier, "EN"),)
    return EdmRequirement(identifier=first.identifier, names=names), None, "the Evidence Broker"


def _answer_choices(
    question: AdditionalInputRequired, country: str
) -> list[tuple[dict[str, str], str | None]]:
    """Answers a tester could give to a ``DSD:ERR:0005``, in order: each allowed value of the first
    classification question (the others at their first value), and the country's first region when a
    jurisdiction is asked. Only some values have a provider, so the caller tries them in turn."""
    jurisdiction = None
    if question.jurisdiction is not None:
        regions = genericode.nuts_in(country, question.jurisdiction.level)
        if not regions:
            raise RunnerError(f"the DSD asks for a {question.jurisdiction.level} the runner cannot choose")
        jurisdiction = regions[0].code
    items = question.classification_questions
    if not items:
        return [({}, jurisdiction)]
    for item in items:
        if not item.allowed_values:
            raise RunnerError(f"the DSD asks {item.question()!r} and its allowed values cannot be read")
    rest = {item.identifier: item.allowed_values[0].code for item in items[1:]}
    first = items[0]
    return [
        ({first.identifier: value.code, **rest}, jurisdiction)
        for value in first.allowed_values[:MAX_ANSWERS_TRIED]
    ]


def answers_as_text(
    question: AdditionalInputRequired, answers: dict[str, str], jurisdiction: str | None
) -> list[str]:
    """The answers given to the Directory's questions as a tester reads them: each question's text (in
    English) with the chosen value's label, not the concept identifiers."""
    lines = []
    if question.jurisdiction is not None and jurisdiction:
        lines.append(f"“{question.jurisdiction.label() or 'Region'}” answered {jurisdiction}")
    for item in question.classification_questions:
        code = answers.get(item.identifier, "")
        label = next((value.label() for value in item.allowed_values if value.code == code), code)
        lines.append(
            f"“{item.question() or item.identifier}” answered “{label}”"
            + (f" ({code})" if label != code else "")
        )
    return lines


def _data_services(
    client: Any, classification: str, country: str
) -> tuple[DataServicesResult, tuple[EvidenceProviderClassification, ...], list[str]]:
    """The DSD's offers for an evidence type, answering its questions as a tester would; with the
    classifications the request echoes, and the answers given as text (for the notes)."""
    result = client.data_services(evidence_type=classification, country=country)
    if isinstance(result, DataServicesResult):
        return result, (), []
    question: AdditionalInputRequired = result
    last: Exception | None = None
    for answers, jurisdiction in _answer_choices(question, country):
        try:
            again = client.data_services(
                evidence_type=classification,
                country=country,
                answers=question.answer(jurisdiction=jurisdiction, classifications=answers),
            )
        except (CommonServicesError, InvalidAnswerError) as exc:
            last = exc
            continue
        if isinstance(again, DataServicesResult) and again.offers:
            return (
                again,
                echoed_classifications(question, answers),
                answers_as_text(question, answers, jurisdiction),
            )
    raise RunnerError(f"no answer to the DSD's questions gives a provider ({last})")


def offer_usable(offer: DataServiceOffer, edm_version: EdmVersion | None) -> EdmVersion | None:
    """The version the portal would ask this provider in (``OOTS_EDM_VERSION_PREFERENCE``) when it names its
    publisher; with ``edm_version`` (``--edm-version``), only when that is the version."""
    version = preferred_edm_version(offer.access_service.conforms_to)
    if version is None or offer.publisher is None:
        return None
    return version if edm_version in (None, version) else None


def _not_asked(offer: DataServiceOffer, edm_version: EdmVersion | None) -> str:
    name = offer_provider_name(offer)
    if offer.publisher is None:
        return f"{name} names no evidence provider"
    spoken = preferred_edm_version(offer.access_service.conforms_to)
    if spoken is None:
        preference = ", ".join(v.identifier for v in edm_preference())
        return f"{name} speaks none of {preference} (OOTS_EDM_VERSION_PREFERENCE)"
    return (
        f"{name} would be asked in {spoken.identifier}, not {edm_version.identifier if edm_version else ''}"
    )


def find_offer(
    procedure: Procedure,
    country: str,
    *,
    edm_version: EdmVersion | None = None,
    services: CommonServices | None = None,
) -> Offer:
    """The first requirement of the procedure, and the first evidence type and provider the DSD offers
    (with ``edm_version``, the first provider the portal would ask in that version)."""
    services = services or CommonServices.from_settings()
    client = services.client
    requirement, row, source = _first_requirement(procedure, services)
    notes = [f"requirement {requirement.names[0].value!r} ({source})"]
    try:
        types = client.evidence_types(requirement=requirement.identifier, country=country)
    except CommonServicesError as exc:
        raise RunnerError(
            f"the Evidence Broker at {services.eb_url} has no evidence type for {country}: {exc}"
        ) from exc
    except (OotsError, OSError) as exc:
        raise services.unreachable("eb", exc) from exc
    tried: list[str] = []
    for alternative in types.alternatives:
        for evidence_type in alternative.evidence_types:
            try:
                result, classifications, answered = _data_services(
                    client, evidence_type.classification, country
                )
            except (CommonServicesError, InvalidAnswerError, RunnerError) as exc:
                tried.append(f"{evidence_type.title()}: {exc}")
                continue
            except (OotsError, OSError) as exc:
                raise services.unreachable("dsd", exc) from exc
            for offer in result.offers:
                version = offer_usable(offer, edm_version)
                if version is None:
                    tried.append(f"{evidence_type.title()}: {_not_asked(offer, edm_version)}")
                    continue
                return Offer(
                    requirement=requirement,
                    requirement_row=row,
                    offer=offer,
                    distribution=preferred_distribution(offer.evidence_type.distributions),
                    version=version,
                    classifications=classifications,
                    notes=(
                        *notes,
                        *(f"Directory question {line}" for line in answered),
                        *(f"skipped {reason}" for reason in tried),
                    ),
                )
    detail = "; ".join(tried) or "no evidence type"
    raise RunnerError(f"no provider in {country} for {requirement.names[0].value!r}: {detail}")


# --- Creating the exchange ----------------------------------------------------------------------------------


def _identity(persona: Persona) -> EidasIdentity:
    """What the eIDAS node would say about the persona (not stored: the runner logs nobody in)."""
    return EidasIdentity(
        kind=EidasIdentity.Kind.NATURAL,
        country=persona.country,
        person_identifier=persona.person_identifier,
        given_name=persona.given_name,
        family_name=persona.family_name,
        date_of_birth=dt.date.fromisoformat(persona.date_of_birth),
        loa=persona.max_loa,
    )


def create_exchange(procedure: Procedure, country: str, offer: Offer, persona: Persona) -> EvidenceRequest:
    """An application of the test persona and a draft exchange for the offer (nothing sent yet)."""
    user, created = User.objects.get_or_create(
        username=f"oots-exchange-{persona.key}",
        defaults={"first_name": persona.given_name, "last_name": persona.family_name},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    application = Application.objects.create(user=user, procedure=procedure)
    content = edm_request_content(
        procedure=procedure,
        requirement=offer.requirement,
        identity=_identity(persona),
        loa=persona.max_loa,
        offer=offer.offer,
        distribution=offer.distribution,
        version=offer.version,
        classifications=offer.classifications,
    )
    return services.evidence_request_create(
        application=application,
        content=content,
        edm_version=offer.version.identifier,
        access_point=offer.access_point,
        provider_country=country,
        requirement=offer.requirement_row,
    )


# --- Talking to the simulators over HTTP --------------------------------------------------------------------


class Simulators:
    """The portal's simulators over HTTP, at ``base_url`` (control endpoints, preview space)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        # Open when DEBUG is on; otherwise HTTP Basic as the WS-plugin user (docs/simulators.md).
        if settings.OOTS_AP_USERNAME:
            self.session.auth = (settings.OOTS_AP_USERNAME, settings.OOTS_AP_PASSWORD)

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        url = f"{self.base_url}{path}"
        try:
            return self.session.request(method, url, timeout=HTTP_TIMEOUT, **kwargs)
        except requests.RequestException as exc:
            raise RunnerError(
                f"the portal does not answer at {url} ({exc.__class__.__name__}); is it running with its "
                "worker and the simulators (`make demo`)? Use --base-url for another address (the default is "
                "the setting OOTS_SIMULATOR_BASE_URL)."
            ) from exc

    def check(self) -> None:
        response = self._call("GET", "/sim/ep/control/scenarios")
        if response.status_code != 200:
            raise RunnerError(
                f"{self.base_url}/sim/ep/control/scenarios answered HTTP {response.status_code}: "
                "the simulators are off (OOTS_SIMULATORS) or the credentials differ "
                "(OOTS_AP_USERNAME / OOTS_AP_PASSWORD)"
            )

    def set_scenario(self, *, scenario: str, conversation_id: str) -> None:
        body = {"scenario": scenario, "conversation_id": conversation_id, "uses": 1}
        response = self._call("POST", "/sim/ep/control/scenarios", json=body)
        if response.status_code != 201:
            raise RunnerError(f"the provider simulator refused the scenario: {response.text[:300]}")

    def messages(self, conversation_id: str) -> list[dict[str, Any]]:
        response = self._call("GET", "/sim/ap/control/messages", params={"conversation_id": conversation_id})
        if response.status_code != 200:
            raise RunnerError(f"the access-point simulator's log answered HTTP {response.status_code}")
        return list(response.json()["messages"])

    def play_preview(self, *, location: str, return_url: str, accept: bool) -> str:
        """Open the preview space as the user's browser would, decide, and take the way back."""
        try:
            page = self.session.get(location, params={"returnurl": return_url}, timeout=HTTP_TIMEOUT)
        except requests.RequestException as exc:
            raise RunnerError(f"the preview space {location} does not answer: {exc}") from exc
        if page.status_code != 200:
            raise RunnerError(f"the preview space answered HTTP {page.status_code}")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        if token is None:
            raise RunnerError("the preview space page has no form to decide with")
        decision = "accept" if accept else "refuse"
        form = {"csrfmiddlewaretoken": token.group(1), "returnurl": return_url, "decision": decision}
        # The CSRF cookie is sent explicitly: a portal with DEBUG off marks it Secure, and this is plain http.
        cookies = {name: value for name, value in page.cookies.items() if value}
        try:
            answer = self.session.post(
                location, data=form, cookies=cookies, allow_redirects=False, timeout=HTTP_TIMEOUT
            )
        except requests.RequestException as exc:
            raise RunnerError(f"the preview space does not take the decision: {exc}") from exc
        if answer.status_code not in (200, 302, 303):
            raise RunnerError(f"the preview space answered the decision with HTTP {answer.status_code}")
        back = answer.headers.get("Location", "")
        done = "accepted" if accept else "refused"
        return f"{done} in the preview space" + (f", sent back to {back}" if back else "")


# --- Running ------------------------------------------------------------------------------------------------


def _elapsed_ms(exchange: EvidenceRequest) -> float:
    start = exchange.explicit_request_at or exchange.created_at
    return (timezone.now() - start).total_seconds() * 1000


def wait_until(
    exchange: EvidenceRequest, done: Callable[[EvidenceRequest], bool], *, deadline: float, waiting_for: str
) -> EvidenceRequest:
    """Poll the exchange (it is the worker that moves it) until ``done``; bounded by ``deadline``."""
    while True:
        exchange.refresh_from_db()
        if done(exchange):
            return exchange
        if time.monotonic() >= deadline:
            raise RunnerError(
                f"gave up waiting for {waiting_for}: the exchange is still {exchange.state} "
                f"after {_elapsed_ms(exchange):.0f} ms (is the Celery worker running?)"
            )
        time.sleep(POLL_SECONDS)


def run(*, exchange: EvidenceRequest, scenario: str, simulators: Simulators, timeout: float) -> Run:
    """Give the explicit request and play the user's and the tester's parts until the exchange ends."""
    deadline = time.monotonic() + timeout
    current = Run(exchange=exchange, scenario=scenario)
    simulators.set_scenario(scenario=scenario, conversation_id=exchange.conversation_id)
    services.evidence_request_give_explicit_request(evidence_request=exchange)
    if scenario in ("preview", "preview-refused"):
        exchange = wait_until(
            exchange,
            lambda e: e.state == ExchangeState.PREVIEW_REQUIRED or e.is_terminal,
            deadline=deadline,
            waiting_for="the preview request",
        )
        if exchange.state == ExchangeState.PREVIEW_REQUIRED:
            what = simulators.play_preview(
                location=exchange.preview_location,
                return_url=f"{simulators.base_url}/",
                accept=scenario == "preview",
            )
            current.notes.append((_elapsed_ms(exchange), what))
            # The user is back on the portal: the portal sends the second request (DIGEST §7 step 4).
            services.evidence_request_after_preview(evidence_request=exchange)
    elif scenario in ("timeout", "malformed"):
        exchange = wait_until(
            exchange,
            lambda e: e.state == ExchangeState.SENT or e.is_terminal,
            deadline=deadline,
            waiting_for="the access point to accept the request",
        )
        _wait_delivered(simulators, exchange, deadline)
        if scenario == "malformed":
            _wait_refused(exchange, deadline)
            current.notes.append((_elapsed_ms(exchange), "the provider's unreadable answer was refused"))
        # No usable answer comes; rather than wait OOTS_EXCHANGE_TIMEOUT_SECONDS, end the exchange's time
        # now and let the worker's sweep time it out, as beat would after the real deadline.
        EvidenceRequest.objects.filter(pk=exchange.pk).update(deadline=timezone.now())
        sweep_exchanges.delay()
        current.notes.append(
            (
                _elapsed_ms(exchange),
                "no usable answer: deadline moved to now for this run, sweep sent to the worker",
            )
        )
    current.exchange = wait_until(
        exchange, lambda e: e.is_terminal, deadline=deadline, waiting_for="the outcome"
    )
    return current


def _wait_refused(exchange: EvidenceRequest, deadline: float) -> None:
    """Wait until the portal has refused an answer to the exchange."""
    refused = IncomingMessage.objects.filter(evidence_request=exchange, state=IncomingState.REFUSED)
    while not refused.exists():
        if time.monotonic() >= deadline:
            raise RunnerError("the portal did not process the provider's answer in time")
        time.sleep(POLL_SECONDS)


def _wait_delivered(simulators: Simulators, exchange: EvidenceRequest, deadline: float) -> None:
    """Wait until the access-point simulator has handed the request to the (silent) provider."""
    while True:
        outbound = [m for m in simulators.messages(exchange.conversation_id) if m["direction"] == "outbound"]
        if outbound and all(m["delivered_at"] for m in outbound):
            return
        if time.monotonic() >= deadline:
            raise RunnerError(
                "the access-point simulator did not deliver the request to the provider in time"
            )
        time.sleep(POLL_SECONDS)


def timeline(exchange: EvidenceRequest) -> list[tuple[float, str]]:
    """``(ms after the explicit request, state)`` for every state the exchange went through."""
    start = exchange.explicit_request_at or exchange.created_at
    events = ExchangeLog.objects.filter(
        evidence_request=exchange, direction=LogDirection.EVENT, event="state"
    ).order_by("created_at", "pk")
    return [((event.created_at - start).total_seconds() * 1000, event.outcome) for event in events]


def verdict(exchange: EvidenceRequest, scenario: str) -> list[str]:
    """What differs from the scenario's expected outcome (empty: as expected)."""
    expected = EXPECTED[scenario]
    problems = []
    if exchange.state != expected.state:
        problems.append(f"ended {exchange.state}, expected {expected.state}")
    if expected.error_code and exchange.error_code != expected.error_code:
        problems.append(f"error code {exchange.error_code or '(none)'}, expected {expected.error_code}")
    passed = {state for _, state in timeline(exchange)}
    problems += [f"never was {state}" for state in expected.through if state not in passed]
    stored = exchange.evidences.count()
    if stored < expected.evidences:
        problems.append(f"{stored} evidence file(s) stored, expected at least {expected.evidences}")
    if expected.refused:
        refused = exchange.incoming.filter(state=IncomingState.REFUSED).values_list("reason", flat=True)
        if expected.refused not in refused:
            problems.append(f"no answer refused as {expected.refused} (refused: {list(refused) or 'none'})")
    return problems

"""Writes of the Evidence Provider simulator: receive a request, run its scenario, record preview decisions.

Called in-process by the access-point simulator (both are the counterparty side of the exchange); answers
that wait for the user (the second request of a preview) are handed to the access point when the user
decides (:func:`preview_decide`). A request delivered twice (same ebMS message id) keeps the scenario and the
preview session it got the first time.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import secrets
from typing import Final
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from oots_client.access_point import ebms
from oots_client.access_point.model import AsMessage
from oots_client.edm import EdmError, EdmException, QueryRequest, parse_message
from oots_client.edm import namespaces as ns
from simulators.access_point import services as access_point
from simulators.access_point.delivery import ProviderAnswer
from simulators.evidence_provider import responses
from simulators.evidence_provider.models import Decision, PreviewSession, ProviderRequest, ScenarioOverride
from simulators.evidence_provider.scenarios import (
    STRUCTURED_FORMATS,
    Scenario,
    person_labels,
    scenario_by_rules,
    subject_name,
)

_TOKEN_IN_PATH: Final = re.compile(r"/preview/([A-Za-z0-9_-]{16,64})/?$")


def preview_url(token: str) -> str:
    path = reverse("sim_evidence_provider:preview", args=[token])
    return f"{settings.OOTS_SIMULATOR_BASE_URL}{path}"


def token_from(preview_location: str) -> str | None:
    match = _TOKEN_IN_PATH.search(urlsplit(preview_location).path)
    return match.group(1) if match else None


# --- testers' overrides ----------------------------------------------------------------------------------


def override_create(
    *, scenario: Scenario, conversation_id: str = "", person: str = "", uses: int | None = 1
) -> ScenarioOverride:
    return ScenarioOverride.objects.create(
        scenario=scenario.value, conversation_id=conversation_id.strip(), person=person.strip(), uses=uses
    )


def overrides_clear() -> int:
    deleted, _ = ScenarioOverride.objects.all().delete()
    return deleted


def _override_take(request: QueryRequest, conversation_id: str) -> ScenarioOverride | None:
    """The override that applies (conversation, then person, then anyone; oldest first), one use taken."""
    labels = {label.casefold() for label in person_labels(request.request)}
    best: tuple[int, ScenarioOverride] | None = None
    for override in ScenarioOverride.objects.select_for_update().order_by("created_at", "pk"):
        if override.conversation_id and override.conversation_id != conversation_id:
            continue
        if override.person and override.person.casefold() not in labels:
            continue
        rank = 0 if override.conversation_id else 1 if override.person else 2
        if best is None or rank < best[0]:
            best = (rank, override)
    if best is None:
        return None
    override = best[1]
    if override.uses is not None:
        if override.uses <= 1:
            override.delete()
        else:
            override.uses -= 1
            override.save(update_fields=["uses"])
    return override


# --- requests ----------------------------------------------------------------------------------------------


def _record(
    *, message_id: str, conversation_id: str, parsed: QueryRequest, raw: bytes
) -> tuple[ProviderRequest, PreviewSession | None]:
    """The request's record, created with its scenario the first time it is seen."""
    existing = ProviderRequest.objects.filter(message_id=message_id).first()
    session = None
    if parsed.request.preview_location:
        token = token_from(parsed.request.preview_location)
        session = PreviewSession.objects.select_for_update().filter(token=token).first() if token else None
    if existing is not None:
        return existing, session
    if session is not None:
        scenario, source = session.first_request.scenario, "preview session"
    elif (override := _override_take(parsed, conversation_id)) is not None:
        scenario, source = override.scenario, "override"
    else:
        chosen, source = scenario_by_rules(parsed.request, settings.OOTS_EP_SIM_DEFAULT_SCENARIO)
        scenario = chosen.value
    record = ProviderRequest.objects.create(
        message_id=message_id,
        request_id=parsed.request_id,
        conversation_id=conversation_id,
        version=parsed.version,
        scenario=scenario,
        scenario_source=source,
        subject=subject_name(parsed.request)[:255],
        regrep=raw,
    )
    return record, session


def _evidence_kind(parsed: QueryRequest, scenario: Scenario) -> str:
    if scenario is Scenario.SEVERAL_ATTACHMENTS:
        return "several"
    if scenario is Scenario.STRUCTURED_XML:
        return "xml"
    distribution = parsed.request.evidence.distribution
    structured = distribution.format in STRUCTURED_FORMATS or distribution.conforms_to
    return "xml" if structured else "pdf"


def decision_answer(session: PreviewSession, parsed: QueryRequest) -> ProviderAnswer:
    """The answer to the second request: the evidence if the user accepted, an error if they refused."""
    if session.decision == Decision.ACCEPTED:
        scenario = Scenario(session.first_request.scenario)
        return responses.evidence_answer(
            parsed, key="preview-decision", kind=_evidence_kind(parsed, scenario)
        )
    return responses.refused_answer(parsed, key="preview-decision")


def _second_request(
    record: ProviderRequest, parsed: QueryRequest, session: PreviewSession | None
) -> list[ProviderAnswer]:
    if session is None:
        exception = EdmException(
            type="UnresolvedReferenceExceptionType",
            code="EDM:ERR:0006",
            severity=ns.SEVERITY_ERROR,
            message="The PreviewLocation of this request is not one this provider gave",
            detail=parsed.request.preview_location,
            timestamp=timezone.now().replace(microsecond=0),
        )
        return [responses.error_answer(parsed, key="answer", exceptions=[exception])]
    if not session.return_location and parsed.request.return_location:
        session.return_location = parsed.request.return_location
        session.save(update_fields=["return_location"])
    if session.decision == Decision.PENDING:
        # The user has not decided yet: the answer leaves when they do (preview_decide).
        session.second_request = record
        session.save(update_fields=["second_request"])
        return []
    return [decision_answer(session, parsed)]


def _first_answers(record: ProviderRequest, parsed: QueryRequest) -> list[ProviderAnswer]:
    scenario = Scenario(record.scenario)
    if scenario in (Scenario.IMMEDIATE, Scenario.SEVERAL_ATTACHMENTS, Scenario.STRUCTURED_XML):
        return [responses.evidence_answer(parsed, key="answer", kind=_evidence_kind(parsed, scenario))]
    if scenario in (Scenario.PREVIEW, Scenario.PREVIEW_REFUSED, Scenario.PREVIEW_POST):
        refused = scenario is Scenario.PREVIEW_REFUSED
        session, _ = PreviewSession.objects.get_or_create(
            first_request=record,
            defaults={
                "token": secrets.token_urlsafe(24),
                "decision": Decision.REFUSED if refused else Decision.PENDING,
                "decided_at": timezone.now() if refused else None,
                "return_location": parsed.request.return_location or "",
            },
        )
        location = preview_url(session.token)
        method = "POST" if scenario is Scenario.PREVIEW_POST else "GET"
        return [
            responses.preview_required_answer(parsed, key="answer", preview_location=location, method=method)
        ]
    if scenario is Scenario.NOT_FOUND:
        return [responses.not_found_answer(parsed, key="answer")]
    if scenario is Scenario.UNAVAILABLE:
        seconds = settings.OOTS_EP_SIM_UNAVAILABLE_SECONDS
        until = (record.received_at + dt.timedelta(seconds=seconds)).replace(microsecond=0)
        until += dt.timedelta(seconds=1)  # whole seconds in the message, never earlier than promised
        later = responses.evidence_answer(parsed, key="later", kind=_evidence_kind(parsed, scenario))
        return [
            responses.unavailable_answer(parsed, key="answer", until=until),
            dataclasses.replace(later, available_at=until),
        ]
    if scenario is Scenario.MALFORMED:
        return [responses.malformed_answer(parsed, key="answer")]
    return []  # Scenario.TIMEOUT: never answers


def request_delivered_receive(
    sender: object, *, message: AsMessage, message_id: str, **_: object
) -> list[ProviderAnswer]:
    """``simulators.access_point.delivery.request_delivered``: the access point brings a request."""
    return request_receive(message=message, message_id=message_id)


def request_receive(*, message: AsMessage, message_id: str) -> list[ProviderAnswer]:
    """The answers to one ``ExecuteQueryRequest`` message that can leave now (maybe none)."""
    payload = ebms.regrep_payload(message)
    specification = message.header.get_property("SpecificationId")
    version = specification.value if specification else None
    if payload is None:
        return [responses.invalid_request_answer(key="answer", version=version, detail="no RegRep payload")]
    try:
        parsed = parse_message(payload.data)
    except EdmError as exc:
        return [responses.invalid_request_answer(key="answer", version=version, detail=str(exc))]
    if not isinstance(parsed, QueryRequest):
        detail = f"expected a QueryRequest, got a {parsed.kind.value}"
        return [responses.invalid_request_answer(key="answer", version=parsed.version, detail=detail)]
    with transaction.atomic():
        record, session = _record(
            message_id=message_id,
            conversation_id=message.header.conversation_id or "",
            parsed=parsed,
            raw=payload.data,
        )
        if parsed.request.preview_location:
            return _second_request(record, parsed, session)
        return _first_answers(record, parsed)


# --- the preview space --------------------------------------------------------------------------------------


def preview_decide(*, token: str, accept: bool) -> PreviewSession | None:
    """Record the user's choice (the first one counts) and send the answer to a waiting second request."""
    with transaction.atomic():
        session = (
            PreviewSession.objects.select_for_update(of=("self",))
            .select_related("first_request", "second_request")
            .filter(token=token)
            .first()
        )
        if session is None or session.decision != Decision.PENDING:
            return session
        session.decision = Decision.ACCEPTED if accept else Decision.REFUSED
        session.decided_at = timezone.now()
        session.save(update_fields=["decision", "decided_at"])
        second = session.second_request
        if second is not None:
            parsed = parse_message(bytes(second.regrep))
            assert isinstance(parsed, QueryRequest)
            access_point.answers_store(
                request_message_id=second.message_id, answers=[decision_answer(session, parsed)]
            )
        return session


def preview_evidence(session: PreviewSession) -> tuple[str, bytes, str]:
    """``(media type, bytes, title)`` of the evidence the preview space shows."""
    parsed = parse_message(bytes(session.first_request.regrep))
    assert isinstance(parsed, QueryRequest)
    part = responses.evidence_parts(parsed, _evidence_kind(parsed, Scenario(session.first_request.scenario)))[
        0
    ]
    return part.mime_type, part.data, part.title


def scenario_names() -> list[str]:
    return [scenario.value for scenario in Scenario]

"""Writes of the citizen's journey: what the user chose per requirement, the explicit request, a retry.

The exchanges themselves are created and moved only by ``exchanges.services``; this module records which of
them answer which requirement (``Application.data["_journey"]``, see ``procedures.journey``).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import get_language

from accounts.models import EidasIdentity, LevelOfAssurance
from exchanges.audit import ExplicitRequestShown
from exchanges.models import EvidenceRequest, ExchangeState
from exchanges.services import (
    TransitionRefused,
    evidence_request_create,
    evidence_request_decline,
    evidence_request_give_explicit_request,
    evidence_request_retry_check,
)
from oots_client.access_point import PartyId
from oots_client.edm import EvidenceRequest as EdmEvidenceRequest
from oots_client.edm import get_version
from oots_client.edm.model import new_request_id, utc_now
from oots_client.edm.serialize import from_json
from procedures.journey import PLAN_KEY, journey_plan, upload_key
from procedures.locate import Location, OfferChoice
from procedures.models import Application, ApplicationStatus, Requirement
from procedures.request_content import (
    edm_request_content,
    offer_access_point,
    requirement_reference,
    subject_and_representative,
)
from procedures.services import ApplicationNotDraft, application_save_draft

# Makes a fresh single-use return address for the preview: (nonce, absolute URL). Given by the view, which
# binds the nonce to the user's session.
ReturnAddressMaker = Callable[[], tuple[str, str]]


def _plan_set(application: Application, requirement: Requirement, entry: dict[str, Any]) -> None:
    with transaction.atomic():
        locked = Application.objects.select_for_update().get(pk=application.pk)
        if locked.status != ApplicationStatus.DRAFT:
            raise ApplicationNotDraft
        plan = dict(journey_plan(locked))
        plan[str(requirement.pk)] = entry
        locked.data = {**locked.data, PLAN_KEY: plan}
        locked.save(update_fields=["data", "updated_at"])
    application.data = locked.data


def _decline_unsent(application: Application, requirement: Requirement) -> None:
    """Exchanges of this requirement not sent yet, or waiting for a preview, are declined (DESIGN §3)."""
    entry = journey_plan(application).get(str(requirement.pk), {})
    for exchange in EvidenceRequest.objects.filter(
        application=application,
        public_id__in=entry.get("exchanges", []),
        state__in=[ExchangeState.DRAFT, ExchangeState.PREVIEW_REQUIRED],
    ):
        with contextlib.suppress(TransitionRefused):
            evidence_request_decline(evidence_request=exchange)


def journey_choose_oots(
    *,
    application: Application,
    requirement: Requirement,
    location: Location,
    picks: Mapping[int, OfferChoice],
    identity: EidasIdentity,
    loa: str | None,
    return_address: ReturnAddressMaker,
) -> list[tuple[EvidenceRequest, str | None]]:
    """Draft one exchange per evidence type of the chosen alternative, from the chosen providers.

    Returns each exchange with the nonce of its return address when the address travels in the request
    (EDM 2.0 ``ReturnLocation``), for the view to bind to the session.
    """
    if not application.is_draft:
        raise ApplicationNotDraft
    created: list[tuple[EvidenceRequest, str | None]] = []
    with transaction.atomic():
        _decline_unsent(application, requirement)
        for type_location in location.types:
            choice = picks[type_location.index]
            version = choice.edm_version
            if version is None:
                raise ValueError(f"{choice.provider_name} speaks no EDM version of this portal")
            nonce, url = return_address() if version.return_location_slot else (None, None)
            content = edm_request_content(
                procedure=application.procedure,
                requirement=requirement_reference(requirement),
                identity=identity,
                loa=loa,
                offer=choice.offer,
                distribution=choice.distribution,
                version=version,
                classifications=type_location.classifications,
                return_location=url,
            )
            publisher = choice.offer.publisher
            exchange = evidence_request_create(
                application=application,
                content=content,
                edm_version=version.identifier,
                access_point=offer_access_point(choice.offer),
                provider_country=(publisher.country if publisher and publisher.country else location.country),
                requirement=requirement,
                required_loa=choice.required_loa,
            )
            created.append((exchange, nonce))
        _plan_set(
            application,
            requirement,
            {
                "mode": "oots",
                "country": location.country,
                "exchanges": [str(exchange.public_id) for exchange, _nonce in created],
            },
        )
    return created


def journey_choose_upload(*, application: Application, requirement: Requirement, upload: Any) -> None:
    """The user uploads the document instead of using OOTS for this requirement."""
    with transaction.atomic():
        application_save_draft(application=application, answers={}, uploads={upload_key(requirement): upload})
        _decline_unsent(application, requirement)
        country = journey_plan(application).get(str(requirement.pk), {}).get("country", "")
        _plan_set(application, requirement, {"mode": "upload", "country": country, "exchanges": []})


def _shown(exchange: EvidenceRequest) -> ExplicitRequestShown:
    """For the audit trail: the requirement as the request page names it, in the page's language."""
    requirement = exchange.requirement
    return ExplicitRequestShown(
        requirement_identifier=requirement.identifier if requirement else "",
        requirement_name=requirement.name if requirement else "",
        language=get_language() or "",
    )


def as_logged_in_now(
    content: EdmEvidenceRequest, identity: EidasIdentity, loa: str | None
) -> EdmEvidenceRequest:
    """The drafted request with its subject and representative as the current login gives them, at the
    current login's level of assurance: a draft made before the user logged in again (at a higher level, to
    ask a provider that requires it) must not send the earlier level (issue 17 item 4)."""
    subject, representative = subject_and_representative(identity, loa)
    return dataclasses.replace(content, subject=subject, authorized_representative=representative)


def required_loa_of(exchanges: list[EvidenceRequest]) -> str:
    """The highest level of assurance the providers of these exchanges require ("" when none names one): the
    login the explicit request is given in must reach it (issue 17 item 4)."""
    levels = [level.value for level in LevelOfAssurance]
    required = [exchange.required_loa for exchange in exchanges if exchange.required_loa in levels]
    return max(required, key=levels.index, default="")


def journey_request(
    *,
    application: Application,
    exchanges: list[EvidenceRequest],
    identity: EidasIdentity | None = None,
    loa: str | None = None,
) -> int:
    """The explicit request, for every drafted exchange at once (``ExplicitRequestGiven``, timestamped).

    With ``identity``, each request carries the person and the level of assurance of the login the user
    gives the explicit request in (read now, not when the draft was made)."""
    if not application.is_draft:
        raise ApplicationNotDraft
    count = 0
    with transaction.atomic():
        for exchange in exchanges:
            if exchange.application_id != application.pk or exchange.state != ExchangeState.DRAFT:
                continue
            content = None
            if identity is not None:
                drafted = from_json(EdmEvidenceRequest, exchange.request_content)
                content = as_logged_in_now(drafted, identity, loa)
            try:
                evidence_request_give_explicit_request(
                    evidence_request=exchange, content=content, shown=_shown(exchange)
                )
            except TransitionRefused:
                continue
            count += 1
    return count


def journey_retry(
    *,
    application: Application,
    exchange: EvidenceRequest,
    return_address: ReturnAddressMaker,
    identity: EidasIdentity | None = None,
    loa: str | None = None,
) -> tuple[EvidenceRequest, str | None]:
    """Ask the same provider again for the same evidence: a new exchange, requested at once (the user pressed
    "Request it again", an explicit request of its own); with ``identity``, as the current login gives the
    person and the level of assurance."""
    if not application.is_draft:
        raise ApplicationNotDraft
    if not exchange.is_terminal or exchange.state == ExchangeState.RECEIVED:
        raise TransitionRefused("only a failed exchange can be retried")
    evidence_request_retry_check(evidence_request=exchange)  # RetryLimitReached: too often this hour
    content = from_json(EdmEvidenceRequest, exchange.request_content)
    nonce = None
    changes: dict[str, Any] = {
        "request_id": new_request_id(),
        "issue_datetime": utc_now(),
        "preview_location": None,
    }
    if get_version(exchange.edm_version).return_location_slot:
        nonce, url = return_address()
        changes["return_location"] = url
    content = dataclasses.replace(content, **changes)
    if identity is not None:
        content = as_logged_in_now(content, identity, loa)
    with transaction.atomic():
        fresh = evidence_request_create(
            application=application,
            content=content,
            edm_version=exchange.edm_version,
            access_point=PartyId(exchange.access_point_id, exchange.access_point_type or None),
            provider_country=exchange.provider_country,
            requirement=exchange.requirement,
            required_loa=exchange.required_loa,
        )
        requirement = exchange.requirement
        if requirement is not None:
            entry = dict(journey_plan(application).get(str(requirement.pk), {}))
            ids = [
                str(fresh.public_id) if p == str(exchange.public_id) else p
                for p in entry.get("exchanges", [])
            ]
            if str(fresh.public_id) not in ids:
                ids.append(str(fresh.public_id))
            _plan_set(application, requirement, {**entry, "mode": "oots", "exchanges": ids})
        evidence_request_give_explicit_request(evidence_request=fresh, shown=_shown(fresh))
    return fresh, nonce

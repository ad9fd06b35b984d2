"""Writes of the citizen's journey: how each requirement is met (``RequirementChoice``: the country, the
evidence type list, the Directory's answers), its evidence items (``EvidenceItem``), the explicit request, a
retry, an upload for exactly one item.

The exchanges themselves are created and moved only by ``exchanges.services``; this module records which of
them answers which item. Every write locks the draft application first (a submitted one cannot change).
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
from procedures.locate import Location, OfferChoice
from procedures.models import (
    Application,
    DirectoryAnswer,
    EvidenceItem,
    EvidenceRoute,
    Requirement,
    RequirementChoice,
)
from procedures.request_content import (
    edm_request_content,
    offer_access_point,
    requirement_reference,
    subject_and_representative,
)
from procedures.services import (
    ApplicationNotDraft,
    application_file_delete,
    application_file_store,
    lock_draft,
)

# Makes a fresh single-use return address for the preview: (nonce, absolute URL). Given by the view, which
# binds the nonce to the user's session.
ReturnAddressMaker = Callable[[], tuple[str, str]]


@dataclasses.dataclass(frozen=True)
class AnswerGiven:
    """An answer to one Directory question, with the texts the citizen saw (shown back to them)."""

    name: str
    value: str
    label: str = ""
    value_label: str = ""


def _choice(application: Application, requirement: Requirement) -> RequirementChoice:
    """The requirement's choice row, locked (the application is locked by the caller)."""
    if requirement.procedure_id != application.procedure_id:
        raise ValueError("the requirement is not one of the application's procedure")
    choice, _created = RequirementChoice.objects.select_for_update().get_or_create(
        application=application, requirement=requirement
    )
    return choice


def _decline_unsent(choice: RequirementChoice, items: Any = None) -> None:
    """Exchanges of these items not sent yet, or waiting for a preview, are declined (DESIGN §3)."""
    rows = choice.items.all() if items is None else items
    for item in rows:
        exchange = item.exchange
        if exchange is not None and exchange.state in (ExchangeState.DRAFT, ExchangeState.PREVIEW_REQUIRED):
            with contextlib.suppress(TransitionRefused):
                evidence_request_decline(evidence_request=exchange)


def _drop_items(choice: RequirementChoice) -> None:
    """The items of an earlier way of meeting the requirement: unsent exchanges declined, uploads deleted."""
    _decline_unsent(choice)
    for item in list(choice.items.select_related("upload")):
        upload = item.upload
        item.delete()
        if upload is not None:
            application_file_delete(upload)


def journey_set_country(*, application: Application, requirement: Requirement, country: str) -> None:
    """The country the evidence should come from; a new country forgets the list and the answers given for
    the previous one."""
    with transaction.atomic():
        lock_draft(application)
        choice = _choice(application, requirement)
        if choice.country != country:
            choice.country = country
            choice.alternative = ""
            choice.save(update_fields=["country", "alternative", "updated_at"])
            choice.answers.all().delete()


def journey_set_alternative(*, application: Application, requirement: Requirement, alternative: str) -> None:
    with transaction.atomic():
        lock_draft(application)
        choice = _choice(application, requirement)
        if choice.alternative != alternative:
            choice.alternative = alternative
            choice.save(update_fields=["alternative", "updated_at"])
            choice.answers.all().delete()


def journey_answer(*, application: Application, requirement: Requirement, answers: list[AnswerGiven]) -> None:
    """Answers to the Directory's questions (``DSD:ERR:0005``), kept to be shown and changed."""
    with transaction.atomic():
        lock_draft(application)
        choice = _choice(application, requirement)
        for answer in answers:
            DirectoryAnswer.objects.update_or_create(
                choice=choice,
                name=answer.name,
                defaults={
                    "value": answer.value[:300],
                    "label": answer.label[:500],
                    "value_label": answer.value_label[:500],
                },
            )


def journey_forget_answer(*, application: Application, requirement: Requirement, name: str) -> None:
    """The citizen changes an answer: it and the answers given after it (which may depend on it) are asked
    again. ``country`` and ``alt`` forget everything after them."""
    with transaction.atomic():
        lock_draft(application)
        choice = _choice(application, requirement)
        if name == "country":
            choice.country = ""
            choice.alternative = ""
            choice.save(update_fields=["country", "alternative", "updated_at"])
            choice.answers.all().delete()
        elif name == "alt":
            choice.alternative = ""
            choice.save(update_fields=["alternative", "updated_at"])
            choice.answers.all().delete()
        else:
            answer = choice.answers.filter(name=name).first()
            if answer is not None:
                choice.answers.filter(pk__gte=answer.pk).delete()


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
    """Draft one exchange per evidence type of the chosen list, from the chosen providers: one evidence item
    each.

    Returns each exchange with the nonce of its return address when the address travels in the request
    (EDM 2.0 ``ReturnLocation``), for the view to bind to the session.
    """
    created: list[tuple[EvidenceRequest, str | None]] = []
    with transaction.atomic():
        lock_draft(application)
        choice = _choice(application, requirement)
        _drop_items(choice)
        for type_location in location.types:
            offer_choice = picks[type_location.index]
            version = offer_choice.edm_version
            if version is None:
                raise ValueError(f"{offer_choice.provider_name} speaks no EDM version of this portal")
            nonce, url = return_address() if version.return_location_slot else (None, None)
            content = edm_request_content(
                procedure=application.procedure,
                requirement=requirement_reference(requirement),
                identity=identity,
                loa=loa,
                offer=offer_choice.offer,
                distribution=offer_choice.distribution,
                version=version,
                classifications=type_location.classifications,
                return_location=url,
            )
            publisher = offer_choice.offer.publisher
            exchange = evidence_request_create(
                application=application,
                content=content,
                edm_version=version.identifier,
                access_point=offer_access_point(offer_choice.offer),
                provider_country=(publisher.country if publisher and publisher.country else location.country),
                requirement=requirement,
                required_loa=offer_choice.required_loa,
            )
            EvidenceItem.objects.create(
                choice=choice,
                position=type_location.index,
                title=(type_location.title or exchange.evidence_type_title)[:500],
                evidence_type=type_location.evidence_type.classification[:300],
                exchange=exchange,
            )
            created.append((exchange, nonce))
        choice.route = EvidenceRoute.OOTS
        choice.country = location.country
        choice.save(update_fields=["route", "country", "updated_at"])
    return created


def journey_choose_upload(*, application: Application, requirement: Requirement, upload: Any) -> EvidenceItem:
    """The citizen uploads the document instead of using OOTS for the whole requirement (one item)."""
    with transaction.atomic():
        lock_draft(application)
        choice = _choice(application, requirement)
        if choice.items.filter(exchange__state=ExchangeState.RECEIVED).exists():
            # Evidence that arrived is never discarded by an upload: the missing documents are uploaded
            # one by one (journey_upload_item).
            raise TransitionRefused("evidence of this requirement was received: upload the missing items")
        _drop_items(choice)
        stored = application_file_store(application=application, upload=upload)
        choice.route = EvidenceRoute.UPLOAD
        choice.save(update_fields=["route", "updated_at"])
        return EvidenceItem.objects.create(
            choice=choice, position=0, title=requirement.name[:500], upload=stored
        )


def journey_upload_item(*, application: Application, item: EvidenceItem, upload: Any) -> EvidenceItem:
    """The citizen uploads the document of exactly this item (its exchange ended without it, or was not
    sent): the other items, and evidence that arrived, stay as they are."""
    with transaction.atomic():
        lock_draft(application)
        # Only the item row is locked: its exchange and upload are outer joins, PostgreSQL locks no such row.
        locked = (
            EvidenceItem.objects.select_for_update(of=("self",))
            .select_related("exchange", "upload", "choice")
            .get(pk=item.pk)
        )
        if locked.choice.application_id != application.pk:
            raise ValueError("the item is not one of this application's")
        if locked.exchange is not None and locked.exchange.state == ExchangeState.RECEIVED:
            raise TransitionRefused("this evidence was received: it is not replaced by an upload")
        _decline_unsent(locked.choice, [locked])
        previous = locked.upload
        locked.upload = application_file_store(application=application, upload=upload)
        locked.save(update_fields=["upload"])
        if previous is not None:
            application_file_delete(previous)
        return locked


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
    count = 0
    with transaction.atomic():
        lock_draft(application)
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
    """Ask the same provider again for the same evidence: a new exchange for the same item, requested at once
    (the user pressed "Ask again", an explicit request of its own); with ``identity``, as the current login
    gives the person and the level of assurance."""
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
        lock_draft(application)
        fresh = evidence_request_create(
            application=application,
            content=content,
            edm_version=exchange.edm_version,
            access_point=PartyId(exchange.access_point_id, exchange.access_point_type or None),
            provider_country=exchange.provider_country,
            requirement=exchange.requirement,
            required_loa=exchange.required_loa,
        )
        EvidenceItem.objects.filter(choice__application=application, exchange=exchange).update(exchange=fresh)
        evidence_request_give_explicit_request(evidence_request=fresh, shown=_shown(fresh))
    return fresh, nonce

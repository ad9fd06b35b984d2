"""What the citizen reads when a provider's answer is an error (issue 17 item 2): every ``rs:Exception`` of
the answer kept by the engine and shown, each EDM error code with its own explanation and next step in
English, French and German, a timeout after the preview said as such with "ask again" and "upload" offered,
and the Directory's refusals explained on the step that finds the evidence."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import translation

from exchanges import services
from exchanges.models import EvidenceRequest, ExchangeState, OutgoingMessage
from oots_client.access_point import ebms
from oots_client.edm import build_error
from oots_client.edm.model import EdmException, ErrorResponse
from procedures.evidence_display import directory_problem, error_explanation
from tests.exchanges.factories import PROVIDER, REQUESTER, _answer_message, make_exchange
from tests.factories import make_evidence_item
from tests.procedures.test_journey import _application, _citizen_client

pytestmark = pytest.mark.django_db

ERROR = "urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error"
EDM_CODES = [f"EDM:ERR:000{n}" for n in range(1, 9)]


def _failed(application=None, *, exceptions: list[dict[str, str]]) -> EvidenceRequest:  # type: ignore[no-untyped-def]
    exchange = make_exchange(application=application)
    EvidenceRequest.objects.filter(pk=exchange.pk).update(
        state=ExchangeState.FAILED,
        error_code=exceptions[0]["code"],
        error_message=exceptions[0]["message"],
        error_exceptions=exceptions,
    )
    exchange.refresh_from_db()
    return exchange


def _exception(code: str, message: str = "") -> dict[str, str]:
    return {"code": code, "type": "", "message": message or f"message of {code}", "detail": ""}


def test_every_exception_of_an_error_answer_is_kept_in_its_order(django_capture_on_commit_callbacks):
    exchange = make_exchange()
    with django_capture_on_commit_callbacks():
        services.evidence_request_give_explicit_request(evidence_request=exchange)
    outgoing = services.outgoing_claim(outgoing_id=exchange.outgoing.get().pk)
    services.outgoing_submitted(
        outgoing=outgoing, payload=services.outgoing_payload(outgoing=outgoing), domibus_id="x"
    )
    outgoing = OutgoingMessage.objects.get(pk=outgoing.pk)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    error = ErrorResponse(
        version=exchange.edm_version,
        request_id=outgoing.request_id,
        response_id=str(uuid.uuid4()),
        exceptions=(
            EdmException(
                type="TimeoutExceptionType",
                code="EDM:ERR:0005",
                severity=ERROR,
                message="Preview not completed",
                timestamp=now,
            ),
            EdmException(
                type="UnsupportedCapabilityExceptionType",
                code="EDM:ERR:0007",
                severity=ERROR,
                message="XML not offered",
                timestamp=now,
            ),
        ),
        error_provider=PROVIDER,
        evidence_requester=REQUESTER,
    )
    message = _answer_message(exchange, build_error(error), ebms.ACTION_EXCEPTION)
    incoming, _ = services.incoming_announce(ebms_message_id=message.header.message_id, source="test")
    services.incoming_process(incoming=incoming, message=message)

    exchange.refresh_from_db()
    assert (exchange.state, exchange.error_code) == (ExchangeState.FAILED, "EDM:ERR:0005")
    assert [(e["code"], e["message"]) for e in exchange.error_exceptions] == [
        ("EDM:ERR:0005", "Preview not completed"),
        ("EDM:ERR:0007", "XML not offered"),
    ]


@pytest.mark.parametrize("language", ["en", "fr", "de"])
def test_each_edm_error_code_has_its_own_explanation_in_each_language(language):
    with translation.override(language):
        explained = [error_explanation(_failed(exceptions=[_exception(code)])) for code in EDM_CODES]
        general = error_explanation(_failed(exceptions=[_exception("SOMETHING:ELSE")]))
    assert general is not None and all(e is not None for e in explained)
    titles = [e.title for e in explained if e is not None]
    texts = [e.text for e in explained if e is not None]
    assert len(set(titles)) == len(EDM_CODES) and general.title not in titles
    assert len(set(texts)) == len(EDM_CODES)
    if language != "en":
        with translation.override("en"):
            english = [error_explanation(_failed(exceptions=[_exception(c)])) for c in EDM_CODES]
        assert not {t for t in titles} & {e.title for e in english if e is not None}  # translated


def test_a_timeout_after_the_preview_says_so_and_offers_to_ask_again_or_upload():
    client, user = _citizen_client()
    application = _application(user)
    requirement = application.procedure.requirements.get()
    requirement.allow_upload = True
    requirement.save()
    exchange = _failed(application, exceptions=[_exception("EDM:ERR:0005", "The preview was not completed")])
    EvidenceRequest.objects.filter(pk=exchange.pk).update(requirement=requirement)
    item = make_evidence_item(application, requirement, exchange=exchange)

    receive = reverse("procedures:journey_step", args=[application.reference, "receive"])
    page = client.get(receive).content.decode()

    assert "The time to preview ran out" in page
    assert "Ask again" in page
    assert reverse("procedures:exchange_retry", args=[exchange.public_id]) in page
    assert reverse("procedures:journey_step", args=[application.reference, "upload-item", item.pk]) in page


def test_every_exception_of_the_answer_is_shown_to_the_citizen():
    client, user = _citizen_client()
    application = _application(user)
    requirement = application.procedure.requirements.get()
    exchange = _failed(
        application,
        exceptions=[_exception("EDM:ERR:0004"), _exception("EDM:ERR:0007", "Only PDF can be sent")],
    )
    EvidenceRequest.objects.filter(pk=exchange.pk).update(requirement=requirement)
    make_evidence_item(application, requirement, exchange=exchange)

    receive = reverse("procedures:journey_step", args=[application.reference, "receive"])
    page = client.get(receive).content.decode()

    assert "No evidence found" in page
    assert "The authority also said:" in page
    assert "The authority cannot send it this way: “Only PDF can be sent”" in page


@pytest.mark.parametrize("code", ["EB:ERR:0001", "EB:ERR:0002", "DSD:ERR:0001", "DSD:ERR:0002"])
def test_the_directorys_refusals_are_each_explained_in_each_language(code):
    texts = {}
    for language in ("en", "fr", "de"):
        with translation.override(language):
            texts[language] = directory_problem(code)
    assert all(texts.values()) and len(set(texts.values())) == 3

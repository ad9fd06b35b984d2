"""The exchange state machine and the processing of answers, driven through the services."""

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone

from exchanges import services
from exchanges.models import (
    Evidence,
    EvidenceRequest,
    ExchangeLog,
    ExchangeState,
    IncomingMessage,
    IncomingReason,
    IncomingState,
    OutgoingMessage,
    OutgoingState,
)
from oots_client.access_point import PartyId
from oots_client.edm import ResponseStatus, parse_message
from tests.exchanges.factories import error_answer, evidence_answer, make_exchange

pytestmark = pytest.mark.django_db


def _requested(django_capture_on_commit_callbacks):
    exchange = make_exchange()
    with django_capture_on_commit_callbacks() as callbacks:
        services.evidence_request_give_explicit_request(evidence_request=exchange)
    return exchange, callbacks


def _receive(message):
    incoming, _ = services.incoming_announce(ebms_message_id=message.header.message_id, source="test")
    return services.incoming_process(incoming=incoming, message=message)


def test_a_new_exchange_is_a_draft_and_nothing_is_sent(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        exchange = make_exchange()
    assert exchange.state == ExchangeState.DRAFT
    assert not exchange.outgoing.exists()
    assert callbacks == []


def test_the_explicit_request_is_recorded_and_one_send_is_queued(django_capture_on_commit_callbacks):
    exchange, callbacks = _requested(django_capture_on_commit_callbacks)
    assert exchange.state == ExchangeState.REQUESTED
    assert exchange.explicit_request_at is not None
    assert exchange.deadline > timezone.now()
    assert exchange.outgoing.count() == 1
    assert len(callbacks) == 1


def test_the_explicit_request_cannot_be_given_twice(django_capture_on_commit_callbacks):
    exchange, _ = _requested(django_capture_on_commit_callbacks)
    with pytest.raises(services.TransitionRefused):
        services.evidence_request_give_explicit_request(evidence_request=exchange)
    assert exchange.outgoing.count() == 1


def test_a_message_is_claimed_by_one_worker_only(django_capture_on_commit_callbacks):
    exchange, _ = _requested(django_capture_on_commit_callbacks)
    outgoing = exchange.outgoing.get()
    assert services.outgoing_claim(outgoing_id=outgoing.pk) is not None
    assert services.outgoing_claim(outgoing_id=outgoing.pk) is None


def test_an_abandoned_claim_is_taken_over(django_capture_on_commit_callbacks, settings):
    exchange, _ = _requested(django_capture_on_commit_callbacks)
    outgoing = exchange.outgoing.get()
    services.outgoing_claim(outgoing_id=outgoing.pk)
    OutgoingMessage.objects.filter(pk=outgoing.pk).update(claimed_at=timezone.now() - dt.timedelta(hours=1))
    again = services.outgoing_claim(outgoing_id=outgoing.pk)
    assert again is not None and again.attempts == 2
    assert outgoing.pk in services.outgoing_due() or again.state == OutgoingState.SENDING


def test_the_built_request_is_valid_edm_of_the_providers_version_and_is_reused_on_retry(
    django_capture_on_commit_callbacks,
):
    exchange, _ = _requested(django_capture_on_commit_callbacks)
    outgoing = services.outgoing_claim(outgoing_id=exchange.outgoing.get().pk)
    payload = services.outgoing_payload(outgoing=outgoing)
    parsed = parse_message(payload)
    assert (parsed.kind, parsed.version, parsed.request_id) == (
        "request",
        "oots-edm:v1.2",
        outgoing.request_id,
    )
    assert parsed.request.explicit_request_given is True
    assert services.outgoing_payload(outgoing=OutgoingMessage.objects.get(pk=outgoing.pk)) == payload


def test_submission_moves_the_exchange_to_sent_and_logs_the_message(django_capture_on_commit_callbacks):
    exchange, _ = _requested(django_capture_on_commit_callbacks)
    outgoing = services.outgoing_claim(outgoing_id=exchange.outgoing.get().pk)
    payload = services.outgoing_payload(outgoing=outgoing)
    services.outgoing_submitted(outgoing=outgoing, payload=payload, domibus_id=outgoing.ebms_message_id)
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.SENT
    entry = ExchangeLog.objects.get(event="request_submitted")
    assert entry.ebms_message_id == outgoing.ebms_message_id
    assert entry.payload_size == len(payload) and len(entry.payload_sha256) == 64


def _sent(django_capture_on_commit_callbacks):
    exchange, _ = _requested(django_capture_on_commit_callbacks)
    outgoing = services.outgoing_claim(outgoing_id=exchange.outgoing.get().pk)
    services.outgoing_submitted(
        outgoing=outgoing, payload=services.outgoing_payload(outgoing=outgoing), domibus_id="x"
    )
    exchange.refresh_from_db()
    return exchange, OutgoingMessage.objects.get(pk=outgoing.pk)


def test_a_request_is_sent_on_behalf_of_the_requester_it_names(django_capture_on_commit_callbacks):
    exchange, _ = _requested(django_capture_on_commit_callbacks)
    outgoing = services.outgoing_claim(outgoing_id=exchange.outgoing.get().pk)
    message = services.outgoing_as_message(
        outgoing=outgoing, payload=services.outgoing_payload(outgoing=outgoing), own_party=PartyId("AP_BE_01")
    )
    # The request's EvidenceRequester (oots_client.edm.examples.REQUESTER), whatever the procedure's settings.
    assert message.header.original_sender == PartyId("NL222332239", "urn:cef.eu:names:identifier:EAS:0190")
    assert message.header.final_recipient == PartyId(exchange.provider_identifier, exchange.provider_scheme)


def test_evidence_is_stored_with_its_attachments(django_capture_on_commit_callbacks):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    assert _receive(evidence_answer(outgoing, evidences=2)) == "received"
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.RECEIVED
    stored = list(Evidence.objects.filter(evidence_request=exchange).order_by("title"))
    assert [e.title for e in stored] == ["Certificate of Birth 0", "Certificate of Birth 1"]
    with stored[0].file.open("rb") as handle:
        assert handle.read().startswith(b"%PDF")
    assert stored[0].media_type == "application/pdf"


def test_the_same_message_delivered_twice_is_processed_once(django_capture_on_commit_callbacks):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    message = evidence_answer(outgoing)
    assert _receive(message) == "received"
    assert _receive(message) == "duplicate"
    assert Evidence.objects.filter(evidence_request=exchange).count() == 1


def test_preview_required_records_where_to_send_the_user(django_capture_on_commit_callbacks):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    _receive(error_answer(outgoing, preview_location="https://provider.example/preview/abc"))
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.PREVIEW_REQUIRED
    assert (exchange.preview_location, exchange.preview_method) == (
        "https://provider.example/preview/abc",
        "GET",
    )
    assert exchange.preview_description == "Please check your birth certificate"


def test_after_the_preview_a_second_request_carries_the_preview_location(django_capture_on_commit_callbacks):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    _receive(error_answer(outgoing, preview_location="https://provider.example/preview/abc"))
    exchange.refresh_from_db()
    with django_capture_on_commit_callbacks() as callbacks:
        services.evidence_request_after_preview(evidence_request=exchange)
    assert exchange.state == ExchangeState.AWAITING_RESPONSE and len(callbacks) == 1
    second = exchange.outgoing.exclude(pk=outgoing.pk).get()
    assert second.request_id != outgoing.request_id
    claimed = services.outgoing_claim(outgoing_id=second.pk)
    parsed = parse_message(services.outgoing_payload(outgoing=claimed))
    assert parsed.request.preview_location == "https://provider.example/preview/abc"

    # A late answer to the first request is refused (not the latest request); the second one's counts.
    assert _receive(evidence_answer(outgoing)) == "refused: stale_request"
    assert _receive(evidence_answer(second)) == "received"


def test_not_found_fails_the_exchange_with_the_providers_code(django_capture_on_commit_callbacks):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    _receive(error_answer(outgoing, code="EDM:ERR:0004"))
    exchange.refresh_from_db()
    assert (exchange.state, exchange.error_code) == (ExchangeState.FAILED, "EDM:ERR:0004")


def test_unavailable_waits_and_extends_the_deadline(django_capture_on_commit_callbacks):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    later = timezone.now() + dt.timedelta(hours=5)
    _receive(
        evidence_answer(outgoing, status=ResponseStatus.UNAVAILABLE, available=later.replace(microsecond=0))
    )
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.AWAITING_RESPONSE
    assert exchange.deadline > later
    assert _receive(evidence_answer(outgoing)) == "received"


def test_an_empty_success_means_no_evidence(django_capture_on_commit_callbacks):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    _receive(evidence_answer(outgoing, evidences=0))
    exchange.refresh_from_db()
    assert (exchange.state, exchange.error_code) == (ExchangeState.FAILED, "NO_EVIDENCE")


def test_a_malformed_answer_is_refused_and_leaves_the_exchange_waiting(django_capture_on_commit_callbacks):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    message = evidence_answer(outgoing)
    broken = type(message)(
        header=message.header,
        payloads=(
            type(message.payloads[0])(message.payloads[0].cid, "application/x-ebrs+xml", b"<query:Qu"),
        ),
    )
    assert _receive(broken) == "refused: unreadable"
    exchange.refresh_from_db()
    assert (exchange.state, exchange.error_code) == (ExchangeState.SENT, "")
    incoming = IncomingMessage.objects.get()
    assert (incoming.state, incoming.reason, incoming.evidence_request) == (
        IncomingState.REFUSED,
        IncomingReason.UNREADABLE,
        exchange,
    )


def test_an_answer_for_no_known_exchange_is_refused(django_capture_on_commit_callbacks):
    _exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    message = evidence_answer(outgoing)
    stranger = type(message)(
        header=type(message.header)(**{**_fields(message.header), "conversation_id": "unknown"}),
        payloads=message.payloads,
    )
    OutgoingMessage.objects.filter(pk=outgoing.pk).update(request_id="urn:uuid:other")
    assert _receive(stranger) == "refused: unknown_exchange"
    assert IncomingMessage.objects.get().state == IncomingState.REFUSED
    entry = ExchangeLog.objects.get(event="message_received")
    assert (entry.outcome, entry.reason, entry.conversation_id) == ("refused", "unknown_exchange", "unknown")


def _fields(header):
    return {name: getattr(header, name) for name in header.__dataclass_fields__}


def test_the_deadline_sweep_times_out_unanswered_exchanges(django_capture_on_commit_callbacks):
    exchange, _ = _sent(django_capture_on_commit_callbacks)
    assert services.exchanges_time_out(now=timezone.now()) == 0
    assert services.exchanges_time_out(now=exchange.deadline + dt.timedelta(seconds=1)) == 1
    exchange.refresh_from_db()
    assert (exchange.state, exchange.error_code) == (ExchangeState.TIMED_OUT, "TIMEOUT")


def test_a_transient_failure_is_retried_later_then_given_up(django_capture_on_commit_callbacks, settings):
    settings.OOTS_SEND_MAX_ATTEMPTS = 2
    exchange, _ = _requested(django_capture_on_commit_callbacks)
    outgoing = services.outgoing_claim(outgoing_id=exchange.outgoing.get().pk)
    assert services.outgoing_retry_later(outgoing=outgoing, error="503") is not None
    outgoing = services.outgoing_claim(outgoing_id=outgoing.pk)
    assert services.outgoing_retry_later(outgoing=outgoing, error="503") is None
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.FAILED


def test_old_exchange_logs_are_purged_after_the_retention_period(
    django_capture_on_commit_callbacks, settings
):
    _sent(django_capture_on_commit_callbacks)
    count = ExchangeLog.objects.count()
    assert services.exchange_logs_purge(now=timezone.now() + dt.timedelta(days=364)) == 0
    assert services.exchange_logs_purge(now=timezone.now() + dt.timedelta(days=366)) == count


def test_purging_exchanges_deletes_their_evidence_and_request_but_keeps_them_and_their_log(
    django_capture_on_commit_callbacks,
):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    _receive(evidence_answer(outgoing))
    other, _ = _sent(django_capture_on_commit_callbacks)
    path = Evidence.objects.get().file.path
    log = ExchangeLog.objects.filter(evidence_request=exchange).count()

    assert (
        services.evidence_requests_purge(evidence_requests=EvidenceRequest.objects.filter(pk=exchange.pk))
        == 1
    )

    exchange.refresh_from_db()
    assert exchange.request_content == {}
    assert OutgoingMessage.objects.get(pk=outgoing.pk).payload is None
    assert not Evidence.objects.exists()
    assert not Path(path).exists()
    assert ExchangeLog.objects.filter(evidence_request=exchange).count() == log
    other.refresh_from_db()
    assert other.request_content != {}  # only the exchanges named are purged

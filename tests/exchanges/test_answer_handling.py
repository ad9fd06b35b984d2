"""How the engine treats answers and sent requests beyond the checks (issue 13 items 2, 3 and 5), through
the services: what validation findings do, files on a rolled-back transaction, bounded attempts, the orphan
sweep, bounded retries, the status checks of unacknowledged requests, the receipts."""

from __future__ import annotations

import base64
import datetime as dt
import os
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from lxml import etree

from exchanges import services
from exchanges.models import (
    Evidence,
    ExchangeLog,
    ExchangeState,
    IncomingMessage,
    IncomingReason,
    IncomingState,
    OutgoingMessage,
)
from oots_client.access_point import MessageError, MessageStatus, soap
from oots_client.edm import Finding
from tests.exchanges.factories import evidence_answer, make_exchange

pytestmark = pytest.mark.django_db


def _sent(django_capture_on_commit_callbacks, **kwargs):  # type: ignore[no-untyped-def]
    exchange = make_exchange(**kwargs)
    with django_capture_on_commit_callbacks():
        services.evidence_request_give_explicit_request(evidence_request=exchange)
    outgoing = services.outgoing_claim(outgoing_id=exchange.outgoing.get().pk)
    services.outgoing_submitted(
        outgoing=outgoing, payload=services.outgoing_payload(outgoing=outgoing), domibus_id="x"
    )
    exchange.refresh_from_db()
    return exchange, OutgoingMessage.objects.get(pk=outgoing.pk)


def _receive(message):  # type: ignore[no-untyped-def]
    incoming, _ = services.incoming_announce(ebms_message_id=message.header.message_id, source="test")
    return services.incoming_process(incoming=incoming, message=message)


def _files(exchange) -> list[Path]:  # type: ignore[no-untyped-def]
    folder = Path(default_storage.path(f"evidence/{exchange.public_id}"))
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# --- validation findings (item 3) ----------------------------------------------------------------------


@pytest.fixture
def edm_v1_0() -> str:
    """EDM 1.0 has the official Schematron (shipped with oots_client, run by default): the example provider
    (no Agent/Classification) breaks R-EDM-RESP-C010 in an answer that is otherwise right."""
    return "oots-edm:v1.0"


def test_schematron_findings_on_an_answer_are_reported_and_it_is_used_by_default(
    django_capture_on_commit_callbacks, edm_v1_0
):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks, version=edm_v1_0)
    assert _receive(evidence_answer(outgoing)) == "received"
    entry = ExchangeLog.objects.get(evidence_request=exchange, event="message_received")
    assert "R-EDM-RESP-C010" in {finding["rule_id"] for finding in entry.findings}
    assert {"source": "schematron", "severity": "error"}.items() <= next(
        f for f in entry.findings if f["rule_id"] == "R-EDM-RESP-C010"
    ).items()


def test_schematron_findings_refuse_the_answer_when_the_setting_says_so(
    django_capture_on_commit_callbacks, edm_v1_0, settings
):
    settings.OOTS_INCOMING_SCHEMATRON = "refuse"
    exchange, outgoing = _sent(django_capture_on_commit_callbacks, version=edm_v1_0)
    assert _receive(evidence_answer(outgoing)) == "refused: invalid"
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.SENT and not _files(exchange)
    entry = ExchangeLog.objects.get(evidence_request=exchange, event="message_received")
    assert "R-EDM-RESP-C010" in entry.detail and entry.findings


def test_the_sent_requests_findings_are_kept_with_its_log_entry(django_capture_on_commit_callbacks):
    exchange, _ = _sent(django_capture_on_commit_callbacks)
    entry = ExchangeLog.objects.get(evidence_request=exchange, event="request_submitted")
    assert isinstance(entry.findings, list)
    assert all(finding["severity"] != "error" for finding in entry.findings)


def test_findings_keep_no_value_of_the_message():
    finding = Finding(
        "XSD",
        "Element 'sdg:Identifier': [facet 'pattern'] The value 'DE/NL/123456789' is not accepted.",
        "line 3",
        "xsd",
    )
    [kept] = services.findings_for_log([finding])
    assert "123456789" not in kept["message"] and "The value '…'" in kept["message"]


# --- files and attempts (item 2) ----------------------------------------------------------------------


def test_a_transaction_that_rolls_back_leaves_no_evidence_file(
    django_capture_on_commit_callbacks, monkeypatch
):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    real = services._transition

    def crash_on_receipt(evidence_request, *, from_states, to_state, **fields):  # type: ignore[no-untyped-def]
        if to_state == ExchangeState.RECEIVED:
            assert _files(exchange), "the files are written before the state changes"
            raise RuntimeError("the database went away")
        return real(evidence_request, from_states=from_states, to_state=to_state, **fields)

    monkeypatch.setattr(services, "_transition", crash_on_receipt)
    with pytest.raises(RuntimeError):
        _receive(evidence_answer(outgoing, evidences=2))
    assert _files(exchange) == []
    assert not Evidence.objects.exists()
    assert IncomingMessage.objects.get().state == IncomingState.NOTIFIED  # to be tried again
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.SENT


def test_a_message_that_keeps_failing_is_refused_after_the_last_attempt(settings):
    settings.OOTS_INCOMING_MAX_ATTEMPTS = 2
    stale = timezone.now() - dt.timedelta(seconds=settings.OOTS_SEND_CLAIM_TIMEOUT + 1)
    for _ in range(2):  # each claim's processing "crashed": the claim is left to go stale
        assert services.incoming_claim(ebms_message_id="m@p") is not None
        IncomingMessage.objects.update(claimed_at=stale)
    assert services.incoming_claim(ebms_message_id="m@p") is None
    incoming = IncomingMessage.objects.get()
    assert (incoming.state, incoming.reason, incoming.attempts) == (
        IncomingState.REFUSED,
        IncomingReason.PROCESSING_FAILED,
        3,
    )
    assert services.incoming_claim(ebms_message_id="m@p") is None  # never taken again


def _aged(name: str, hours: float) -> None:
    old = (timezone.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(default_storage.path(name), (old, old))


def test_the_daily_sweep_removes_old_evidence_files_that_no_row_references(
    django_capture_on_commit_callbacks,
):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    _receive(evidence_answer(outgoing))
    kept = Evidence.objects.get().file.name
    orphan = default_storage.save(f"evidence/{exchange.public_id}/orphan", ContentFile(b"%PDF-"))
    young = default_storage.save("evidence/deleted-exchange/young", ContentFile(b"%PDF-"))
    for name in (kept, orphan):
        _aged(name, hours=2)
    assert services.evidence_files_orphaned_remove() == 1
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept)
    assert default_storage.exists(young)  # its row may be about to commit


# --- retries (item 2) ------------------------------------------------------------------------------------


def test_a_failed_exchange_may_be_retried_a_bounded_number_of_times_an_hour(
    django_capture_on_commit_callbacks, settings
):
    settings.OOTS_EXCHANGE_RETRIES_PER_HOUR = 2
    first = make_exchange()
    application = first.application
    with django_capture_on_commit_callbacks():
        services.evidence_request_give_explicit_request(evidence_request=first)
        for _ in range(2):
            services.evidence_request_retry_check(evidence_request=first)
            retry = make_exchange(application=application)
            services.evidence_request_give_explicit_request(evidence_request=retry)
    with pytest.raises(services.RetryLimitReached):
        services.evidence_request_retry_check(evidence_request=first)
    later = timezone.now() + dt.timedelta(hours=1, seconds=1)
    services.evidence_request_retry_check(evidence_request=first, now=later)  # an hour on: allowed again
    other = make_exchange()  # another application: its own count
    services.evidence_request_retry_check(evidence_request=other)


# --- status checks and receipts (item 5) --------------------------------------------------------------


def test_a_request_without_receipt_is_asked_about_after_the_delay_once_per_check(
    django_capture_on_commit_callbacks, settings
):
    settings.OOTS_SEND_STATUS_AFTER_SECONDS = 30
    _, outgoing = _sent(django_capture_on_commit_callbacks)
    now = timezone.now()
    assert services.outgoing_status_due(now=now) == []
    later = now + dt.timedelta(seconds=31)
    assert services.outgoing_status_due(now=later) == [outgoing.pk]
    assert services.outgoing_status_claim(outgoing_id=outgoing.pk, now=later) is not None
    assert services.outgoing_status_claim(outgoing_id=outgoing.pk, now=later) is None  # a check run twice
    outgoing.refresh_from_db()
    assert outgoing.next_status_check_at == later + dt.timedelta(seconds=60)  # then a doubling delay


def test_a_send_failure_found_by_the_status_check_fails_the_exchange_with_domibus_errors(
    django_capture_on_commit_callbacks,
):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    error = MessageError(
        code="EBMS_0005",
        detail="The access point of party [AP_DE_01] could not be reached",
        message_id=outgoing.ebms_message_id,
        msh_role="SENDING",
    )
    assert (
        services.outgoing_status_record(outgoing=outgoing, status=MessageStatus.SEND_FAILURE, errors=[error])
        == "failed"
    )
    exchange.refresh_from_db()
    assert (exchange.state, exchange.error_code) == (ExchangeState.FAILED, "AS4_DELIVERY_FAILED")
    assert "EBMS_0005" in exchange.error_message
    entry = ExchangeLog.objects.get(evidence_request=exchange, event="status_checked")
    assert (entry.outcome, entry.detail) == ("SEND_FAILURE", "EBMS_0005 " + error.detail)


def test_an_acknowledged_request_needs_no_more_checks(django_capture_on_commit_callbacks):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    assert (
        services.outgoing_status_record(outgoing=outgoing, status=MessageStatus.ACKNOWLEDGED) == "delivered"
    )
    outgoing.refresh_from_db()
    assert outgoing.delivered_at is not None and outgoing.access_point_status == "ACKNOWLEDGED"
    assert services.outgoing_status_due(now=timezone.now() + dt.timedelta(hours=1)) == []
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.SENT


def test_a_request_still_on_its_way_is_checked_again_later(django_capture_on_commit_callbacks):
    exchange, outgoing = _sent(django_capture_on_commit_callbacks)
    assert (
        services.outgoing_status_record(outgoing=outgoing, status=MessageStatus.WAITING_FOR_RETRY)
        == "pending"
    )
    outgoing.refresh_from_db()
    assert outgoing.delivered_at is None and outgoing.next_status_check_at is not None
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.SENT


def test_an_answer_is_a_receipt_for_its_request(django_capture_on_commit_callbacks):
    _, outgoing = _sent(django_capture_on_commit_callbacks)
    _receive(evidence_answer(outgoing))
    outgoing.refresh_from_db()
    assert outgoing.delivered_at is not None


def _notification(operation: str, message_id: str, **extra: str) -> bytes:
    element = etree.Element(f"{{eu.domibus}}{operation}", nsmap={"ns": "eu.domibus"})
    etree.SubElement(element, "messageID").text = message_id
    for name, value in extra.items():
        etree.SubElement(element, name).text = value
    return soap.envelope(element)


@pytest.mark.parametrize(
    ("operation", "extra"),
    [("sendSuccess", {}), ("messageStatusChange", {"messageStatus": "ACKNOWLEDGED"})],
)
def test_domibus_pushing_the_receipt_marks_the_request_delivered(
    client, django_capture_on_commit_callbacks, operation, extra
):
    _, outgoing = _sent(django_capture_on_commit_callbacks)
    token = base64.b64encode(b"domibus:backend-demo-password").decode()
    response = client.post(
        "/oots/backend/",
        _notification(operation, outgoing.ebms_message_id, **extra),
        content_type=soap.SOAP_CONTENT_TYPE,
        headers={"authorization": f"Basic {token}"},
    )
    assert response.status_code == 200
    outgoing.refresh_from_db()
    assert outgoing.delivered_at is not None and outgoing.next_status_check_at is None

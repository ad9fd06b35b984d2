"""The audit trail (docs/audit.md): the explicit request recorded with what the citizen saw, the subject's
pseudonymous reference kept when the draft goes, the hash chain that ``oots_audit verify`` checks, the
export, the purge after the retention period."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from exchanges import services
from exchanges.audit import chain_verify, entry_hash, subject_reference
from exchanges.models import (
    EvidenceRequest,
    ExchangeLog,
    ExchangeState,
    ExplicitRequest,
)
from oots_client.edm.examples import PERSON
from procedures.journey_services import journey_request
from procedures.models import Application, Procedure, Requirement
from procedures.services import application_discard
from tests.exchanges.factories import error_answer, make_exchange
from tests.factories import make_citizen, make_evidence_item
from tests.procedures import test_journey as journey_tests

pytestmark = pytest.mark.django_db

EIDAS_ID = PERSON.identifier.value  # DE/NL/123456789, the example request's subject


def _draft_with_requirement(user=None, code: str = "T2") -> tuple[Application, EvidenceRequest]:  # type: ignore[no-untyped-def]
    procedure = Procedure.objects.get(code=code)
    requirement = Requirement.objects.create(
        procedure=procedure,
        identifier="https://sr.oots.tech.ec.europa.eu/requirements/315cfd75-6605-49c4-b0fe-799833b41099",
        name="Proof of birth",
    )
    application = Application.objects.create(user=user or make_citizen(), procedure=procedure)
    exchange = make_exchange(application=application)
    EvidenceRequest.objects.filter(pk=exchange.pk).update(requirement=requirement)
    exchange.refresh_from_db()
    return application, exchange


def _requested(django_capture_on_commit_callbacks, language: str = "fr") -> EvidenceRequest:
    application, exchange = _draft_with_requirement()
    with translation.override(language), django_capture_on_commit_callbacks():
        assert journey_request(application=application, exchanges=[exchange]) == 1
    exchange.refresh_from_db()
    return exchange


def _run(*args: str) -> str:
    """``manage.py oots_audit …``; its output (a broken chain raises CommandError, exit status 1)."""
    from io import StringIO

    out = StringIO()
    call_command("oots_audit", *args, stdout=out)
    return out.getvalue()


def _sql(statement: str, params: list[object]) -> None:
    """An auditor's adversary: someone who writes to the database directly, past the application."""
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


# --- The explicit request -------------------------------------------------------------------------------


def test_the_explicit_request_is_recorded_with_what_the_citizen_saw(django_capture_on_commit_callbacks):
    exchange = _requested(django_capture_on_commit_callbacks, language="fr")
    record = ExplicitRequest.objects.get(evidence_request=exchange)
    requirement = exchange.requirement
    assert record.given_at == exchange.explicit_request_at
    assert record.language == "fr"
    assert (record.evidence_type_title, record.evidence_type_classification) == (
        exchange.evidence_type_title,
        exchange.evidence_type_classification,
    )
    assert record.evidence_type_identifier  # the Directory's id of the evidence type
    assert (record.provider_identifier, record.provider_scheme, record.provider_name) == (
        exchange.provider_identifier,
        exchange.provider_scheme,
        exchange.provider_name,
    )
    assert (record.requirement_identifier, record.requirement_name) == (
        requirement.identifier,
        requirement.name,
    )
    assert record.preview_possible is True and record.preview_decision == ""
    assert record.subject_reference == subject_reference(EIDAS_ID) == exchange.subject_reference
    # Its chained twin says the same, so that a changed record is detected.
    assert record.log_entry.event == "explicit_request"
    assert record.log_entry.facts == record.facts()
    assert record.log_entry.facts["provider"]["name"] == exchange.provider_name


def _preview_required(django_capture_on_commit_callbacks) -> EvidenceRequest:
    """A requested exchange whose provider answered that the citizen must preview the evidence first."""
    exchange = _requested(django_capture_on_commit_callbacks)
    outgoing = services.outgoing_claim(outgoing_id=exchange.outgoing.get().pk)
    services.outgoing_submitted(
        outgoing=outgoing, payload=services.outgoing_payload(outgoing=outgoing), domibus_id="x"
    )
    message = error_answer(outgoing, preview_location="https://provider.example/preview/abc")
    incoming, _ = services.incoming_announce(ebms_message_id=message.header.message_id, source="test")
    services.incoming_process(incoming=incoming, message=message)
    exchange.refresh_from_db()
    assert exchange.state == ExchangeState.PREVIEW_REQUIRED
    return exchange


def test_the_request_page_records_the_language_it_was_read_in(django_capture_on_commit_callbacks):
    client, user = journey_tests._citizen_client()
    application, exchange = _draft_with_requirement(user, code="R1")
    make_evidence_item(application, exchange.requirement, exchange=exchange)
    url = reverse("procedures:journey_step", args=[application.reference, "request"])
    assert exchange.evidence_type_title in client.get(url, headers={"accept-language": "de"}).content.decode()
    with django_capture_on_commit_callbacks():
        answer = client.post(url, headers={"accept-language": "de"})
    assert answer.status_code == 302
    record = ExplicitRequest.objects.get(evidence_request=exchange)
    assert record.language == "de" and record.requirement_name == "Proof of birth"


def test_the_citizens_preview_decision_is_added_to_the_record(django_capture_on_commit_callbacks):
    exchange = _preview_required(django_capture_on_commit_callbacks)
    record = ExplicitRequest.objects.get(evidence_request=exchange)
    assert record.preview_required_at is not None and record.preview_decision == ""
    with django_capture_on_commit_callbacks():
        services.evidence_request_after_preview(evidence_request=exchange)
    record.refresh_from_db()
    assert record.preview_decision == "continued" and record.preview_decided_at is not None
    assert chain_verify().ok


def test_a_declined_preview_is_recorded_as_declined(django_capture_on_commit_callbacks):
    exchange = _preview_required(django_capture_on_commit_callbacks)
    services.evidence_request_decline(evidence_request=exchange)
    assert ExplicitRequest.objects.get(evidence_request=exchange).preview_decision == "declined"


def test_a_preview_never_come_back_from_is_recorded_as_expired(django_capture_on_commit_callbacks):
    exchange = _preview_required(django_capture_on_commit_callbacks)
    assert services.exchanges_time_out(now=exchange.deadline + dt.timedelta(seconds=1)) == 1
    assert ExplicitRequest.objects.get(evidence_request=exchange).preview_decision == "expired"


# --- The subject's reference ----------------------------------------------------------------------------


def test_the_subject_reference_is_a_keyed_hash_of_the_eidas_identifier(settings):
    settings.OOTS_AUDIT_SUBJECT_KEY = "k" * 40
    reference = subject_reference(EIDAS_ID)
    assert len(reference) == 64 and EIDAS_ID not in reference
    assert reference != hashlib.sha256(EIDAS_ID.encode()).hexdigest()  # not guessable without the key
    assert subject_reference(EIDAS_ID) == reference
    settings.OOTS_AUDIT_SUBJECT_KEY = "j" * 40
    assert subject_reference(EIDAS_ID) != reference
    assert _run("reference", EIDAS_ID).strip() == subject_reference(EIDAS_ID)


def test_a_discarded_draft_leaves_who_asked_whom_for_what(django_capture_on_commit_callbacks):
    exchange = _requested(django_capture_on_commit_callbacks)
    public_id, conversation_id = exchange.public_id, exchange.conversation_id
    application_discard(application=exchange.application)
    assert not EvidenceRequest.objects.filter(public_id=public_id).exists()
    record = ExplicitRequest.objects.get(exchange_public_id=public_id)
    assert record.evidence_request is None and record.conversation_id == conversation_id
    assert record.subject_reference == subject_reference(EIDAS_ID)
    entries = ExchangeLog.objects.filter(exchange_public_id=public_id)
    assert {e.event for e in entries} >= {"created", "explicit_request", "discarded"}
    assert {e.subject_reference for e in entries} == {subject_reference(EIDAS_ID)}
    assert chain_verify().ok


def test_deleting_the_application_does_not_delete_the_audit_trail(django_capture_on_commit_callbacks):
    exchange = _requested(django_capture_on_commit_callbacks)
    entries = ExchangeLog.objects.count()
    exchange.application.delete()
    assert ExplicitRequest.objects.filter(exchange_public_id=exchange.public_id).exists()
    assert ExchangeLog.objects.count() == entries
    assert chain_verify().ok


# --- The chain ------------------------------------------------------------------------------------------


def test_every_log_entry_is_chained_to_the_previous_one(django_capture_on_commit_callbacks):
    _requested(django_capture_on_commit_callbacks)
    make_exchange()
    entries = list(ExchangeLog.objects.order_by("sequence"))
    assert [e.sequence for e in entries] == list(range(1, len(entries) + 1))
    for previous, entry in itertools.pairwise(entries):
        assert entry.previous_hash == previous.entry_hash
    assert "audit trail intact" in _run("verify")


def _three_entries() -> list[ExchangeLog]:
    exchange = make_exchange()
    for event in ("one", "two"):
        services.exchange_log(evidence_request=exchange, direction="event", event=event)
    return list(ExchangeLog.objects.order_by("sequence"))


def _broken(match: str) -> None:
    with pytest.raises(CommandError, match=match) as failure:
        _run("verify")
    assert failure.value.returncode == 1


def test_verify_fails_naming_an_altered_entry():
    entries = _three_entries()
    _sql("UPDATE exchanges_exchangelog SET outcome = 'received' WHERE id = %s", [entries[1].pk])
    _broken(f"entry #{entries[1].sequence} \\(id {entries[1].pk}.*altered")


def test_verify_fails_on_an_entry_rewritten_with_a_fresh_hash():
    entries = _three_entries()
    forged = entries[1]
    forged.outcome = "received"
    from exchanges.audit import _content

    forged.entry_hash = entry_hash(forged.previous_hash, _content(forged))
    _sql(
        "UPDATE exchanges_exchangelog SET outcome = %s, entry_hash = %s WHERE id = %s",
        [forged.outcome, forged.entry_hash, forged.pk],
    )
    _broken(f"entry #{entries[2].sequence} .* does not follow entry #{forged.sequence}")


def test_verify_fails_naming_a_removed_entry():
    entries = _three_entries()
    _sql("DELETE FROM exchanges_exchangelog WHERE id = %s", [entries[1].pk])
    _broken(f"entry #{entries[1].sequence} is missing")


def test_verify_fails_when_the_last_entries_are_removed():
    entries = _three_entries()
    _sql("DELETE FROM exchanges_exchangelog WHERE id = %s", [entries[-1].pk])
    _broken("entries removed")


def test_verify_fails_on_an_inserted_entry():
    entries = _three_entries()
    # Room for a forged entry after the first: the later ones renumbered, the forgery well hashed itself.
    _sql("UPDATE exchanges_exchangelog SET sequence = sequence + 1000 WHERE sequence > 1", [])
    _sql("UPDATE exchanges_exchangelog SET sequence = sequence - 999 WHERE sequence > 1000", [])
    forged = ExchangeLog(
        direction="event",
        event="state",
        outcome="declined",
        sequence=2,
        previous_hash=entries[0].entry_hash,
        created_at=entries[0].created_at,
        exchange_public_id=uuid.uuid4(),
    )
    from exchanges.audit import _content

    forged.entry_hash = entry_hash(forged.previous_hash, _content(forged))
    forged.save()
    _broken(f"entry #3 \\(id {entries[1].pk}")


def test_verify_fails_when_an_explicit_request_record_is_changed(django_capture_on_commit_callbacks):
    exchange = _requested(django_capture_on_commit_callbacks)
    _sql(
        "UPDATE exchanges_explicitrequest SET provider_name = 'Another office' WHERE exchange_public_id = %s",
        [exchange.public_id],
    )
    _broken(f"explicit request of exchange {exchange.public_id}")


def test_verify_fails_when_an_explicit_request_record_is_removed(django_capture_on_commit_callbacks):
    exchange = _requested(django_capture_on_commit_callbacks)
    _sql("DELETE FROM exchanges_explicitrequest WHERE exchange_public_id = %s", [exchange.public_id])
    _broken("explicit request of entry #.* was removed")


# --- Retention ------------------------------------------------------------------------------------------


def test_the_purge_keeps_the_rest_of_the_chain_verifiable(django_capture_on_commit_callbacks):
    old = _requested(django_capture_on_commit_callbacks)
    old_entries = ExchangeLog.objects.count()
    ExchangeLog.objects.update(created_at=timezone.now() - dt.timedelta(days=400))  # hashes now wrong…
    # … so rebuild them as they would have been written then (the chain itself is not under test here).
    _rechain()
    recent = make_exchange()
    assert chain_verify().ok
    assert services.exchange_logs_purge() == old_entries
    assert not ExplicitRequest.objects.filter(exchange_public_id=old.public_id).exists()
    assert ExchangeLog.objects.filter(exchange_public_id=recent.public_id).exists()
    result = chain_verify()
    assert result.ok, result.problem
    purge = ExchangeLog.objects.get(event="audit_purged")
    assert purge.facts["through_sequence"] == old_entries
    # The checkpoint cannot be moved on to hide more entries: it must match a chained purge.
    _sql("UPDATE exchanges_auditcheckpoint SET sequence = sequence + 1", [])
    _broken("checkpoint")


def test_the_daily_purge_task_purges_the_chain(django_capture_on_commit_callbacks):
    from procedures.tasks import purge_expired_data

    _requested(django_capture_on_commit_callbacks)
    ExchangeLog.objects.update(created_at=timezone.now() - dt.timedelta(days=400))
    _rechain()
    assert purge_expired_data()["exchange_logs"] > 0
    assert chain_verify().ok


def _rechain() -> None:
    from exchanges.audit import GENESIS_HASH, _content
    from exchanges.models import AuditChainHead

    previous = GENESIS_HASH
    for entry in ExchangeLog.objects.order_by("sequence"):
        entry.previous_hash = previous
        entry.entry_hash = entry_hash(previous, _content(entry))
        entry.save(update_fields=["previous_hash", "entry_hash"])
        previous = entry.entry_hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=previous)


# --- Export ---------------------------------------------------------------------------------------------


def test_the_export_gives_the_periods_entries_as_json_lines_an_auditor_can_check(
    django_capture_on_commit_callbacks, tmp_path
):
    exchange = _requested(django_capture_on_commit_callbacks)
    today = timezone.now().date()
    target = tmp_path / "trail.jsonl"
    call_command("oots_audit", "export", "--from", str(today), "--to", str(today), "--output", str(target))
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [line["sequence"] for line in lines] == [
        e.sequence for e in ExchangeLog.objects.order_by("sequence")
    ]
    given = next(line for line in lines if line["event"] == "explicit_request")
    assert given["exchange"] == str(exchange.public_id)
    assert given["facts"]["evidence_type"]["title"] == exchange.evidence_type_title
    assert given["subject_reference"] == subject_reference(EIDAS_ID)
    # The file alone proves the chain: each line's hash over the line without its hashes.
    previous = lines[0]["previous_hash"]
    for line in lines:
        content = {k: v for k, v in line.items() if k not in ("previous_hash", "hash")}
        canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert line["previous_hash"] == previous
        assert hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest() == line["hash"]
        previous = line["hash"]


def test_the_export_is_limited_to_its_period_and_subject(django_capture_on_commit_callbacks):
    _requested(django_capture_on_commit_callbacks)
    yesterday = timezone.now().date() - dt.timedelta(days=1)
    assert _run("export", "--from", str(yesterday), "--to", str(yesterday)) == ""
    today = str(timezone.now().date())
    someone_else = _run("export", "--from", today, "--to", today, "--subject", subject_reference("XX/YY/1"))
    assert someone_else == ""
    theirs = _run("export", "--from", today, "--to", today, "--subject", subject_reference(EIDAS_ID))
    assert len(theirs.splitlines()) == ExchangeLog.objects.exclude(subject_reference="").count()


def test_an_exchange_of_the_runner_records_the_requests_own_requirement(django_capture_on_commit_callbacks):
    exchange = make_exchange()
    with translation.override("de"), django_capture_on_commit_callbacks():
        services.evidence_request_give_explicit_request(evidence_request=exchange)
    record = ExplicitRequest.objects.get(evidence_request=exchange)
    assert record.language == "de" and record.requirement_identifier.startswith("https://")


# --- Admin ----------------------------------------------------------------------------------------------


def test_an_operator_reads_the_explicit_requests_and_the_chain_in_the_admin(
    client, django_capture_on_commit_callbacks
):
    from django.contrib.auth import get_user_model

    exchange = _requested(django_capture_on_commit_callbacks)
    record = ExplicitRequest.objects.get(evidence_request=exchange)
    operator = get_user_model().objects.create_superuser("auditor", "auditor@example.org", "auditor-pw-1234")
    client.force_login(operator)
    listing = client.get(reverse("admin:exchanges_explicitrequest_changelist"))
    assert listing.status_code == 200 and exchange.provider_name in listing.content.decode()
    page = client.get(reverse("admin:exchanges_explicitrequest_change", args=[record.pk])).content.decode()
    assert record.subject_reference in page and "Proof of birth" in page
    entry = client.get(reverse("admin:exchanges_exchangelog_change", args=[record.log_entry_id]))
    assert record.log_entry.entry_hash in entry.content.decode()

"""Migrations of the audit chain: 0005 chains the log entries written before the audit trail in their order,
and the chain verifies from there on; 0006 (sealed after commit) seals the entries awaiting their seal before
it is undone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("exchanges", "0004_versions_error_exceptions_required_loa")]
AFTER = [("exchanges", "0005_audit_chain")]


@pytest.fixture
def executor(transactional_db):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    yield executor
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_the_entries_already_logged_become_the_start_of_the_chain(executor):
    old_log = executor.loader.project_state(BEFORE).apps.get_model("exchanges", "ExchangeLog")
    now = timezone.now()
    # Written out of time order on purpose: the chain follows the time they were written.
    for minutes, event in ((2, "third"), (0, "first"), (1, "second")):
        entry = old_log.objects.create(direction="event", event=event, findings=[{"rule_id": "R-1"}])
        old_log.objects.filter(pk=entry.pk).update(created_at=now + dt.timedelta(minutes=minutes))
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from exchanges.audit import chain_append, chain_verify
    from exchanges.models import ExchangeLog

    chained = list(ExchangeLog.objects.order_by("sequence").values_list("sequence", "event"))
    assert chained == [(1, "first"), (2, "second"), (3, "third")]
    chain_append(evidence_request=None, direction="event", event="after the migration")
    result = chain_verify()
    assert result.ok and result.checked == 4, result.problem


SEALED_AFTER_COMMIT = [("exchanges", "0006_audit_seal_after_commit")]


def test_going_back_before_the_seal_after_commit_seals_the_waiting_entries_first(executor):
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    from exchanges.audit import chain_append
    from exchanges.models import ExchangeLog

    chain_append(evidence_request=None, direction="event", event="sealed at once")
    ExchangeLog.objects.bulk_create(  # committed, their seal not run yet
        [ExchangeLog(direction="event", event=event) for event in ("waiting", "waiting too")]
    )
    executor.loader.build_graph()
    executor.migrate(AFTER)  # sequence NOT NULL again: possible only once they are sealed
    old_log = executor.loader.project_state(AFTER).apps.get_model("exchanges", "ExchangeLog")
    chained = list(old_log.objects.order_by("sequence").values_list("sequence", "event"))
    assert chained == [(1, "sealed at once"), (2, "waiting"), (3, "waiting too")]
    executor.loader.build_graph()
    executor.migrate(SEALED_AFTER_COMMIT)

    from exchanges.audit import chain_verify

    result = chain_verify()
    assert result.ok and result.checked == 3, result.problem

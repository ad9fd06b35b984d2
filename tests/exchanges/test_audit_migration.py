"""Migration 0005 of exchanges: the log entries written before the audit trail are chained in their order,
and the chain verifies from there on."""

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

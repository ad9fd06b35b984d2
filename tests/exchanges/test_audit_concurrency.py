"""Workers appending to the audit chain at once still make one chain (PostgreSQL: each append locks the
chain's head row until its transaction commits); ``manage.py oots_audit verify`` in a process of its own on
what they committed."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from exchanges.audit import chain_append, chain_verify
from exchanges.models import ExchangeLog

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgresql() -> None:
    if connection.vendor != "postgresql":
        reason = "the chain's concurrency needs PostgreSQL (DATABASE_URL); SQLite takes one writer at a time"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)


def _in_thread(work: Callable[[], None], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _append(event: str) -> ExchangeLog:
    return chain_append(evidence_request=None, direction="event", event=event)


def test_an_append_waits_for_the_one_before_it_to_commit():
    errors: list[BaseException] = []
    first_appended, first_may_commit = threading.Event(), threading.Event()

    def first() -> None:
        with transaction.atomic():
            _append("first")
            first_appended.set()
            assert first_may_commit.wait(30)

    def second() -> None:
        assert first_appended.wait(30)
        _append("second")

    threads = [_in_thread(first, errors), _in_thread(second, errors)]
    # The second append is blocked on the head row's lock while the first transaction is open.
    deadline = time.monotonic() + 30
    while not _someone_waits_for_a_lock():
        assert time.monotonic() < deadline, "the second append never waited for the first"
        time.sleep(0.01)
    first_may_commit.set()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    one, two = ExchangeLog.objects.order_by("sequence")
    assert (one.event, two.event) == ("first", "second")
    assert two.sequence == one.sequence + 1 and two.previous_hash == one.entry_hash
    assert chain_verify().ok


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query ILIKE %s",
            ["%exchanges_auditchainhead%"],
        )
        return cursor.fetchone()[0] > 0


def test_many_workers_appending_at_once_make_one_unbroken_chain():
    workers, appends = 4, 25
    start = threading.Barrier(workers)
    errors: list[BaseException] = []

    def worker(number: int) -> None:
        start.wait(30)
        for index in range(appends):
            with transaction.atomic():
                _append(f"w{number}-{index}")

    threads = [_in_thread(lambda n=n: worker(n), errors) for n in range(workers)]
    for thread in threads:
        thread.join(120)
    assert not errors, errors
    sequences = list(ExchangeLog.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, workers * appends + 1))
    result = chain_verify()
    assert result.ok and result.checked == workers * appends, result.problem


def test_manage_py_oots_audit_verify_exits_non_zero_after_an_entry_is_altered():
    """The command as an auditor runs it, in its own process, on the database the portal wrote."""
    import subprocess
    import sys

    from tests.conftest import REPO_ROOT

    for event in ("created", "state", "request_submitted"):
        _append(event)
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1"}

    def verify() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", "oots_audit", "verify"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    intact = verify()
    assert intact.returncode == 0 and "3 entries verified" in intact.stdout, intact.stderr
    second = ExchangeLog.objects.get(sequence=2)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE exchanges_exchangelog SET outcome = 'received' WHERE id = %s", [second.pk])
    broken = verify()
    assert broken.returncode == 1
    assert f"entry #2 (id {second.pk}" in broken.stderr and "altered" in broken.stderr


def test_verify_while_the_portal_appends_finds_the_chain_intact():
    """verify reads one snapshot: entries committed while it walks the chain are not taken for a break."""
    for index in range(300):
        _append(f"before-{index}")
    errors: list[BaseException] = []
    stop = threading.Event()

    def appender() -> None:
        while not stop.is_set():
            _append("meanwhile")

    thread = _in_thread(appender, errors)
    try:
        results = [chain_verify() for _ in range(15)]
    finally:
        stop.set()
        thread.join(60)
    assert not errors, errors
    assert [r.problem for r in results if not r.ok] == []
    assert ExchangeLog.objects.filter(event="meanwhile").exists()  # appends did happen meanwhile

"""Workers appending to the audit chain at once still make one chain (PostgreSQL: an append locks nothing
shared; the seal after its commit locks the chain's head row for one short transaction), and a long
transaction that appended holds up no one; ``manage.py oots_audit verify`` in a process of its own on what
they committed."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from exchanges.audit import chain_append, chain_seal, chain_verify
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


def test_an_entry_is_unsealed_until_its_transaction_commits_and_sealed_right_after():
    with transaction.atomic():
        entry = _append("inside")
        assert ExchangeLog.objects.get(pk=entry.pk).sequence is None  # its place is not taken yet
        assert (entry.previous_hash, entry.entry_hash) == ("", "")
    entry.refresh_from_db()  # the commit's callback sealed it
    assert entry.sequence == 1 and entry.entry_hash
    result = chain_verify()
    assert result.ok and result.checked == 1 and result.unsealed == 0, result.problem


def test_an_entry_rolled_back_leaves_no_gap():
    with pytest.raises(RuntimeError), transaction.atomic():
        _append("rolled back")
        raise RuntimeError("the caller's transaction fails")
    with transaction.atomic():  # the next transaction still registers its seal
        kept = _append("kept")
    kept.refresh_from_db()
    assert list(ExchangeLog.objects.values_list("sequence", "event")) == [(1, "kept")]
    assert chain_verify().ok


def test_the_head_is_not_locked_while_the_appending_transaction_is_still_open():
    """The point of sealing after commit: a long transaction that appended early holds up no one."""
    errors: list[BaseException] = []
    first_appended, second_done = threading.Event(), threading.Event()
    sealed_by_second: list[int] = []

    def first() -> None:
        with transaction.atomic():
            _append("first, in a long transaction")
            first_appended.set()
            assert second_done.wait(30), "the second append waited for the first transaction"

    def second() -> None:
        assert first_appended.wait(30)
        with connection.cursor() as cursor:  # fail rather than hang if the head were still locked
            cursor.execute("SET lock_timeout = '10s'")
        entry = _append("second, committed at once")
        sealed_by_second.append(entry.sequence)
        second_done.set()

    threads = [_in_thread(first, errors), _in_thread(second, errors)]
    assert second_done.wait(30), f"the second append did not complete while the first was open: {errors}"
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    # The second was committed and sealed first; the first was sealed after its own commit, next in line.
    assert sealed_by_second == [1]
    two, one = ExchangeLog.objects.order_by("sequence")
    assert (two.event, one.event) == ("second, committed at once", "first, in a long transaction")
    assert one.sequence == 2 and one.previous_hash == two.entry_hash
    result = chain_verify()
    assert result.ok and result.checked == 2, result.problem


def test_two_sealers_at_once_make_one_chain_without_gaps():
    ExchangeLog.objects.bulk_create(  # committed entries whose seal never ran (a crash in between)
        [ExchangeLog(direction="event", event=f"pending-{index}") for index in range(300)]
    )
    sealers = 2
    start = threading.Barrier(sealers)
    counts: list[int] = []
    errors: list[BaseException] = []

    def sealer() -> None:
        start.wait(30)
        counts.append(chain_seal())

    threads = [_in_thread(sealer, errors) for _ in range(sealers)]
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert sum(counts) == 300  # each entry sealed once, by one of them
    sequences = list(ExchangeLog.objects.order_by("sequence").values_list("sequence", flat=True))
    assert sequences == list(range(1, 301))
    result = chain_verify()
    assert result.ok and result.checked == 300, result.problem


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
    assert chain_seal() == 0  # each commit's own seal left nothing behind
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

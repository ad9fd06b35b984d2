"""Benchmark of the audit trail (issue 17 item 7): prints its figures; not a timed test.

Run: ``.venv/bin/python bench/audit.py`` beside a PostgreSQL (``DATABASE_URL`` names the server, default
``postgres://postgres@127.0.0.1:5432/postgres``). It makes a dedicated database ``oots_bench_<pid>``
(migrated, dropped at the end) and prints:

1. One writer: the wall time of a chained append (``exchanges.audit.chain_append``: lock the chain's head
   row, insert, move the head, commit) against a plain ``ExchangeLog`` insert (one INSERT and its commit, what
   the log cost before the chain), timed in alternating batches; the ratio is the median of per-round ratios,
   so that load on a shared machine hits both alike. Wall time, not CPU: the cost is database round trips.
2. ``--writers`` (4) threads appending at once, each append its own transaction: appends per second, chained
   against plain (the chain serialises appends on its lock; a plain insert does not wait for anyone).
3. ``oots_audit verify`` and ``export``: entries checked / written per second over what the run wrote.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.stack import _sql  # noqa: E402


def _databases() -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must name a PostgreSQL server (the chain's lock is PostgreSQL's)")
    admin = urlunsplit(parts._replace(path="/postgres"))
    return admin, urlunsplit(parts._replace(path=f"/oots_bench_{os.getpid()}"))


def interleaved(
    ours: Callable[[], object], bare: Callable[[], object], rounds: int, batch: int
) -> tuple[float, float, float]:
    """(ours ms, bare ms, median ratio ours/bare), each side timed in alternating batches."""
    for _ in range(50):
        ours(), bare()
    ours_times: list[float] = []
    bare_times: list[float] = []
    for _ in range(rounds):
        for operation, times in ((ours, ours_times), (bare, bare_times)):
            started = time.perf_counter()
            for _ in range(batch):
                operation()
            times.append((time.perf_counter() - started) / batch)
    ratio = statistics.median(o / b for o, b in zip(ours_times, bare_times, strict=True))
    return statistics.median(ours_times) * 1000, statistics.median(bare_times) * 1000, ratio


def concurrent_rate(operation: Callable[[], object], writers: int, each: int) -> float:
    """Operations per second with ``writers`` threads doing ``each`` operations at once."""
    from django.db import connections

    start = threading.Barrier(writers + 1)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            start.wait()
            for _ in range(each):
                operation()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(writers)]
    for thread in threads:
        thread.start()
    start.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return writers * each / elapsed


def measure(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from exchanges.audit import chain_append, chain_verify
    from exchanges.models import ExchangeLog

    call_command("migrate", "--no-input", "-v", "0")
    # Plain inserts take sequence numbers far above the chain's, so both can live in one table; they are
    # removed before the chain is verified.
    plain_numbers = itertools.count(10**12)
    lock = threading.Lock()

    def plain() -> None:
        with lock:
            number = next(plain_numbers)
        with transaction.atomic():  # its own transaction, as each chained append below
            ExchangeLog.objects.create(
                direction="event",
                event="state",
                outcome="sent",
                detail="requested → sent",
                sequence=number,
                previous_hash="",
                entry_hash="",
            )

    def chained() -> None:
        with transaction.atomic():
            chain_append(
                evidence_request=None,
                direction="event",
                event="state",
                outcome="sent",
                detail="requested → sent",
            )

    ours_ms, bare_ms, ratio = interleaved(chained, plain, args.rounds, args.batch)
    print(
        f"one writer: chained append {ours_ms:.3f} ms, plain ExchangeLog insert {bare_ms:.3f} ms, "
        f"ratio {ratio:.2f}x (median of {args.rounds} rounds of {args.batch})"
    )
    chained_rate = concurrent_rate(chained, args.writers, args.each)
    plain_rate = concurrent_rate(plain, args.writers, args.each)
    print(
        f"{args.writers} writers at once: chained {chained_rate:,.0f} appends/s, plain {plain_rate:,.0f} "
        f"inserts/s, ratio {plain_rate / chained_rate:.2f}x"
    )
    ExchangeLog.objects.filter(sequence__gte=10**12).delete()
    started = time.perf_counter()
    result = chain_verify()
    verify_s = time.perf_counter() - started
    assert result.ok, result.problem
    print(
        f"verify: {result.checked:,} entries in {verify_s:.2f} s ({result.checked / verify_s:,.0f}/s), intact"
    )
    today = time.strftime("%Y-%m-%d", time.gmtime())
    out = io.StringIO()
    started = time.perf_counter()
    call_command("oots_audit", "export", "--from", today, "--to", today, stdout=out)
    export_s = time.perf_counter() - started
    lines = out.getvalue().count("\n")
    print(f"export: {lines:,} JSON lines in {export_s:.2f} s ({lines / export_s:,.0f}/s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--writers", type=int, default=4)
    parser.add_argument("--each", type=int, default=250)
    args = parser.parse_args()
    admin, database = _databases()
    name = urlsplit(database).path[1:]
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": database,
            "DEBUG": "1",  # the demo subject key; nothing here is served
            "LOG_LEVEL": "WARNING",
            "OOTS_VAR_DIR": tempfile.mkdtemp(prefix="oots-bench-audit-"),
        }
    )
    _sql(admin, f'CREATE DATABASE "{name}"')
    try:
        measure(args)
    finally:
        from django.db import connections

        connections.close_all()
        _sql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()

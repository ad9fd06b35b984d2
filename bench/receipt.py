"""Benchmark of the receipt PDF (issue 14, item 7): prints its figures; not a timed test.

Run: ``.venv/bin/python bench/receipt.py`` (pinned to one core; about a minute). Each variant runs in fresh
processes (``--processes``, 3), as a new gunicorn worker would, and prints:

* import: loading the writer's module (ReportLab), which a web process does when it loads its URLconf, while
  it boots (``portal/wsgi.py``);
* first receipt: the first ``receipt_pdf()`` of the process, after that import (what a citizen waits for
  beyond an ordinary page: the old writer built its font subset here, ReportLab parses the prepared font);
* steady state: the next ``--receipts`` (50) receipts of the same process, median and p95;
* the size of a receipt.

Variants: the old hand-written writer (``procedures/receipt_pdf.py`` and ``procedures/pdf_font.py`` as they
were before, read from git: ``--old-rev``, by default the last commit that had them); ReportLab with the
font prepared at deployment (``manage.py prepare_receipt_font``, the normal case); ReportLab in the first
process of a deployment that did not prepare it (its first receipt prepares it, under the lock); ReportLab
given the whole DejaVu Sans (the cost without the preparation). fpdf2, tried first, was measured by this
script at the commit that added it (figures in docs/receipt.md). Every variant writes the same content: the
receipt's lines are replaced by a fixed set (names in Latin with diacritics, Greek and Cyrillic, long
answers that wrap, the evidence section), so that no database is needed and the writers alone are timed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NAMES = (
    "Παπαδοπούλου Ελένη",
    "Dvořák Jiří",
    "Łukasz Wałęsa",
    "Ștefan Țurcanu",
    "Вълчев Пламен",
    "Kőrösi Ödön",
    "Šķēle Ģirts",
    "Žemaitė Ąžuolas",
    "Ó Súilleabháin Aoife",
    "Borg Ċensu",
)
LINES = [
    ("title", "Application submitted"),
    ("text", "Requesting a birth certificate"),
    ("text", "Your reference: C32D1C14"),
    ("text", "Full reference: c32d1c14-d765-4083-8f10-fc7a5c0636b2"),
    ("text", "Submitted on 2026-12-07 14:16 CET"),
    ("text", ""),
    ("heading", "Your answers"),
    *[("text", f"Name of person {i + 1}: {name}") for i, name in enumerate(NAMES)],
    ("text", "Address: " + ", ".join(NAMES) + " — Ευρωπαϊκή Ένωση, Европейски съюз, Evropská unie"),
    ("text", "Reason: " + " ".join(["Europäische Union", "Unia Europejska", "Ευρωπαϊκή Ένωση"] * 8)),
    ("text", ""),
    ("heading", "Evidence"),
    ("text", "Proof of birth: received through OOTS: Birth certificate (Civil registry of Ελλάδα)"),
    ("text", "Proof of residence: uploaded by you: адресна-регистрация.pdf"),
]
VARIANTS = {
    "old": "old: hand-written writer, font subset built per process",
    "prepared": "ReportLab: font prepared at deployment",
    "lazy": "ReportLab: first process of an unprepared deployment",
    "whole": "ReportLab: whole DejaVu Sans, no preparation",
}


def _old_sources(rev: str, folder: Path) -> None:
    """The hand-written writer's two modules as they were at ``rev``, written into ``folder``."""
    for name in ("pdf_font", "receipt_pdf"):
        source = subprocess.run(
            ["git", "-C", str(ROOT), "show", f"{rev}:procedures/{name}.py"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (folder / f"{name}.py").write_text(source, encoding="utf-8")


def _old_writer(folder: Path) -> Any:
    """The hand-written writer, loaded from ``folder`` into this process."""
    modules = {}
    for name in ("pdf_font", "receipt_pdf"):
        # Registered under its old name, so that the old receipt_pdf's "from procedures import pdf_font"
        # finds it.
        spec = importlib.util.spec_from_file_location(f"procedures.{name}", folder / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        modules[name] = module
    return modules["receipt_pdf"]


def _default_old_rev() -> str:
    """The last commit that had the hand-written writer (the one before its removal, if removed)."""
    last = subprocess.run(
        ["git", "-C", str(ROOT), "rev-list", "-n", "1", "HEAD", "--", "procedures/pdf_font.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    present = subprocess.run(
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{last}:procedures/pdf_font.py"], capture_output=True
    )
    return last if present.returncode == 0 else f"{last}^"


def child(variant: str, receipts: int, old_dir: Path) -> dict[str, Any]:
    """One fresh process: import, first receipt, steady state."""
    import django

    django.setup()
    import logging

    logging.getLogger("procedures.receipt_font").setLevel(logging.ERROR)  # the "whole" variant's warning
    started = time.perf_counter()
    if variant == "old":
        writer = _old_writer(old_dir)
    else:
        from procedures import receipt_pdf as writer
    imported = time.perf_counter()
    writer._lines = lambda application, journey: LINES
    application = SimpleNamespace(procedure=SimpleNamespace(name=LINES[1][1]))
    data = writer.receipt_pdf(application)
    first = time.perf_counter()
    times = []
    for _ in range(receipts):
        began = time.perf_counter()
        writer.receipt_pdf(application)
        times.append(time.perf_counter() - began)
    times.sort()
    return {
        "import": imported - started,
        "first": first - imported,
        "p50": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
        "size": len(data),
        "embedded": b"/FontFile2" in data,
    }


def _env(var_dir: Path) -> dict[str, str]:
    """A production-like portal (DEBUG off) whose deployment folder is ``var_dir``."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-receipt-only",
        "OOTS_AUDIT_SUBJECT_KEY": "bench-receipt-only-" + "k" * 32,
        "OOTS_VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
    }


def _run(variant: str, args: argparse.Namespace, var_dir: Path) -> dict[str, Any]:
    env = _env(var_dir)
    if variant == "whole":
        env["OOTS_RECEIPT_FONT_DIR"] = "/dev/null/receipt-fonts"  # can never be made: the source font it is
    answer = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            variant,
            "--receipts",
            str(args.receipts),
            "--old-dir",
            str(args.old_dir),
        ],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    return json.loads(answer.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--receipts", type=int, default=50, help="receipts per process after the first")
    parser.add_argument("--processes", type=int, default=3, help="fresh processes per variant")
    parser.add_argument("--old-rev", help="git revision holding the hand-written writer")
    parser.add_argument("--child", choices=VARIANTS, help=argparse.SUPPRESS)
    parser.add_argument("--old-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    sys.path.insert(0, str(ROOT))
    if args.child:
        print(json.dumps(child(args.child, args.receipts, Path(args.old_dir))))
        return
    args.old_rev = args.old_rev or _default_old_rev()
    results: dict[str, list[dict[str, Any]]] = {variant: [] for variant in VARIANTS}
    with tempfile.TemporaryDirectory(prefix="bench-receipt-") as scratch:
        deployed = Path(scratch) / "deployed"
        args.old_dir = Path(scratch) / "old"
        args.old_dir.mkdir()
        _old_sources(args.old_rev, args.old_dir)
        prepare = subprocess.run(
            [sys.executable, "-c", _PREPARE],
            check=True,
            capture_output=True,
            text=True,
            env=_env(deployed),
            cwd=ROOT,
        )
        preparation = float(prepare.stdout.strip().splitlines()[-1])
        # Interleaved: load on a shared machine hits every variant alike.
        for round_ in range(args.processes):
            for variant in VARIANTS:
                var_dir = deployed if variant == "prepared" else Path(scratch) / f"{variant}-{round_}"
                results[variant].append(_run(variant, args, var_dir))
    print(
        f"Receipt PDF: {len(LINES)} lines of the same content, {args.processes} fresh processes per variant, "
        f"{args.receipts} receipts each after the first; one core. Old writer from {args.old_rev}."
    )
    print(f"Preparing both fonts (prepare_receipt_font, once per deployment): {preparation * 1000:.0f} ms")
    print()
    header = (
        f"{'variant':52} {'import':>8} {'1st receipt':>12} {'steady p50':>11} {'steady p95':>11} {'size':>8}"
    )
    print(header)
    print("-" * len(header))
    for variant, label in VARIANTS.items():
        runs = results[variant]

        def median(key: str, runs: list[dict[str, Any]] = runs) -> float:
            return statistics.median(run[key] for run in runs) * 1000

        size = statistics.median(run["size"] for run in runs) / 1000
        print(
            f"{label:52} {median('import'):6.0f}ms {median('first'):10.0f}ms {median('p50'):9.1f}ms "
            f"{median('p95'):9.1f}ms {size:6.1f}KB"
        )
    print(
        "(medians over the processes; fonts embedded in every variant: "
        f"{all(run['embedded'] for runs in results.values() for run in runs)})"
    )


_PREPARE = """
import time, django
from pathlib import Path
django.setup()
from django.conf import settings
from procedures.receipt_font import prepare
began = time.perf_counter()
for source in (settings.OOTS_RECEIPT_FONT, settings.OOTS_RECEIPT_FONT_BOLD):
    prepare(Path(source), Path(settings.OOTS_RECEIPT_FONT_DIR))
print(time.perf_counter() - began)
"""


if __name__ == "__main__":
    main()

"""``manage.py oots_journey``: play the citizen's journey over HTTP against a running portal and its
simulators, through the very pages a citizen uses; one line per step, non-zero exit when a step does not
end as the scenario expects. A smoke test for a deployment that runs with the simulators (``make demo``).

Example: ``python manage.py oots_journey --procedure T2 --country DE --scenario preview``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import requests
from django.core.management.base import BaseCommand, CommandError, CommandParser

from simulators.runners.journey import EDM_VERSION_CHOICES, SCENARIOS, Run, StepFailed


@contextmanager
def _timed() -> Iterator[Callable[[], int]]:
    start = time.monotonic()
    yield lambda: int((time.monotonic() - start) * 1000)


class Command(BaseCommand):
    help = "Play the citizen's journey over HTTP against a running portal with its simulators."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--procedure", default="T2", help="Procedure code (default T2).")
        parser.add_argument("--country", default="DE", help="Country the evidence comes from (default DE).")
        parser.add_argument("--scenario", default="immediate", choices=sorted(SCENARIOS))
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="The portal (default: make demo)."
        )
        parser.add_argument("--timeout", type=float, default=60.0, help="Seconds to wait for the evidence.")
        parser.add_argument(
            "--edm-version",
            choices=EDM_VERSION_CHOICES,
            default="",
            help="Ask the Directory simulator's test provider of this EDM version (default: the first "
            "provider offered, in the version OOTS_EDM_VERSION_PREFERENCE picks).",
        )
        parser.add_argument(
            "--discard-draft",
            action="store_true",
            help="Delete the persona's unfinished draft of the procedure (left by an interrupted run) first.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        run = Run(
            base_url=options["base_url"].rstrip("/"),
            procedure=options["procedure"],
            country=options["country"].upper(),
            scenario=options["scenario"],
            timeout=options["timeout"],
            discard_draft=options["discard_draft"],
            edm_version=options["edm_version"],
        )
        self.stdout.write(
            f"oots_journey {run.scenario}: procedure {run.procedure}, "
            f"evidence from {run.country}, {run.base_url}"
            + (f", EDM {run.edm_version} provider" if run.edm_version else "")
        )
        total = 0
        for name, step in run.steps():
            with _timed() as elapsed:
                try:
                    outcome = step()
                except requests.ConnectionError as exc:
                    self.stdout.write(self.style.ERROR(f"{name:<11} FAIL {elapsed():>6} ms  {exc}"))
                    raise CommandError(
                        f"step “{name.strip()}” failed: the portal does not answer at {run.base_url} (is it "
                        "running with its worker and the simulators, `make demo`? --base-url names another)"
                    ) from exc
                except (StepFailed, requests.RequestException) as exc:
                    self.stdout.write(self.style.ERROR(f"{name:<11} FAIL {elapsed():>6} ms  {exc}"))
                    raise CommandError(f"step “{name.strip()}” failed") from exc
            total += elapsed()
            self.stdout.write(f"{name:<11} ok   {elapsed():>6} ms  {outcome}")
        self.stdout.write(self.style.SUCCESS(f"journey ok in {total} ms"))

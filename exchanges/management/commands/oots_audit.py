"""``manage.py oots_audit``: what an auditor runs on the audit trail (docs/audit.md).

- ``verify``: walk the hash chain; exit 1 naming the first entry where it breaks (changed, removed, inserted).
- ``export --from DATE --to DATE [--subject REF] [--output FILE]``: the entries of those days (UTC, both
  included) as JSON lines, each with its hashes so that the chain can be checked from the file alone.
- ``reference EIDAS-ID``: the pseudonymous reference under which a person's exchanges are logged.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchanges.audit import chain_export, chain_verify, subject_reference


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD)") from exc


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


class Command(BaseCommand):
    help = "Verify, export or search the audit trail (the exchange log's hash chain)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("verify", help="Check the chain; exit 1 naming the first broken entry.")
        export = actions.add_parser("export", help="The entries of a period as JSON lines.")
        export.add_argument("--from", dest="start", required=True, help="First day, YYYY-MM-DD (UTC).")
        export.add_argument("--to", dest="end", required=True, help="Last day, YYYY-MM-DD (UTC), included.")
        export.add_argument("--subject", default="", help="Only the entries of this subject reference.")
        export.add_argument("--output", help="Write to this file instead of standard output.")
        reference = actions.add_parser("reference", help="The subject reference of an eIDAS identifier.")
        reference.add_argument("eidas_id", help="The eIDAS person or legal-person identifier (CC/CC/…).")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            self._verify()
        elif action == "export":
            self._export(options)
        else:
            reference = subject_reference(options["eidas_id"])
            if not reference:
                raise CommandError("give a non-empty eIDAS identifier")
            self.stdout.write(reference)

    def _verify(self) -> None:
        result = chain_verify()
        if not result.ok:
            raise CommandError(
                f"audit trail broken after {result.checked} good entries: {result.problem}", returncode=1
            )
        self.stdout.write(f"audit trail intact: {result.checked} entries verified")

    def _export(self, options: dict[str, Any]) -> None:
        first, last = _day(options["start"]), _day(options["end"])
        if last < first:
            raise CommandError("--to is before --from")
        lines = chain_export(
            start=_midnight(first), end=_midnight(last + dt.timedelta(days=1)), subject=options["subject"]
        )
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as target:
                count = self._write(lines, target)
            self.stderr.write(f"{count} entries written to {options['output']}")
        else:
            self._write(lines, self.stdout)

    @staticmethod
    def _write(lines: Any, target: TextIO | Any) -> int:
        count = 0
        for line in lines:
            target.write(json.dumps(line, ensure_ascii=False, sort_keys=False) + "\n")
            count += 1
        return count

"""``manage.py oots_audit``: what an auditor runs on the audit trail (docs/audit.md).

- ``verify``: walk the hash chain; exit 1 naming the first entry where it breaks (changed, removed, inserted),
  or when entries have awaited their seal longer than ``OOTS_AUDIT_SEAL_GRACE_SECONDS``. It only reads (an
  auditor's check changes nothing): the entries awaiting their seal are counted, not sealed.
- ``seal``: seal now the entries awaiting it (what the beat's ``seal_audit_chain`` does every minute).
- ``export --from DATE --to DATE [--subject REF] [--output FILE]``: the sealed entries of those days (UTC,
  both included) as JSON lines, each with its hashes so that the chain can be checked from the file alone;
  the entries of the period still awaiting their seal are counted on standard error.
- ``reference EIDAS-ID``: the pseudonymous reference under which a person's exchanges are logged.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from exchanges.audit import chain_export, chain_seal, chain_unsealed, chain_verify, subject_reference


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
        actions.add_parser("seal", help="Seal the entries awaiting their seal now.")
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
        elif action == "seal":
            self.stdout.write(f"{chain_seal()} entries sealed")
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
        awaiting = ""
        if result.unsealed:
            assert result.oldest_unsealed is not None
            awaiting = (
                f"; {result.unsealed} entries awaiting their seal (the oldest written "
                f"{result.oldest_unsealed:%Y-%m-%d %H:%M:%S}, within the grace period)"
            )
        self.stdout.write(f"audit trail intact: {result.checked} entries verified{awaiting}")

    def _export(self, options: dict[str, Any]) -> None:
        first, last = _day(options["start"]), _day(options["end"])
        if last < first:
            raise CommandError("--to is before --from")
        period = {
            "start": _midnight(first),
            "end": _midnight(last + dt.timedelta(days=1)),
            "subject": options["subject"],
        }
        lines = chain_export(**period)
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as target:
                count = self._write(lines, target)
            self.stderr.write(f"{count} entries written to {options['output']}")
        else:
            self._write(lines, self.stdout)
        if unsealed := chain_unsealed(**period):
            self.stderr.write(f"{unsealed} entries of the period await their seal and are not in the export")

    @staticmethod
    def _write(lines: Any, target: TextIO | Any) -> int:
        count = 0
        for line in lines:
            target.write(json.dumps(line, ensure_ascii=False, sort_keys=False) + "\n")
            count += 1
        return count

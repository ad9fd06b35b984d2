"""``manage.py oots_exchange``: run one evidence exchange through the real engine, for testers.

Run it beside a portal that is up with its worker and simulators (``make demo``), with the same settings and
database; it exits 0 only when the exchange ends as the scenario expects (docs/exchanges.md).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oots_client.edm import VERSIONS, get_version
from procedures.models import Procedure
from simulators.runners import exchange as runner


class Command(BaseCommand):
    help = (
        "Send one evidence request for the procedure's first requirement to a provider of COUNTRY "
        "through the engine and the simulators, play the preview space if asked, print each state with "
        "its milliseconds, and exit 0 only when the outcome is the scenario's."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--procedure", required=True, help="OOTS procedure code, e.g. T2")
        parser.add_argument("--country", required=True, help="the evidence provider's country, e.g. DE")
        parser.add_argument("--scenario", choices=runner.SCENARIOS, default="immediate")
        parser.add_argument(
            "--base-url",
            default="",
            help="the running portal serving the simulators, the Common Services' included (default: "
            f"{settings.OOTS_SIMULATOR_BASE_URL}, OOTS_SIMULATOR_BASE_URL, with the Common Services at "
            "OOTS_CS_EB_URL / OOTS_CS_DSD_URL)",
        )
        parser.add_argument(
            "--edm-version",
            choices=[version.short for version in VERSIONS.values()],
            default="",
            help="ask a provider the portal asks in this EDM version (the Directory simulator has a test "
            "provider of each); default: the first provider, in the version OOTS_EDM_VERSION_PREFERENCE "
            "picks",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=60.0,
            help="seconds to wait for the outcome (default: %(default)s)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scenario: str = options["scenario"]
        country = options["country"].strip().upper()
        expected = runner.EXPECTED[scenario]
        procedure = Procedure.objects.filter(code=options["procedure"].strip().upper()).first()
        if procedure is None:
            raise CommandError(f"no procedure with code {options['procedure']!r} in this portal's database")
        base_url = options["base_url"].rstrip("/")
        simulators = runner.Simulators(base_url or settings.OOTS_SIMULATOR_BASE_URL)
        common_services = (
            runner.CommonServices.simulators_at(base_url)
            if base_url
            else runner.CommonServices.from_settings()
        )
        edm_version = get_version(options["edm_version"]) if options["edm_version"] else None
        try:
            simulators.check()
            offer = runner.find_offer(procedure, country, edm_version=edm_version, services=common_services)
            exchange = runner.create_exchange(procedure, country, offer, runner.DEFAULT_PERSONA)
            self.stdout.write(
                f"Exchange {exchange.public_id}: procedure {procedure.code}, {offer.title} "
                f"from {offer.provider_name} ({country}) at {offer.access_point.value}, "
                f"{offer.version.identifier}, scenario {scenario!r}"
            )
            for note in offer.notes:
                self.stdout.write(f"  {note}")
            self.stdout.write(
                f"  expected: {expected.state}" + (f" ({expected.meaning})" if expected.meaning else "")
            )
            result = runner.run(
                exchange=exchange, scenario=scenario, simulators=simulators, timeout=options["timeout"]
            )
        except runner.RunnerError as exc:
            raise CommandError(str(exc)) from exc
        exchange = result.exchange
        lines = [(ms, state) for ms, state in runner.timeline(exchange)]
        lines += [(ms, f"  ({note})") for ms, note in result.notes]
        for ms, what in sorted(lines, key=lambda line: line[0]):
            self.stdout.write(f"{ms:>9.0f} ms  {what}")
        problems = runner.verdict(exchange, scenario)
        outcome = exchange.state + (f" {exchange.error_code}" if exchange.error_code else "")
        if problems:
            raise CommandError(
                f"outcome {outcome} is not the one expected for {scenario!r}: {'; '.join(problems)}"
            )
        stored = exchange.evidences.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"Outcome {outcome} as expected for {scenario!r}"
                + (f", {stored} evidence file(s) stored" if stored else "")
            )
        )

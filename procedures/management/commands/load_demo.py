from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from procedures.demo import demo_load


class Command(BaseCommand):
    help = "Load demo data: a procedure owner (credentials printed) and a form for every procedure."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--owner-password", help="Set this password for the demo owner instead of a random one."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        owner = demo_load(owner_password=options["owner_password"])
        # The generated password is kept beside the demo database (never in the repository) so
        # that every later `make demo` can print it again.
        credentials = settings.VAR_DIR / "demo-owner-password.txt"
        if owner.password:
            credentials.parent.mkdir(parents=True, exist_ok=True)
            credentials.write_text(owner.password, encoding="utf-8")
            credentials.chmod(0o600)
        password = (
            credentials.read_text(encoding="utf-8") if credentials.exists() else "(unchanged, set by you)"
        )
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(
            f"Procedure owner login at /admin/: username {owner.username!r}, password {password!r}"
        )

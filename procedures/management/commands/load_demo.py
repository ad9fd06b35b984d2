from __future__ import annotations

import json
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from procedures.demo import demo_load


class Command(BaseCommand):
    help = (
        "Load demo data: two authorities, each with a procedure owner and a case worker (credentials in "
        "var/demo-credentials.json), and a form for every procedure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password", help="Set this password for every demo staff user instead of new ones."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        staff = demo_load(password=options["password"])
        # Kept beside the demo database (never in the repository), readable by its owner only, so that every
        # later `make demo` can print the credentials again; a user that already existed keeps its entry.
        path = settings.VAR_DIR / "demo-credentials.json"
        known: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        for member in staff:
            entry = known.get(member.username, {})
            entry.update({"authority": member.authority, "role": member.role})
            if member.password is not None:
                entry["password"] = member.password
            known[member.username] = entry
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as out:
            json.dump(known, out, indent=2, ensure_ascii=False)
        path.chmod(0o600)
        self.stdout.write(self.style.SUCCESS("Demo data loaded. Staff logins at /admin/:"))
        for username, entry in known.items():
            password = entry.get("password", "(unchanged, set by you)")
            self.stdout.write(
                f"  {entry['authority']} · {entry['role']}: {username!r}, password {password!r}"
            )

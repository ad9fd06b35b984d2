"""Compile the ``locale/*/LC_MESSAGES/django.po`` catalogues into ``.mo`` files.

Django's own ``compilemessages`` needs GNU gettext's ``msgfmt``; this one needs only Python
(polib), so that ``make demo`` works on a machine without gettext. The ``.mo`` files are build
products and are not committed.
"""

from __future__ import annotations

from typing import Any

import polib
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the translation catalogues (.po → .mo) without GNU gettext."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
                try:
                    catalogue = polib.pofile(str(po_path))
                except (OSError, ValueError) as exc:
                    raise CommandError(f"{po_path}: {exc}") from exc
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                catalogue.save_as_mofile(str(mo_path))
                compiled += 1
        self.stdout.write(f"{compiled} translation catalogue(s) compiled.")

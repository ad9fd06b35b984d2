"""Prepare the receipt's fonts once per deployment (``procedures.receipt_font``): run at deploy time, by
``make demo`` and in the container image, so that no web process spends its first receipt building them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from procedures.receipt_font import UnusableFont, prepare


class Command(BaseCommand):
    help = (
        "Reduce the receipt's fonts (OOTS_RECEIPT_FONT, OOTS_RECEIPT_FONT_BOLD) to the EU's scripts, into "
        "OOTS_RECEIPT_FONT_DIR. Does nothing for a font already prepared."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        directory = Path(settings.OOTS_RECEIPT_FONT_DIR)
        for setting in ("OOTS_RECEIPT_FONT", "OOTS_RECEIPT_FONT_BOLD"):
            source = Path(getattr(settings, setting))
            if not source.is_file():
                # Not an error: the receipt falls back to Helvetica (and says so in the log), as a
                # development machine without fonts-dejavu-core does.
                self.stderr.write(
                    self.style.WARNING(f"{setting} {source} not found: the receipt prints in Helvetica")
                )
                continue
            try:
                target = prepare(source, directory)
            except (OSError, UnusableFont) as exc:
                raise CommandError(f"{setting} {source} could not be prepared in {directory}: {exc}") from exc
            self.stdout.write(f"{setting}: {target} ({target.stat().st_size} bytes)")

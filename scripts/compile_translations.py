"""Compile ``locale/*/LC_MESSAGES/*.po`` into ``.mo`` files, with Python only.

Django's ``compilemessages`` needs GNU gettext's ``msgfmt``; this needs only polib, so that
``make demo`` works on a machine without gettext. The ``.mo`` files are build products and are
not committed. Run by ``make`` before anything that serves pages.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polib

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


def main() -> int:
    compiled = 0
    for po_path in sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        try:
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        except (OSError, ValueError) as exc:
            print(f"{po_path}: {exc}", file=sys.stderr)
            return 1
        compiled += 1
    print(f"{compiled} translation catalogue(s) compiled.")
    return 0


if __name__ == "__main__":
    sys.exit(main())

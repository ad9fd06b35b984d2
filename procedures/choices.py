"""The options of a choice field: one a line, ``key | label``.

The key is what an answer stores: it stays the same in every language and when the owner rewords a label, so
an answer keeps its meaning. The label is what the citizen reads; the ``choices`` column is translated per
language (``procedures.translation``), and every language must list the same keys (``choice_keys_mismatch``).
A line without a key (``Email``) gets one made from its label (``email``) when the field is saved.
"""

from __future__ import annotations

import re
import unicodedata

SEPARATOR = "|"
_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,49}$")


def key_from_label(label: str) -> str:
    """A stable key for a label that came without one: ASCII, lower case, words joined by ``_``."""
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    key = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")[:50]
    return key or "option"


def parse_choices(text: str) -> list[tuple[str, str]]:
    """(key, label) per non-blank line; a line without a key is keyed by its label."""
    options: list[tuple[str, str]] = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        key, separator, label = line.partition(SEPARATOR)
        if separator:
            options.append((key.strip(), label.strip()))
        else:
            options.append((key_from_label(line.strip()), line.strip()))
    return options


def format_choices(options: list[tuple[str, str]]) -> str:
    return "\n".join(f"{key} {SEPARATOR} {label}" for key, label in options)


def invalid_keys(options: list[tuple[str, str]]) -> list[str]:
    """Keys that are not lower-case letters, digits, ``_`` or ``-``, or that appear twice."""
    seen: set[str] = set()
    bad: list[str] = []
    for key, _label in options:
        if not _KEY.match(key) or key in seen:
            bad.append(key)
        seen.add(key)
    return bad

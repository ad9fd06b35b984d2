"""The cache the client keeps answers in: a two-method protocol the portal satisfies with Django's cache.

Only verified answers that describe the catalogue are stored (successes and ``DSD:ERR:0005`` questions), as
raw
bytes: they are parsed again on read, so a change of this package's model never meets a stale pickled object.
"""

from __future__ import annotations

from typing import Any, Protocol


class AnswerCache(Protocol):
    """What the client needs of a cache (Django's ``cache`` has these methods)."""

    def get(self, key: str, default: Any = None) -> Any: ...

    def set(self, key: str, value: Any, timeout: float | None = ...) -> None: ...


class NoCache:
    """A cache that keeps nothing (the default; the command line uses it)."""

    def get(self, key: str, default: Any = None) -> Any:
        return default

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        return None


class MemoryCache:
    """A per-process dictionary without expiry, for tests and short-lived tools."""

    def __init__(self) -> None:
        self.entries: dict[str, Any] = {}

    def get(self, key: str, default: Any = None) -> Any:
        return self.entries.get(key, default)

    def set(self, key: str, value: Any, timeout: float | None = None) -> None:
        self.entries[key] = value

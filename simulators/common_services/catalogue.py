"""The simulator's catalogue: the JSON/Genericode data files under ``catalogue/``, loaded once per process."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

CATALOGUE_DIR: Final = Path(__file__).with_name("catalogue")


@dataclass(frozen=True)
class Catalogue:
    requirements: list[dict[str, Any]]
    evidence_types: list[dict[str, Any]]
    data_services: list[dict[str, Any]]

    def requirement(self, uri: str) -> dict[str, Any] | None:
        return next((r for r in self.requirements if r["id"] == uri), None)

    def evidence_lists(self, uri: str, country: str) -> list[dict[str, Any]]:
        entry = next(
            (e for e in self.evidence_types if e["requirement"] == uri and e["country"] == country), None
        )
        return entry["lists"] if entry else []

    def classification_known(self, uri: str) -> bool:
        return any(
            t["classification"] == uri
            for e in self.evidence_types
            for lst in e["lists"]
            for t in lst["types"]
        )

    def data_service(self, classification: str, country: str) -> dict[str, Any] | None:
        return next(
            (
                s
                for s in self.data_services
                if s["classification"] == classification and s["country"] == country
            ),
            None,
        )

    @property
    def countries(self) -> frozenset[str]:
        return frozenset(c for r in self.requirements for c in r["countries"])


def _load(name: str) -> Any:
    return json.loads((CATALOGUE_DIR / name).read_text(encoding="utf-8"))


@cache
def catalogue() -> Catalogue:
    return Catalogue(_load("requirements.json"), _load("evidence_types.json"), _load("data_services.json"))


def code_list_path(name: str) -> Path | None:
    """``DE/regionalStates`` → ``catalogue/codelists/DE-regionalStates.gc`` (None if absent or unsafe)."""
    parts = name.strip("/").split("/")
    if not parts or not all(p.isalnum() for p in parts):
        return None
    path = CATALOGUE_DIR / "codelists" / ("-".join(parts) + ".gc")
    return path if path.is_file() else None

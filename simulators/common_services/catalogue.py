"""The simulator's catalogue: the JSON/Genericode data files under ``catalogue/``, loaded once per process.

Besides the providers the files list, every data service of :data:`VERSION_PROVIDER_COUNTRIES` has one test
provider per EDM version, speaking that version only (:func:`with_version_providers`): the runners'
``--edm-version`` picks them, so that each version can be taken through the portal (docs/simulators.md).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

CATALOGUE_DIR: Final = Path(__file__).with_name("catalogue")
# The countries whose data services also have a test provider per EDM version: Germany, the runners' default.
VERSION_PROVIDER_COUNTRIES: Final = ("DE",)
# The EDM versions of those providers, each one's access point id suffix; their names end with "(EDM v1.0)"…
VERSION_PROVIDERS: Final = {
    "oots-edm:v1.0": "V10",
    "oots-edm:v1.1": "V11",
    "oots-edm:v1.2": "V12",
    "oots-edm:v2.0": "V20",
}


def version_provider_suffix(version: str) -> str:
    """What the name of the test provider of ``version`` ends with: `` (EDM v1.2)``."""
    return f" (EDM {version.rpartition(':')[2]})"


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


def with_version_providers(service: dict[str, Any]) -> dict[str, Any]:
    """The data service with one more provider per EDM version, after its own: a copy of its first provider
    that speaks only that version, covers the whole country and supports every classification value any of
    its providers supports (so that whatever the user answers to the Directory's questions, it is offered)."""
    if service["country"] not in VERSION_PROVIDER_COUNTRIES or not service["access_services"]:
        return service
    first = service["access_services"][0]
    concepts: dict[str, dict[str, Any]] = {}
    for access in service["access_services"]:
        for concept in access["publisher"].get("classification_concepts", []):
            merged = concepts.setdefault(concept["id"], {**concept, "supported_values": []})
            merged["supported_values"] += [
                v for v in concept.get("supported_values", []) if v not in merged["supported_values"]
            ]
    added = []
    for version, suffix in VERSION_PROVIDERS.items():
        publisher = dict(first["publisher"])
        publisher.update(
            id=f"{publisher['id']}-{suffix}",
            names={
                lang: name + version_provider_suffix(version) for lang, name in publisher["names"].items()
            },
            jurisdiction={"country": service["country"], "nuts": service["country"]},
            classification_concepts=list(concepts.values()),
        )
        added.append(
            {
                "id": f"AP_{service['country']}_SIM_{suffix}",
                "scheme": first["scheme"],
                "conforms_to": [version],
                "publisher": publisher,
            }
        )
    return {**service, "access_services": [*service["access_services"], *added]}


@cache
def catalogue() -> Catalogue:
    services = [with_version_providers(service) for service in _load("data_services.json")]
    return Catalogue(_load("requirements.json"), _load("evidence_types.json"), services)


def code_list_path(name: str) -> Path | None:
    """``DE/regionalStates`` → ``catalogue/codelists/DE-regionalStates.gc`` (None if absent or unsafe)."""
    parts = name.strip("/").split("/")
    if not parts or not all(p.isalnum() for p in parts):
        return None
    path = CATALOGUE_DIR / "codelists" / ("-".join(parts) + ".gc")
    return path if path.is_file() else None

"""The OOTS Procedures code list, as the portal's procedures are created from it (``procedures`` migration
0002), read from the copy shipped in ``oots_client`` by its Genericode reader."""

from __future__ import annotations

from dataclasses import dataclass

from oots_client.edm.genericode import bundled

PROCEDURES_CODELIST = "Procedures-CodeList.gc"

# SDGR Annex II groups the procedures by life event; the code's letter is the group.
LIFE_EVENT_BY_LETTER = {
    "R": "birth",
    "S": "residence",
    "T": "studying",
    "U": "working",
    "V": "moving",
    "W": "retiring",
    "X": "business",
}


@dataclass(frozen=True)
class ProcedureCode:
    code: str
    name: str

    @property
    def life_event(self) -> str:
        return LIFE_EVENT_BY_LETTER[self.code[0]]


def read_procedure_codes() -> list[ProcedureCode]:
    """The Annex II procedures in the list's order, with their English names."""
    return [
        ProcedureCode(code=value.code, name=value.label("EN"))
        for value in bundled(PROCEDURES_CODELIST).values
    ]

"""The OOTS Procedures code list (Genericode), read from the copy shipped in ``oots_client``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

import oots_client

PROCEDURES_CODELIST = Path(oots_client.__file__).parent / "codelists" / "Procedures-CodeList.gc"

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


def read_procedure_codes(path: Path = PROCEDURES_CODELIST) -> list[ProcedureCode]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    tree = etree.parse(str(path), parser)
    codes = []
    for row in tree.iter("Row"):
        values = {
            value.get("ColumnRef"): (value.findtext("SimpleValue") or "").strip()
            for value in row.iter("Value")
        }
        codes.append(ProcedureCode(code=values["code"], name=values["name-Value"]))
    return codes

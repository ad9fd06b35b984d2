"""OASIS Genericode code lists: the ones shipped in ``oots_client/codelists`` and those a DSD points to.

A ``DSD:ERR:0005`` classification question names its allowed values by a ``ValueExpression`` URL of a
Genericode
list (DIGEST §5.3; the v1.2 examples point into the DSD's ``/rest/codelists/<CC>/…``). ``parse_code_list``
reads
such a list (hardened parser); ``bundled`` reads the copies shipped with the package (NUTS, jurisdiction
levels,
EB/DSD error codes).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from lxml import etree

from oots_client.common_services.model import CodeValue
from oots_client.edm.errors import EdmError
from oots_client.edm.xmlsafe import parse_xml

GC: Final = "http://docs.oasis-open.org/codelist/ns/genericode/1.0/"
CODELIST_DIR: Final = Path(__file__).resolve().parent.parent / "codelists"

# Column language codes are ISO 639-2/3 in the EU lists (``deu_label``); OOTS texts use ISO 639-1 upper case.
_LANG3: Final = {
    "bul": "BG", "ces": "CS", "dan": "DA", "deu": "DE", "ell": "EL", "eng": "EN", "est": "ET", "fin": "FI",
    "fra": "FR", "gle": "GA", "hrv": "HR", "hun": "HU", "ita": "IT", "lav": "LV", "lit": "LT", "mlt": "MT",
    "nld": "NL", "pol": "PL", "por": "PT", "ron": "RO", "slk": "SK", "slv": "SL", "spa": "ES", "swe": "SV",
}  # fmt: skip


class CodeListError(EdmError):
    """A document that is not a readable Genericode code list."""


@dataclass(frozen=True, slots=True)
class CodeList:
    """A Genericode list: identification and the rows' key values with their labels."""

    short_name: str
    canonical_uri: str
    version: str
    values: tuple[CodeValue, ...]

    def codes(self) -> frozenset[str]:
        return frozenset(v.code for v in self.values)

    def get(self, code: str) -> CodeValue | None:
        for value in self.values:
            if value.code == code:
                return value
        return None


def _q(local: str) -> str:
    return f"{{{GC}}}{local}"


def _child_text(parent: etree._Element | None, local: str) -> str:
    if parent is None:
        return ""
    found = parent.find(local)
    if found is None:
        found = parent.find(_q(local))
    return (found.text or "").strip() if found is not None else ""


def _label_lang(column_id: str, lang_attr: str) -> str | None:
    """The OOTS language code a label column carries, or None when it is not a label column."""
    if column_id in ("name", "Name", "name-Value", "label"):
        return "EN"
    lang = (lang_attr or "").lower()
    if lang in _LANG3:
        return _LANG3[lang]
    if len(lang) == 2 and column_id != "code":
        return lang.upper()
    if column_id.endswith("_label") and column_id[:3] in _LANG3:
        return _LANG3[column_id[:3]]
    return None


def parse_code_list(data: bytes) -> CodeList:
    """Read a Genericode ``gc:CodeList`` (elements may or may not be namespaced, as found in the wild)."""
    try:
        root = parse_xml(data)
    except EdmError as exc:
        raise CodeListError(f"not a readable code list: {exc.what}", exc.where) from None
    if etree.QName(root).localname != "CodeList":
        raise CodeListError(f"root element is {etree.QName(root).localname}, not gc:CodeList")
    ident = root.find("Identification")
    column_set = root.find("ColumnSet")
    key_column = "code"
    languages: dict[str, str] = {}
    if column_set is not None:
        key_ref = column_set.find("Key/ColumnRef")
        if key_ref is not None and key_ref.get("Ref"):
            key_column = key_ref.get("Ref") or key_column
        for column in column_set.iterfind("Column"):
            column_id = column.get("Id") or ""
            data_el = column.find("Data")
            lang = _label_lang(column_id, data_el.get("Lang", "") if data_el is not None else "")
            if lang and column_id != key_column:
                languages[column_id] = lang
    values: list[CodeValue] = []
    simple = root.find("SimpleCodeList")
    for row in simple.iterfind("Row") if simple is not None else ():
        cells = {
            (cell.get("ColumnRef") or ""): _child_text(cell, "SimpleValue") for cell in row.iterfind("Value")
        }
        code = cells.get(key_column, "")
        if not code:
            continue
        labels: dict[str, str] = {}
        for column_id, text in cells.items():
            lang = languages.get(column_id) or _label_lang(column_id, "")
            if lang and text and column_id != key_column:
                labels.setdefault(lang, text)
        values.append(CodeValue(code, labels))
    if not values:
        raise CodeListError("the code list has no rows")
    return CodeList(
        short_name=_child_text(ident, "ShortName"),
        canonical_uri=_child_text(ident, "CanonicalUri"),
        version=_child_text(ident, "Version"),
        values=tuple(values),
    )


@cache
def bundled(filename: str) -> CodeList:
    """A code list shipped in ``oots_client/codelists`` (read once per process)."""
    return parse_code_list((CODELIST_DIR / filename).read_bytes())


def nuts_codes() -> frozenset[str]:
    return bundled("NutsCodes.gc").codes()


def jurisdiction_levels() -> frozenset[str]:
    return bundled("JurisdictionLevel-CodeList.gc").codes()


# NUTS levels by code length: country (2) + 1, 2 or 3 characters (DIGEST §9: Greece is EL in NUTS).
NUTS_LEVEL_LENGTH: Final = {"NUTS1": 3, "NUTS2": 4, "NUTS3": 5}


def nuts_in(country: str, level: str) -> tuple[CodeValue, ...]:
    """The NUTS regions of ``country`` at ``level`` (``NUTS1``…``NUTS3``), for a picker."""
    length = NUTS_LEVEL_LENGTH.get(level)
    prefix = "EL" if country.upper() == "GR" else country.upper()
    return tuple(
        v
        for v in bundled("NutsCodes.gc").values
        if v.code.startswith(prefix) and (length is None or len(v.code) == length)
    )

"""OASIS Genericode code lists: the one reader of the package, for the lists shipped in
``oots_client/codelists`` and for those a Data Service Directory points to.

A ``DSD:ERR:0005`` classification question names its allowed values by a ``ValueExpression`` URL of a
Genericode list (DIGEST §5.3; the v1.2 examples point into the DSD's ``/rest/codelists/<CC>/…``):
:func:`parse_code_list` reads such a list with the hardened parser. :func:`bundled` reads the copies shipped
with the package (origins in ``codelists/README.md``): the EDM's exact code-list checks
(``oots_client.edm.codelists``), the NUTS regions and jurisdiction levels (``oots_client.common_services``),
the procedures of the portal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Final

from lxml import etree

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
class CodeValue:
    """One value of a Genericode list, with its labels (language → label) and every column of its row
    (column id → value: ``name-Type`` of the EDM error codes, say)."""

    code: str
    labels: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, str] = field(default_factory=dict, compare=False)

    def label(self, lang: str = "EN") -> str:
        lang = lang.upper()
        return self.labels.get(lang) or self.labels.get("EN") or next(iter(self.labels.values()), self.code)


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


def _read(root: etree._Element) -> CodeList:
    """The code list under ``root`` (elements may or may not be namespaced, as found in the wild)."""
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
            (cell.get("ColumnRef") or ""): _child_text(cell, "SimpleValue") for cell in row.iter("Value")
        }
        code = cells.get(key_column, "")
        if not code:
            continue
        labels: dict[str, str] = {}
        for column_id, text in cells.items():
            lang = languages.get(column_id) or _label_lang(column_id, "")
            if lang and text and column_id != key_column:
                labels.setdefault(lang, text)
        values.append(CodeValue(code, labels, cells))
    if not values:
        raise CodeListError("the code list has no rows")
    return CodeList(
        short_name=_child_text(ident, "ShortName"),
        canonical_uri=_child_text(ident, "CanonicalUri"),
        version=_child_text(ident, "Version"),
        values=tuple(values),
    )


def parse_code_list(data: bytes) -> CodeList:
    """Read a Genericode ``gc:CodeList`` received from elsewhere (hardened parser, strict)."""
    try:
        root = parse_xml(data)
    except EdmError as exc:
        raise CodeListError(f"not a readable code list: {exc.what}", exc.where) from None
    return _read(root)


# The shipped lists are the package's own files, read as published: ``EDMErrorCodes-CodeList.gc`` is
# malformed upstream (an unclosed ``SimpleValue`` on EDM:ERR:0008), so libxml2 recovers from such slips here.
# Never used for input from the network (``parse_code_list`` is).
_BUNDLED_PARSER: Final = etree.XMLParser(
    recover=True, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
)


@cache
def bundled(filename: str) -> CodeList:
    """A code list shipped in ``oots_client/codelists`` (read once per process)."""
    root = etree.parse(str(CODELIST_DIR / filename), _BUNDLED_PARSER).getroot()
    return _read(root)

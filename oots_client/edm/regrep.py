"""OASIS ebXML RegRep 4 primitives shared by the EDM and the Common Services clients.

Reading: slots by name (never by position, DIGEST §1 item 1), slot values of every value type used by OOTS,
the ``@status`` of a ``query:QueryResponse`` and its ``rs:Exception`` s. Writing: the same slots, with the
canonical prefixes. Reading is liberal about prefixes and whitespace; every failure is an
:class:`~oots_client.edm.errors.InvalidMessageError` carrying a location.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Final

from lxml import etree

from oots_client.edm import namespaces as ns
from oots_client.edm.errors import InvalidMessageError
from oots_client.edm.model import LocalizedText

type Element = etree._Element

SLOT: Final = ns.q(ns.RIM, "Slot")
SLOT_VALUE: Final = ns.q(ns.RIM, "SlotValue")
VALUE: Final = ns.q(ns.RIM, "Value")
ELEMENT: Final = ns.q(ns.RIM, "Element")
LOCALIZED_STRING: Final = ns.q(ns.RIM, "LocalizedString")
EXCEPTION: Final = ns.q(ns.RS, "Exception")

_PREFIX_OF: Final = {uri: prefix for prefix, uri in ns.PREFIXES.items()}

# Value types (the local part of the SlotValue's xsi:type)
STRING: Final = "StringValueType"
BOOLEAN: Final = "BooleanValueType"
DATETIME: Final = "DateTimeValueType"
INTERNATIONAL_STRING: Final = "InternationalStringValueType"
ANY: Final = "AnyValueType"
COLLECTION: Final = "CollectionValueType"


# --- locations ------------------------------------------------------------------------------------


def location(el: Element) -> str:
    """An XPath to ``el`` with the canonical prefixes; slots are identified by ``@name``."""
    steps: list[str] = []
    node: Element | None = el
    while node is not None:
        qname = etree.QName(node)
        prefix = _PREFIX_OF.get(qname.namespace or "", "")
        step = f"{prefix}:{qname.localname}" if prefix else qname.localname
        if node.tag == SLOT and node.get("name") is not None:
            step += f"[@name='{node.get('name')}']"
        else:
            parent = node.getparent()
            if parent is not None:
                same = [c for c in parent if c.tag == node.tag]
                if len(same) > 1:
                    step += f"[{same.index(node) + 1}]"
        steps.append(step)
        node = node.getparent()
    return "/" + "/".join(reversed(steps))


# --- reading --------------------------------------------------------------------------------------


def first_child(el: Element, tag: str) -> Element | None:
    """The first direct child with this ``{namespace}local`` tag (a plain loop: ``find`` goes through
    ElementPath and ``iterchildren(tag)`` builds a matcher, both several times slower for a few children)."""
    for child in el:
        if child.tag == tag:
            return child
    return None


def local_type(el: Element) -> str:
    """The local part of ``@xsi:type`` (``rim:StringValueType`` → ``StringValueType``), or ``""``."""
    value = el.get(ns.XSI_TYPE) or ""
    return value.rpartition(":")[2]


def slots(parent: Element) -> dict[str, Element]:
    """The direct ``rim:Slot`` children of ``parent`` by ``@name`` (the first of a repeated name wins)."""
    found: dict[str, Element] = {}
    for child in parent.iterchildren(SLOT):
        name = child.get("name")
        if name is not None and name not in found:
            found[name] = child
    return found


def slot_names(parent: Element) -> list[str]:
    """All slot names of ``parent``, in document order, repetitions included."""
    return [child.get("name") or "" for child in parent.iterchildren(SLOT)]


def slot_value(slot: Element) -> Element:
    """The ``rim:SlotValue`` of a slot."""
    value = first_child(slot, SLOT_VALUE)
    if value is None:
        raise InvalidMessageError("slot has no rim:SlotValue", location(slot))
    return value


def _text(el: Element | None) -> str:
    if el is None:
        return ""
    if len(el) == 0:  # the usual case: a text-only element
        return (el.text or "").strip()
    return "".join(str(t) for t in el.itertext()).strip()


def read_string(slot: Element) -> str:
    """A ``StringValueType`` slot's text; liberal about the value type."""
    value = slot_value(slot)
    if local_type(value) == INTERNATIONAL_STRING:
        texts = read_international_string(slot)
        if texts:
            return texts[0].value
    inner = first_child(value, VALUE)
    if inner is None:
        raise InvalidMessageError("slot value has no rim:Value", location(value))
    return _text(inner)


def read_boolean(slot: Element) -> bool:
    text = read_string(slot).lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise InvalidMessageError(f"not an xsd:boolean: {text!r}", location(slot))


def parse_datetime(text: str, where: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidMessageError(f"not an xsd:dateTime: {text!r}", where) from None


def parse_date(text: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise InvalidMessageError(f"not an xsd:date: {text!r}", where) from None


def read_datetime(slot: Element) -> dt.datetime:
    text = read_string(slot)
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        return parse_datetime(text, location(slot))  # raises, with the location


def lang_of(el: Element) -> str:
    """The language of a string: ``xml:lang``, else ``lang`` (sdg), else ``xsi:lang`` (deviation)."""
    return (el.get(ns.XML_LANG) or el.get("lang") or el.get(ns.XSI_LANG) or "").strip()


def read_international_string(slot: Element) -> tuple[LocalizedText, ...]:
    """The ``rim:LocalizedString`` s of an ``InternationalStringValueType`` slot; liberal."""
    value = slot_value(slot)
    strings = list(value.iter(LOCALIZED_STRING))
    if not strings:
        inner = first_child(value, VALUE)
        text = _text(inner)
        return (LocalizedText(text, ""),) if text else ()
    return tuple(LocalizedText((s.get("value") or "").strip(), lang_of(s)) for s in strings)


def read_any(slot: Element) -> Element:
    """The single element inside an ``AnyValueType`` slot value."""
    value = slot_value(slot)
    for child in value:
        if isinstance(child.tag, str):
            return child
    raise InvalidMessageError("slot value holds no element", location(value))


def read_collection(slot: Element) -> list[Element]:
    """The elements inside the ``rim:Element`` s of a ``CollectionValueType`` slot.

    Liberal: an ``AnyValueType`` slot gives its single element (some senders use one for the other).
    """
    value = slot_value(slot)
    elements = [child for child in value if child.tag == ELEMENT]
    if not elements and local_type(value) != COLLECTION:
        return [read_any(slot)]
    items: list[Element] = []
    for element in elements:
        for child in element:
            if isinstance(child.tag, str):
                items.append(child)
                break
    return items


def response_status(response: Element) -> str:
    """The last segment of ``@status`` (``Success``, ``Failure``, ``Unavailable``), liberal."""
    status = (response.get("status") or "").strip()
    return status.rpartition(":")[2]


@dataclass(frozen=True, slots=True)
class RegRepException:
    """An ``rs:Exception`` as RegRep defines it; ``slots`` maps slot names to ``rim:Slot`` elements."""

    type: str
    code: str | None
    severity: str
    message: str
    detail: str | None
    element: Element = field(repr=False, compare=False)
    slots: dict[str, Element] = field(repr=False, compare=False, default_factory=dict)


def read_exceptions(response: Element) -> list[RegRepException]:
    """The ``rs:Exception`` children of a ``query:QueryResponse`` (EDM, EB or DSD), in document order."""
    return [
        RegRepException(
            type=local_type(exc),
            code=(exc.get("code") or "").strip() or None,
            severity=(exc.get("severity") or "").strip(),
            message=(exc.get("message") or "").strip(),
            detail=(exc.get("detail") or "").strip() or None,
            element=exc,
            slots=slots(exc),
        )
        for exc in response.iterchildren(EXCEPTION)
    ]


def children(el: Element, namespace: str, local: str) -> Iterator[Element]:
    """Direct children with the given name."""
    return el.iterchildren(ns.q(namespace, local))


# --- writing --------------------------------------------------------------------------------------


_ZERO: Final = dt.timedelta(0)


def format_datetime(value: dt.datetime) -> str:
    """xsd:dateTime with seconds; UTC as ``Z``; fractions only when present (milliseconds)."""
    if value.tzinfo is dt.UTC and not value.microsecond and value.year >= 1000:  # the usual case
        return f"{value.date().isoformat()}T{value.time().isoformat()}Z"
    if value.year >= 1000:  # strftime is slow; the same digits for four-digit years
        text = (
            f"{value.year}-{value.month:02d}-{value.day:02d}"
            f"T{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
        )
    else:
        text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    offset = value.utcoffset()
    if offset is None:
        return text
    if offset == _ZERO:
        return text + "Z"
    return text + value.strftime("%z")[:3] + ":" + value.strftime("%z")[3:]


def add_slot(parent: Element, name: str, value_type: str) -> Element:
    """Append ``rim:Slot[@name]/rim:SlotValue[@xsi:type]`` and return the SlotValue."""
    slot = etree.SubElement(parent, SLOT, name=name)
    return etree.SubElement(slot, SLOT_VALUE, {ns.XSI_TYPE: "rim:" + value_type})


def add_string_slot(parent: Element, name: str, value: str) -> None:
    etree.SubElement(add_slot(parent, name, STRING), VALUE).text = value


def add_boolean_slot(parent: Element, name: str, value: bool) -> None:
    etree.SubElement(add_slot(parent, name, BOOLEAN), VALUE).text = "true" if value else "false"


def add_datetime_slot(parent: Element, name: str, value: dt.datetime) -> None:
    etree.SubElement(add_slot(parent, name, DATETIME), VALUE).text = format_datetime(value)


def add_international_string_slot(parent: Element, name: str, texts: tuple[LocalizedText, ...]) -> None:
    inner = etree.SubElement(add_slot(parent, name, INTERNATIONAL_STRING), VALUE)
    for text in texts:
        etree.SubElement(inner, LOCALIZED_STRING, {ns.XML_LANG: text.lang, "value": text.value})


def add_any_slot(parent: Element, name: str) -> Element:
    """Append an ``AnyValueType`` slot; the caller appends the one element to the returned SlotValue."""
    return add_slot(parent, name, ANY)


def add_collection_slot(parent: Element, name: str) -> Element:
    value = add_slot(parent, name, COLLECTION)
    value.set("collectionType", ns.COLLECTION_SET)
    return value


def add_collection_element(collection: Element) -> Element:
    """Append a ``rim:Element xsi:type="rim:AnyValueType"`` to a collection and return it."""
    return etree.SubElement(collection, ELEMENT, {ns.XSI_TYPE: "rim:" + ANY})

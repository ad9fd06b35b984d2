"""Canonical XML text for the builders, written directly instead of through an lxml tree.

The builders used to assemble an lxml tree (one ``SubElement`` call per element, ~4 µs each) and serialise
it. They now write the text themselves, exactly as
``etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)`` (libxml2's serialiser)
wrote it: the declaration ``<?xml version='1.0' encoding='UTF-8'?>``, two-space indentation of
element-only content (libxml2 caps it at 60 characters; our documents stay far below), text-only elements
on one line, ``<x/>`` for an empty element, a final newline, and the escaping below. A string holding
something that is not an XML character raises :class:`~oots_client.edm.errors.XmlCharacterError` (a
``BuildError`` and a ``ValueError``, as lxml raised). The builder tests hold the output to lxml's with
property-based comparisons.
"""

from __future__ import annotations

import re
from typing import Final

from oots_client.edm.errors import XmlCharacterError

DECLARATION: Final = "<?xml version='1.0' encoding='UTF-8'?>\n"

#: what is not an XML 1.0 Char (refused), and what needs escaping
_INVALID: Final = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
_TEXT_SPECIAL: Final = re.compile(f"[&<>\r{_INVALID}]")
_ATTR_SPECIAL: Final = re.compile(f'[&<>"\t\n\r{_INVALID}]')
_INVALID_CHAR: Final = re.compile(f"[{_INVALID}]")
#: ``needs_text_escape(s)`` is None when ``s`` can be written as element text unchanged (the usual case)
needs_text_escape: Final = _TEXT_SPECIAL.search
_needs_attr_escape: Final = _ATTR_SPECIAL.search
_NOT_XML: Final = "holds a character XML cannot carry (control character, U+FFFE, U+FFFF, lone surrogate)"


def _check(value: str, what: str) -> None:
    if _INVALID_CHAR.search(value):
        raise XmlCharacterError(f"{what} {_NOT_XML}", "/")


def escape_text(value: str) -> str:
    """Element text as libxml2 writes it."""
    if needs_text_escape(value) is None:
        return value
    _check(value, "the text")
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def escape_attribute(value: str, name: str = "") -> str:
    """An attribute value (without the quotes) as libxml2 writes it."""
    if _needs_attr_escape(value) is None:
        return value
    _check(value, f"attribute {name}" if name else "an attribute")
    return (
        value.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
        .replace("\t", "&#9;")
    )


def attr(name: str, value: str) -> str:
    """`` name="value"`` with the value escaped; ``name`` is a prefixed name such as ``xsi:type``."""
    return f' {name}="{escape_attribute(value, name)}"'


def leaf(tag: str, text: str | None, attributes: str = "") -> str:
    """``<tag attributes>text</tag>``, or ``<tag attributes/>`` when ``text`` is None (no indentation)."""
    if text is None:
        return f"<{tag}{attributes}/>"
    if needs_text_escape(text) is None:
        return f"<{tag}{attributes}>{text}</{tag}>"
    try:
        return f"<{tag}{attributes}>{escape_text(text)}</{tag}>"
    except XmlCharacterError as exc:
        raise XmlCharacterError(exc.what, tag) from None

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

The builders keep their output as a list that alternates markup (even positions) and the values taken from
the model (odd positions: element text and attribute values, written raw). :func:`escape_values` then
escapes all of them at once: one check of all the values together (almost never does one need escaping),
and only when that check finds something, each value is escaped as text or as an attribute value, exactly
as :func:`escape_text` and :func:`escape_attribute` do it.
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


#: every ASCII character that text or an attribute value must escape, or that XML cannot carry
_ASCII_SPECIAL: Final = bytes(range(32)) + b'&<>"'


def _values_need_escaping(values: str) -> bool:
    """Whether any of the values (joined) holds a character that text or an attribute must escape."""
    if values.isascii():  # the usual case, checked on the bytes: all specials removed, same length?
        ascii_bytes = values.encode("ascii")
        return len(ascii_bytes.translate(None, _ASCII_SPECIAL)) != len(ascii_bytes)
    if values.isprintable() and "&" not in values and "<" not in values and ">" not in values:
        return '"' in values  # isprintable() is False for tabs, line breaks and what XML cannot carry
    return _needs_attr_escape(values) is not None  # the attribute set includes the text set


def _element_of(out: list[str], index: int) -> str:
    """The name of the element whose start tag ends at or before ``out[index]`` (for error locations)."""
    for position in range(index, -1, -2):
        markup = out[position]
        start = markup.rfind("<")
        if start >= 0:
            return markup[start + 1 :].split(" ", 1)[0].split(">", 1)[0].rstrip("/")
    return "/"


def escape_values(out: list[str]) -> None:
    """Escape the values at the odd positions of ``out`` in place.

    A value whose markup (the item before it) ends with ``="`` is an attribute value; any other is element
    text. A value holding a character XML cannot carry raises
    :class:`~oots_client.edm.errors.XmlCharacterError`, located as :func:`attr` and :func:`leaf` locate it.
    """
    assert len(out) % 2 == 0, "markup and values must alternate"
    if not _values_need_escaping("".join(out[1::2])):
        return
    for index in range(1, len(out), 2):
        value = out[index]
        if not value:
            continue
        markup = out[index - 1]
        if markup.endswith('="'):
            out[index] = escape_attribute(value, markup[markup.rfind(" ") + 1 : -2])
            continue
        try:
            out[index] = escape_text(value)
        except XmlCharacterError as exc:
            raise XmlCharacterError(exc.what, _element_of(out, index - 1)) from None

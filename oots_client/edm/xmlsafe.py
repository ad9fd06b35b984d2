"""A hardened XML parser for untrusted input: no network, no DTD, no entity expansion, bounded size and depth.

Every failure comes out as a typed :class:`~oots_client.edm.errors.EdmError`, never as a bare lxml exception.
"""

from __future__ import annotations

import re
from typing import Final

from lxml import etree

from oots_client.edm.errors import UnsafeXmlError, XmlSyntaxError

DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024  # the XML part only; evidences travel as separate MIME parts

# A DOCTYPE (and with it any entity declaration) is refused before lxml sees the input. The prefix checked is
# generous: a DOCTYPE must come before the root element, so it can only follow the prolog and comments.
_DOCTYPE: Final = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")


def _make_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,  # keeps libxml2's depth (256) and text-node limits
        remove_comments=False,
        remove_pis=False,
        collect_ids=False,
    )


_PARSER: Final = _make_parser()


_ELEMENT_START: Final = re.compile(rb"<[^?!]")


def _first_element_offset(data: bytes) -> int:
    """Offset of the first ``<`` that opens an element (not ``<?``, ``<!``), or len(data)."""
    match = _ELEMENT_START.search(data)
    return match.start() if match is not None else len(data)


def parse_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse untrusted bytes into an element tree, or raise a typed error.

    Refuses: more than ``max_bytes``; UTF-16/32 input (OOTS payloads are UTF-8); any DOCTYPE or entity
    declaration; malformed or truncated XML; nesting deeper than libxml2's safe default.
    """
    if not isinstance(data, bytes | bytearray):
        raise XmlSyntaxError("input must be bytes")
    if len(data) > max_bytes:
        raise UnsafeXmlError(f"XML part is {len(data)} bytes, more than the limit of {max_bytes}")
    data = bytes(data)
    if not data or data.isspace():
        raise XmlSyntaxError("empty document")
    if data.startswith(_UTF16_BOMS) or data[:4] in (b"\x00<\x00?", b"<\x00?\x00"):
        raise UnsafeXmlError("only UTF-8 (or ASCII) encoded XML is accepted")
    if _DOCTYPE.search(data, 0, _first_element_offset(data) + 1):  # in the prolog
        raise UnsafeXmlError("a DOCTYPE or entity declaration is not allowed")
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None) or 0
        raise XmlSyntaxError(f"not well-formed XML: {exc.msg}", f"line {line}") from None
    except (ValueError, etree.LxmlError) as exc:
        raise XmlSyntaxError(f"unreadable XML: {exc}") from None
    docinfo = root.getroottree().docinfo
    if str(getattr(docinfo, "doctype", "") or "") or docinfo.internalDTD is not None:
        raise UnsafeXmlError("a DOCTYPE or entity declaration is not allowed")
    return root


def parse_own(data: bytes) -> etree._Element:
    """Parse XML this package has just written itself (the builders' output) with the same hardened parser.

    The prolog checks of :func:`parse_xml` are skipped: the builders never write a DOCTYPE and their size is
    bounded by the model. Never use this for bytes that come from outside.
    """
    return etree.fromstring(data, parser=_PARSER)

"""Hostile and broken input: a typed error, quickly, never a crash or an expansion."""

from __future__ import annotations

import time

import pytest

from oots_client.edm import (
    EdmError,
    NotEdmMessageError,
    UnsafeXmlError,
    XmlSyntaxError,
    build_request,
    parse_message,
)
from oots_client.edm.examples import example_request
from oots_client.edm.xmlsafe import parse_xml

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE q [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<query:QueryRequest xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0" id="&xxe;"/>"""

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<lolz>&lol4;</lolz>"""


def test_external_entity_is_refused() -> None:
    with pytest.raises(UnsafeXmlError, match="DOCTYPE"):
        parse_message(XXE)


def test_billion_laughs_is_refused() -> None:
    with pytest.raises(UnsafeXmlError):
        parse_message(BILLION_LAUGHS)


def test_doctype_after_a_long_comment_is_still_refused() -> None:
    with pytest.raises(UnsafeXmlError):
        parse_message(b"<!--" + b"x" * 10_000 + b"-->" + BILLION_LAUGHS.split(b"?>", 1)[1])


def test_fifty_megabytes_of_nesting_is_refused_fast() -> None:
    data = b"<a>" * (50 * 1024 * 1024 // 3)
    started = time.perf_counter()
    with pytest.raises(UnsafeXmlError, match="limit"):
        parse_message(data)
    assert time.perf_counter() - started < 1.0


def test_deep_nesting_under_the_size_limit_is_refused_as_malformed() -> None:
    depth = 100_000
    data = b"<a>" * depth + b"</a>" * depth
    with pytest.raises(XmlSyntaxError):
        parse_message(data, max_bytes=len(data))


def test_size_limit_is_configurable() -> None:
    data = build_request(example_request(), "v1.2")
    with pytest.raises(UnsafeXmlError):
        parse_message(data, max_bytes=len(data) - 1)
    assert parse_message(data, max_bytes=len(data)).kind == "request"


def test_wrong_root_is_not_edm() -> None:
    with pytest.raises(NotEdmMessageError, match="root"):
        parse_message(b"<html><body>hello</body></html>")


def test_truncated_document_is_a_syntax_error_with_a_line() -> None:
    data = build_request(example_request(), "v1.2")
    with pytest.raises(XmlSyntaxError) as caught:
        parse_message(data[: len(data) // 2])
    assert caught.value.where.startswith("line ")


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b"not xml", b"\xff\xfe<\x00a\x00/\x00>\x00", b"<a>\xff\xfe</a>", b"<?xml version='1.0'?>"],
    ids=["empty", "blank", "text", "utf16", "bad-utf8", "prolog-only"],
)
def test_garbage_gives_a_typed_error(data: bytes) -> None:
    with pytest.raises(EdmError):
        parse_message(data)


def test_request_missing_a_mandatory_slot_says_which_and_where() -> None:
    data = build_request(example_request(), "v1.2")
    root = parse_xml(data)
    slot = root.find("{urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0}Slot[@name='ExplicitRequestGiven']")
    assert slot is not None
    root.remove(slot)
    from lxml import etree

    with pytest.raises(EdmError) as caught:
        parse_message(etree.tostring(root))
    assert "ExplicitRequestGiven" in caught.value.what
    assert caught.value.where == "/query:QueryRequest"


def test_hostile_input_never_reaches_entity_resolution_via_parse_xml() -> None:
    with pytest.raises(UnsafeXmlError):
        parse_xml(XXE)

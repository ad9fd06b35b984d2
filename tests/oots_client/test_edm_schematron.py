"""The Schematron → XSLT compiler on small schemas: ISO semantics that the OOTS rules rely on."""

from __future__ import annotations

from pathlib import Path

import pytest

from oots_client.edm.schematron import SchematronCompileError, compile_schematron

SCHEMA = """<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
  <sch:ns prefix="t" uri="urn:test"/>
  <sch:pattern>
    <sch:rule context="t:item[@kind='special']">
      <sch:assert test="@value = 'ok'" id="SPECIAL"
        >special item <sch:value-of select="@id"/> not ok</sch:assert>
    </sch:rule>
    <sch:rule context="t:item">
      <sch:let name="v" value="string(@value)"/>
      <sch:assert test="matches($v, '^[a-z]+$')" id="LOWER" flag="warning"
        >value <sch:value-of select="$v"/></sch:assert>
    </sch:rule>
  </sch:pattern>
  <sch:pattern>
    <sch:rule context="t:item/@id">
      <sch:report test="starts-with(., 'x')" id="XID">id starts with x</sch:report>
    </sch:rule>
  </sch:pattern>
</sch:schema>"""


@pytest.fixture
def schema(tmp_path: Path) -> Path:
    path = tmp_path / "test.sch"
    path.write_text(SCHEMA)
    return path


def _run(schema: Path, body: str) -> list[tuple[str, str, str, str]]:
    document = f'<t:root xmlns:t="urn:test">{body}</t:root>'.encode()
    return [(f.rule_id, f.flag, f.location, f.message) for f in compile_schematron(schema).run(document)]


def test_first_matching_rule_of_a_pattern_wins(schema: Path) -> None:
    # the special item has an upper-case value: only SPECIAL fires, not the later generic rule
    assert _run(schema, '<t:item kind="special" id="a" value="BAD"/>') == [
        ("SPECIAL", "error", "/t:root[1]/t:item[1]", "special item a not ok")
    ]


def test_let_variables_and_value_of_reach_the_message(schema: Path) -> None:
    assert _run(schema, '<t:item id="b" value="ABC"/>') == [
        ("LOWER", "warning", "/t:root[1]/t:item[1]", "value ABC")
    ]


def test_report_fires_on_attribute_context(schema: Path) -> None:
    assert _run(schema, '<t:item id="x1" value="abc"/>') == [
        ("XID", "error", "/t:root[1]/t:item[1]/@id", "id starts with x")
    ]


def test_valid_document_gives_no_findings(schema: Path) -> None:
    assert _run(schema, '<t:item id="a" value="abc"/><t:item kind="special" id="b" value="ok"/>') == []


def test_unsupported_constructs_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "abstract.sch"
    path.write_text(SCHEMA.replace('<sch:rule context="t:item">', '<sch:rule abstract="true" id="r">'))
    with pytest.raises(SchematronCompileError):
        compile_schematron(path)


def test_compiled_schema_is_cached(schema: Path) -> None:
    assert compile_schematron(schema) is compile_schematron(schema)

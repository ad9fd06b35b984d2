"""The one Genericode reader: the lists shipped with the package (read as published, slips included) and the
lists a Data Service Directory points to (hostile until checked: strict)."""

from __future__ import annotations

import pytest

from oots_client.edm import codelists
from oots_client.edm.genericode import CODELIST_DIR, CodeListError, bundled, parse_code_list


def test_a_shipped_list_malformed_upstream_is_read_whole():
    # EDMErrorCodes-CodeList.gc leaves the SimpleValue of EDM:ERR:0008 unclosed.
    assert codelists.edm_error_types()["EDM:ERR:0008"] == "QueryExceptionType"
    assert len(codelists.edm_error_types()) == 8


def test_the_same_slip_in_a_list_from_the_network_is_refused():
    data = (CODELIST_DIR / "EDMErrorCodes-CodeList.gc").read_bytes()
    with pytest.raises(CodeListError, match="not a readable code list"):
        parse_code_list(data)


def test_a_row_keeps_every_column_and_its_labels():
    error = bundled("EDMErrorCodes-CodeList.gc").get("EDM:ERR:0004")
    assert error is not None
    assert error.label() == "Object not found"
    assert error.columns["name-Type"] == "rs:ObjectNotFoundExceptionType"


def test_a_list_with_namespaced_rows_and_language_columns_is_read():
    data = b"""<gc:CodeList xmlns:gc="http://docs.oasis-open.org/codelist/ns/genericode/1.0/">
      <Identification><ShortName>regionalStates</ShortName><Version>1</Version></Identification>
      <ColumnSet>
        <Column Id="code"><Data Type="string"/></Column>
        <Column Id="deu_label"><Data Type="string" Lang="deu"/></Column>
        <Key Id="k"><ColumnRef Ref="code"/></Key>
      </ColumnSet>
      <SimpleCodeList><Row><Value ColumnRef="code"><SimpleValue> HH </SimpleValue></Value>
        <Value ColumnRef="deu_label"><SimpleValue>Hamburg</SimpleValue></Value></Row></SimpleCodeList>
    </gc:CodeList>"""
    listed = parse_code_list(data)
    assert listed.codes() == {"HH"}
    assert listed.values[0].label("DE") == "Hamburg"

"""RegRep slot primitives shared with the Common Services client."""

from __future__ import annotations

import datetime as dt

import pytest

from oots_client.edm import regrep
from oots_client.edm.errors import InvalidMessageError
from oots_client.edm.model import LocalizedText
from oots_client.edm.xmlsafe import parse_xml

DOC = b"""<query:QueryResponse xmlns:query="urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0"
  xmlns:r="urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0" xmlns:x="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:ex="urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0" xmlns:oots="http://data.europa.eu/p4s"
  status="urn:oasis:names:tc:ebxml-regrep:ResponseStatusType:Failure">
  <r:Slot name="S"><r:SlotValue x:type="r:StringValueType"><r:Value> text </r:Value></r:SlotValue></r:Slot>
  <r:Slot name="B"><r:SlotValue x:type="r:BooleanValueType"><r:Value>true</r:Value></r:SlotValue></r:Slot>
  <r:Slot name="D"><r:SlotValue x:type="r:DateTimeValueType">
    <r:Value>2023-03-10T10:20:31+02:00</r:Value></r:SlotValue></r:Slot>
  <r:Slot name="I"><r:SlotValue x:type="r:InternationalStringValueType"><r:Value>
    <r:LocalizedString xml:lang="EN" value="one"/><r:LocalizedString xml:lang="FR" value="un"/>
    </r:Value></r:SlotValue></r:Slot>
  <r:Slot name="C"><r:SlotValue x:type="r:CollectionValueType">
    <r:Element x:type="r:AnyValueType"><oots:A/></r:Element>
    <r:Element x:type="r:AnyValueType"><oots:B/></r:Element></r:SlotValue></r:Slot>
  <r:Slot name="X"><r:SlotValue x:type="r:StringValueType"/></r:Slot>
  <ex:Exception x:type="ex:ObjectNotFoundExceptionType" code="DSD:ERR:0005" message="m" severity="s">
    <r:Slot name="Timestamp"><r:SlotValue x:type="r:DateTimeValueType">
      <r:Value>2023-03-10T10:20:31Z</r:Value></r:SlotValue></r:Slot>
  </ex:Exception>
</query:QueryResponse>"""


@pytest.fixture
def slots() -> dict[str, regrep.Element]:
    return regrep.slots(parse_xml(DOC))


def test_values_of_each_type_are_read_whatever_the_prefixes(slots: dict[str, regrep.Element]) -> None:
    assert regrep.read_string(slots["S"]) == "text"
    assert regrep.read_boolean(slots["B"]) is True
    assert regrep.read_datetime(slots["D"]) == dt.datetime(2023, 3, 10, 8, 20, 31, tzinfo=dt.UTC)
    assert regrep.read_international_string(slots["I"]) == (
        LocalizedText("one", "EN"),
        LocalizedText("un", "FR"),
    )
    assert [e.tag.rpartition("}")[2] for e in regrep.read_collection(slots["C"])] == ["A", "B"]


def test_missing_value_is_an_error_with_the_slot_location(slots: dict[str, regrep.Element]) -> None:
    with pytest.raises(InvalidMessageError) as caught:
        regrep.read_string(slots["X"])
    assert caught.value.where == "/query:QueryResponse/rim:Slot[@name='X']/rim:SlotValue"


def test_exceptions_and_status_of_a_common_services_answer() -> None:
    root = parse_xml(DOC)
    assert regrep.response_status(root) == "Failure"
    (exception,) = regrep.read_exceptions(root)
    assert (exception.type, exception.code, exception.message) == (
        "ObjectNotFoundExceptionType",
        "DSD:ERR:0005",
        "m",
    )
    assert regrep.read_datetime(exception.slots["Timestamp"]).tzinfo is not None

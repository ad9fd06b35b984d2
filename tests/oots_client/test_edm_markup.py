"""The builders' notation and writer: the XML a builder's source shows, escaped as libxml2 escapes it."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from oots_client.edm import (
    Address,
    AttachmentRef,
    BuildError,
    Distribution,
    EdmException,
    ErrorResponse,
    EvidenceItem,
    EvidenceMetadata,
    EvidenceRequest,
    EvidenceResponse,
    Identifier,
    LocalizedText,
    ResponseStatus,
    SectorSpecificAttribute,
    build_error,
    build_request,
    build_response,
)
from oots_client.edm.build.markup import escape_attribute, escape_text, rim, sdg, write_document
from oots_client.edm.errors import XmlCharacterError
from oots_client.edm.examples import EVIDENCE, PERSON, PROVIDER, example_request
from oots_client.edm.versions import VERSIONS

from .test_edm_roundtrip import request as requests

_SPECIALS = "&<>\"'\t\r\n]]>"
# text that libxml2 will not drop as "blank" when re-parsing with remove_blank_text
tricky = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(list(_SPECIALS)),
    min_size=1,
    max_size=15,
).filter(lambda s: s.strip() != "")


def _lxml_pretty(data: bytes) -> bytes:
    """What lxml writes for the tree our text describes (whitespace between elements dropped first)."""
    root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _body(data: bytes) -> str:
    """The document without its declaration and the root's namespace declarations."""
    return data.decode().split("\n", 1)[1].split(">", 1)[1]


# --- the notation ---------------------------------------------------------------------------------


def test_positional_arguments_are_children_and_keywords_attributes_in_the_order_written() -> None:
    data = write_document(
        rim.Slot(
            rim.SlotValue(rim.Value("oots-edm:v1.2"), xsi_type="rim:StringValueType", collectionType="x"),
            name="SpecificationIdentifier",
        )
    )
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<rim:Slot xmlns:query=")
    assert _body(data) == (
        '\n  <rim:SlotValue xsi:type="rim:StringValueType" collectionType="x">'
        "\n    <rim:Value>oots-edm:v1.2</rim:Value>"
        "\n  </rim:SlotValue>"
        "\n</rim:Slot>\n"
    )


def test_absent_children_and_attributes_are_left_out() -> None:
    data = write_document(sdg.Agent(None, sdg.Identifier("X", schemeID=None), None, sdg.Name("N", lang="EN")))
    assert (
        _body(data)
        == '\n  <sdg:Identifier>X</sdg:Identifier>\n  <sdg:Name lang="EN">N</sdg:Name>\n</sdg:Agent>\n'
    )


def test_prefixed_keywords_name_prefixed_attributes() -> None:
    data = write_document(
        rim.RepositoryItemRef(xlink_href="cid:a@b", xlink_title="T", xml_lang="EN", xsi_type="rim:X")
    )
    root = etree.fromstring(data)
    assert dict(root.attrib) == {
        "{http://www.w3.org/1999/xlink}href": "cid:a@b",
        "{http://www.w3.org/1999/xlink}title": "T",
        "{http://www.w3.org/XML/1998/namespace}lang": "EN",
        "{http://www.w3.org/2001/XMLSchema-instance}type": "rim:X",
    }


def test_empty_and_text_less_elements_are_written_like_lxml() -> None:
    assert _body(write_document(rim.Slot(rim.Value(), rim.Value("")))) == (
        "\n  <rim:Value/>\n  <rim:Value></rim:Value>\n</rim:Slot>\n"
    )


def test_mixed_content_is_refused() -> None:
    with pytest.raises(ValueError, match="both text and child elements"):
        write_document(sdg.Person("text", sdg.FamilyName("Smith")))


# --- escaping -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", ["plain", "a & b", "<x>", "]]>", "q\"uote's", "tab\there", "cr\rlf\n", "é😀"]
)
def test_escaping_is_libxml2s(value: str) -> None:
    element = etree.Element("x", a=value)
    element.text = value
    expected = etree.tostring(element, encoding="unicode")
    assert expected == f'<x a="{escape_attribute(value, "a")}">{escape_text(value)}</x>'
    written = write_document(sdg.Name(value, lang=value))
    assert _body(written) == f"{escape_text(value)}</sdg:Name>\n"
    assert etree.fromstring(written).get("lang") == value and etree.fromstring(written).text == value


def test_one_value_that_needs_escaping_is_escaped_and_the_others_written_as_they_are() -> None:
    data = write_document(sdg.Agent(sdg.Identifier("A&B", schemeID='q"s'), sdg.Name("Müller", lang="DE")))
    assert _body(data) == (
        '\n  <sdg:Identifier schemeID="q&quot;s">A&amp;B</sdg:Identifier>'
        '\n  <sdg:Name lang="DE">Müller</sdg:Name>\n</sdg:Agent>\n'
    )


@pytest.mark.parametrize("value", ["nul\x00", "bell\x07", "\ufffe", "\uffff", "lone \ud800"])
def test_characters_xml_cannot_carry_are_a_typed_build_error(value: str) -> None:
    with pytest.raises(XmlCharacterError) as caught:
        write_document(sdg.Person(sdg.FamilyName(value)))
    assert isinstance(caught.value, BuildError) and isinstance(caught.value, ValueError)
    assert caught.value.where == "sdg:FamilyName"
    with pytest.raises(XmlCharacterError, match="attribute lang"):
        write_document(sdg.Name("x", lang=value))
    request = dataclasses.replace(example_request(), subject=dataclasses.replace(PERSON, family_name=value))
    with pytest.raises(BuildError):
        build_request(request, "v1.2")


@settings(max_examples=60, deadline=None)
@given(requests, st.sampled_from(sorted(VERSIONS)), tricky, tricky)
def test_built_requests_are_what_lxml_writes_for_their_tree(
    model: EvidenceRequest, version: str, family: str, title: str
) -> None:
    subject = PERSON if not isinstance(model.subject, type(PERSON)) else model.subject
    model = dataclasses.replace(
        model,
        subject=dataclasses.replace(subject, family_name=family),
        evidence=dataclasses.replace(model.evidence, titles=(LocalizedText(title, "EN"),)),
    )
    data = build_request(model, version)
    assert _lxml_pretty(data) == data


@settings(max_examples=30, deadline=None)
@given(tricky)
def test_built_errors_escape_attributes_like_lxml(message: str) -> None:
    error = ErrorResponse(
        version="oots-edm:v1.2",
        request_id="urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797",
        response_id=None,
        exceptions=(
            EdmException(
                type="ObjectNotFoundExceptionType",
                code="EDM:ERR:0004",
                severity="urn:oasis:names:tc:ebxml-regrep:ErrorSeverityType:Error",
                message=message,
                detail=message,
                timestamp=dt.datetime(2026, 8, 6, 10, 0, tzinfo=dt.UTC),
            ),
        ),
    )
    data = build_error(error)
    assert _lxml_pretty(data) == data
    assert etree.fromstring(data)[-1].get("message") == message


@settings(max_examples=40, deadline=None)
@given(tricky, tricky, tricky)
def test_values_in_attributes_and_nested_elements_are_escaped_like_lxml(
    scheme: str, value: str, name: str
) -> None:
    person = dataclasses.replace(
        PERSON,
        identifier=Identifier(value, scheme),
        sector_specific_attributes=(SectorSpecificAttribute(name, value, scheme),),
        current_address=Address(admin_unit_level1="DE", full_address=name, thoroughfare=value),
    )
    model = dataclasses.replace(example_request(), subject=person, authorized_representative=person)
    for version in sorted(VERSIONS):
        data = build_request(model, version)
        assert _lxml_pretty(data) == data
    response = EvidenceResponse(
        version="oots-edm:v2.0",
        request_id=model.request_id,
        status=ResponseStatus.SUCCESS,
        response_id="abd12484-aa7d-4bb7-a697-7b15ab9b3b79",
        issue_datetime=dt.datetime(2026, 8, 6, 10, 0, tzinfo=dt.UTC),
        evidence_provider=None,
        evidence_requester=None,
        evidences=(
            EvidenceItem(
                registry_object_id="urn:uuid:0a2b3c4d-0000-4000-8000-000000000017",
                metadata=EvidenceMetadata(
                    identifier=value,
                    is_about=person,
                    issuing_authority=PROVIDER,
                    classification=EVIDENCE.classification,
                    titles=(LocalizedText(name, "EN"),),
                    issuing_date=dt.date(2026, 8, 1),
                    distribution=Distribution(format="application/pdf"),
                ),
                attachment=AttachmentRef(href="cid:" + value, title=name),
                classification_node=scheme,
            ),
        ),
    )
    data = build_response(response, package_id="urn:uuid:0a2b3c4d-0000-4000-8000-000000000020")
    assert _lxml_pretty(data) == data

"""The builders write XML text directly: exactly what lxml's serialiser writes for the same tree."""

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
from oots_client.edm.build import _check_xsd
from oots_client.edm.errors import XmlCharacterError
from oots_client.edm.examples import EVIDENCE, PERSON, PROVIDER, example_request
from oots_client.edm.regrep import format_datetime
from oots_client.edm.versions import V1_0
from oots_client.edm.xmlwriter import attr, escape_attribute, escape_text, escape_values, leaf

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


@settings(max_examples=60, deadline=None)
@given(requests, st.sampled_from(["oots-edm:v1.0", "oots-edm:v1.2", "oots-edm:v2.0"]), tricky, tricky)
def test_built_requests_are_byte_for_byte_lxml_output(
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


@pytest.mark.parametrize(
    "value", ["plain", "a & b", "<x>", "]]>", "q\"uote's", "tab\there", "cr\rlf\n", "é😀"]
)
def test_escaping_is_libxml2s(value: str) -> None:
    element = etree.Element("x", a=value)
    element.text = value
    assert etree.tostring(element, encoding="unicode") == f"<x{attr('a', value)}>{escape_text(value)}</x>"
    assert escape_attribute(value) in etree.tostring(element, encoding="unicode")


@pytest.mark.parametrize("value", ["nul\x00", "bell\x07", "\ufffe", "\uffff", "lone \ud800"])
def test_characters_xml_cannot_carry_are_a_typed_build_error(value: str) -> None:
    with pytest.raises(XmlCharacterError) as caught:
        leaf("sdg:FamilyName", value)
    assert isinstance(caught.value, BuildError) and isinstance(caught.value, ValueError)
    assert caught.value.where == "sdg:FamilyName"
    with pytest.raises(XmlCharacterError):
        attr("lang", value)
    request = dataclasses.replace(example_request(), subject=dataclasses.replace(PERSON, family_name=value))
    with pytest.raises(BuildError):
        build_request(request, "v1.2")


def test_empty_and_text_less_elements_are_written_like_lxml() -> None:
    assert leaf("rim:Value", None) == "<rim:Value/>"
    assert leaf("rim:Value", "") == "<rim:Value></rim:Value>"


@pytest.mark.parametrize(
    "value",
    [
        dt.datetime(2026, 8, 6, 10, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 8, 6, 10, 0, 1, 123456),
        dt.datetime(999, 1, 2, 3, 4, 5, tzinfo=dt.timezone(dt.timedelta(hours=-5, minutes=-30))),
    ],
)
def test_datetimes_keep_their_format(value: dt.datetime) -> None:
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond // 1000:03d}"
    if value.utcoffset() == dt.timedelta(0):
        text += "Z"
    elif value.utcoffset() is not None:
        text += value.strftime("%z")[:3] + ":" + value.strftime("%z")[3:]
    assert format_datetime(value) == text


def test_xsd_option_validates_and_reports_a_failure_as_build_error() -> None:
    data = build_request(example_request(), "v1.0", xsd=True)
    assert data == build_request(example_request(), "v1.0")
    broken = data.replace(b"<sdg:FamilyName>", b"<sdg:Unexpected/><sdg:FamilyName>")
    with pytest.raises(BuildError, match="XSD"):
        _check_xsd(broken, V1_0)


@settings(max_examples=40, deadline=None)
@given(tricky, tricky, tricky)
def test_values_in_attributes_and_nested_elements_are_escaped_like_lxml(
    scheme: str, value: str, name: str
) -> None:
    # the builders write values raw and escape them all at the end, as text or as attribute values
    person = dataclasses.replace(
        PERSON,
        identifier=Identifier(value, scheme),
        sector_specific_attributes=(SectorSpecificAttribute(name, value, scheme),),
        current_address=Address(admin_unit_level1="DE", full_address=name, thoroughfare=value),
    )
    model = dataclasses.replace(example_request(), subject=person, authorized_representative=person)
    for version in ("oots-edm:v1.0", "oots-edm:v1.2", "oots-edm:v2.0"):
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


def test_values_are_escaped_only_where_needed_and_alternate_with_markup() -> None:
    out = ['<a x="', 'q"&', '">', "a<b", "</a>", ""]
    escape_values(out)
    assert "".join(out) == '<a x="q&quot;&amp;">a&lt;b</a>'
    tabs = ['<a x="', "t\tb", '">', "t\tb\r", "</a>", ""]  # a tab is escaped in attributes only
    escape_values(tabs)
    assert "".join(tabs) == '<a x="t&#9;b">t\tb&#13;</a>'
    clean = ['<a x="', "plain", '">', "Müller", "</a>", ""]
    escape_values(clean)
    assert clean == ['<a x="', "plain", '">', "Müller", "</a>", ""]
    with pytest.raises(XmlCharacterError) as caught:
        escape_values(['<sdg:Name lang="', "EN", '">', "bell\x07", "</sdg:Name>", ""])
    assert caught.value.where == "sdg:Name"
    with pytest.raises(XmlCharacterError, match="attribute lang"):
        escape_values(['<sdg:Name lang="', "\x00", '">', "x", "</sdg:Name>", ""])

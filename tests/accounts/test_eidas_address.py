"""The eIDAS address attributes: read into their parts as nodes send them, and refused when hostile."""

from __future__ import annotations

import base64

import pytest

from accounts.eidas.address import MAX_ELEMENTS, EidasAddress, EidasAddressError, address_parse


def _b64(fragment: str | bytes) -> str:
    data = fragment.encode("utf-8") if isinstance(fragment, str) else fragment
    return base64.b64encode(data).decode("ascii")


# The example of the eIDAS SAML Attribute Profile: undeclared prefix, CRLF between the parts.
PROFILE_EXAMPLE = (
    "<eidas:LocatorDesignator>125</eidas:LocatorDesignator>\r\n"
    "<eidas:Thoroughfare>Kingsway</eidas:Thoroughfare>\r\n"
    "<eidas:PostName>London</eidas:PostName>\r\n"
    "<eidas:PostCode>WC2B 6PH</eidas:PostCode>"
)


def test_the_profile_example_with_its_undeclared_prefix_is_read():
    address = address_parse(_b64(PROFILE_EXAMPLE))
    assert address == EidasAddress(
        locator_designator="125", thoroughfare="Kingsway", post_name="London", post_code="WC2B 6PH"
    )
    assert address.one_line() == "Kingsway 125, WC2B 6PH London"


def test_base64_wrapped_in_lines_as_nodes_send_it_is_read():
    encoded = _b64(PROFILE_EXAMPLE)
    wrapped = "\n        ".join(encoded[i : i + 64] for i in range(0, len(encoded), 64))
    assert address_parse(f"\n        {wrapped}\n      ").post_name == "London"


def test_every_part_of_the_profile_and_the_full_address_are_read_whatever_the_prefix():
    fragment = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<eidas-natural:PoBox xmlns:eidas-natural="http://eidas.europa.eu/attributes/naturalperson">1234'
        "</eidas-natural:PoBox><x:LocatorName>Ségur Fontenoy</x:LocatorName>"
        "<CvaddressArea>Paris</CvaddressArea>"
        "<x:AdminunitFirstline>FR</x:AdminunitFirstline><x:AdminunitSecondline>PARIS</x:AdminunitSecondline>"
        "<x:FullCvaddress>20 avenue de Ségur, 75007 Paris</x:FullCvaddress>"
        "<x:AddressID>http://a.example/1</x:AddressID>"
    )
    address = address_parse(_b64(fragment))
    assert (address.po_box, address.locator_name, address.cv_address_area) == (
        "1234",
        "Ségur Fontenoy",
        "Paris",
    )
    assert (address.admin_unit_first_line, address.admin_unit_second_line) == ("FR", "PARIS")
    assert address.one_line() == "20 avenue de Ségur, 75007 Paris"


def test_parts_wrapped_in_an_element_of_the_node_are_read():
    fragment = "<eidas:CurrentAddress><eidas:PostName>Gent</eidas:PostName></eidas:CurrentAddress>"
    assert address_parse(_b64(fragment)).post_name == "Gent"


def test_escaped_characters_are_read_as_text_and_white_space_is_collapsed():
    fragment = "<eidas:Thoroughfare>  Rue  du Pont &amp; de\n la Gare </eidas:Thoroughfare>"
    assert address_parse(_b64(fragment)).thoroughfare == "Rue du Pont & de la Gare"


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("not base64!", "base64"),
        (_b64(b"\xff\xfe<a/>"), "UTF-8"),
        (_b64("<eidas:PostName>Gent"), "well-formed"),
        (
            _b64(
                '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><eidas:PostName>&x;</eidas:PostName>'
            ),
            "DOCTYPE",
        ),
        (_b64("<eidas:PostName>&x;</eidas:PostName>"), "well-formed"),  # an entity never declared
        (_b64("<eidas:PostName>Gent<!-- hidden --></eidas:PostName>"), "comment"),
        (_b64("<eidas:PostName>Gent</eidas:PostName><?php evil ?>"), "processing instruction"),
        # breaking out of the wrapper leaves a document that is not well-formed
        (_b64("<eidas:PostName>Gent</eidas:PostName></address><address>"), "well-formed"),
        (_b64("<eidas:PostName>Gent</eidas:PostName><eidas:PostName>Gand</eidas:PostName>"), "twice"),
        (_b64("<eidas:PostName>" + "x" * 301 + "</eidas:PostName>"), "characters"),
        (_b64("<eidas:X>1</eidas:X>" * (MAX_ELEMENTS + 1)), "more than"),
        (_b64("<eidas:A><eidas:PostName>Gent</eidas:PostName>text</eidas:A>"), "outside any part"),
        (_b64("<eidas:A>text<eidas:PostName>Gent</eidas:PostName></eidas:A>"), "both text and elements"),
        (_b64("Gent"), "outside any part"),
        (_b64("<eidas:PostName> </eidas:PostName>"), "without any part"),
        ("A" * 8193, "characters"),
    ],
)
def test_a_hostile_or_broken_address_is_refused(value, why):
    with pytest.raises(EidasAddressError, match=why):
        address_parse(value)


def test_nested_entities_never_expand():
    laughs = (
        '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        "<eidas:PostName>&b;&b;&b;</eidas:PostName>"
    )
    with pytest.raises(EidasAddressError):
        address_parse(_b64(laughs))

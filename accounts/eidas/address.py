"""The eIDAS address attributes (``CurrentAddress``, ``LegalPersonAddress`` and their representative forms):
read safely into their parts.

The eIDAS SAML Attribute Profile (v1.2, sections 2.2.9 and 2.3.3) sends an address as the base64 of an XML
fragment of the ISA Core Location vocabulary (``CurrentAddressStructuredType``): sibling elements such as
``<eidas:Thoroughfare>…</eidas:Thoroughfare><eidas:PostCode>…</eidas:PostCode>``, usually with a prefix
that the fragment itself never declares. The value comes from the network: it is bounded before it is
decoded, decoded strictly, and parsed by a parser that resolves no entity, loads no DTD and fetches
nothing, in a wrapper of ours that declares the prefixes the fragment uses; comments, processing
instructions and DOCTYPEs are refused, as in the rest of the SAML code (``accounts.eidas.response``).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, fields
from typing import Final

from lxml import etree

#: a real address is a few hundred bytes of base64; anything this long is refused unread
MAX_ENCODED_CHARS: Final = 8192
#: each part, after its white space is collapsed (the model's columns hold this much)
MAX_PART_CHARS: Final = 300
#: elements in one fragment (nine parts in the profile, and a few a node may add)
MAX_ELEMENTS: Final = 32

# Element (local name) -> part. ``FullCvaddress`` is in the eIDAS-Node's PostalAddress, not in the profile's
# CurrentAddressStructuredType; a node may send it, so it is read too. Other elements (the node's
# ``AddressID``, an identifier of the address in a register) are skipped.
_PARTS: Final = {
    "PoBox": "po_box",
    "LocatorDesignator": "locator_designator",
    "LocatorName": "locator_name",
    "CvaddressArea": "cv_address_area",
    "Thoroughfare": "thoroughfare",
    "PostName": "post_name",
    "AdminunitFirstline": "admin_unit_first_line",
    "AdminunitSecondline": "admin_unit_second_line",
    "PostCode": "post_code",
    "FullCvaddress": "full_address",
}
_PREFIX: Final = re.compile(r"</?([A-Za-z_][A-Za-z0-9_.-]{0,40}):")
_XML_DECLARATION: Final = re.compile(r"^\s*<\?xml[^>]{0,200}\?>")
_WRAPPER_NAMESPACE: Final = "urn:oots-portal:eidas-address"
_PARSER: Final = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=False,
    remove_pis=False,
    collect_ids=False,
)


class EidasAddressError(ValueError):
    """An address attribute that cannot be read (the detail is for the log)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class EidasAddress:
    """The parts of an eIDAS address, as the eID service gave them (empty string: not given)."""

    po_box: str = ""
    locator_designator: str = ""  # house number
    locator_name: str = ""  # building name
    cv_address_area: str = ""  # district, village
    thoroughfare: str = ""  # street
    post_name: str = ""  # town of the post code
    admin_unit_first_line: str = ""  # the country, usually its ISO 3166 code
    admin_unit_second_line: str = ""  # region, province
    post_code: str = ""
    full_address: str = ""

    def one_line(self) -> str:
        """The whole address on one line: the full address when the service gave one, else the parts in
        the order of a postal address."""
        if self.full_address:
            return self.full_address
        street = " ".join(part for part in (self.thoroughfare, self.locator_designator) if part)
        town = " ".join(part for part in (self.post_code, self.post_name) if part)
        parts = (
            street,
            self.locator_name,
            self.cv_address_area,
            self.po_box,
            town,
            self.admin_unit_second_line,
            self.admin_unit_first_line,
        )
        return ", ".join(part for part in parts if part)

    def as_dict(self) -> dict[str, str]:
        return {item.name: getattr(self, item.name) for item in fields(self)}


def address_parse(value: str) -> EidasAddress:
    """The parts of an eIDAS address attribute value (the base64 of the XML fragment), or
    :class:`EidasAddressError`."""
    if len(value) > MAX_ENCODED_CHARS:
        raise EidasAddressError(f"address of {len(value)} characters")
    compact = "".join(value.split())  # nodes wrap the base64 in lines
    try:
        raw = base64.b64decode(compact, validate=True)
        fragment = raw.decode("utf-8")
    except (binascii.Error, ValueError) as exc:
        raise EidasAddressError("address is not the base64 of UTF-8 text") from exc
    fragment = _XML_DECLARATION.sub("", fragment, count=1)
    if "<!" in fragment.replace("<![CDATA[", ""):  # DOCTYPE, ENTITY, comments
        raise EidasAddressError("DOCTYPE, entity declaration or comment in the address")
    if "<?" in fragment:
        raise EidasAddressError("processing instruction in the address")
    # The fragment's prefixes are declared on our wrapper (a declaration of its own takes precedence);
    # the parts are then found by their local name, whatever namespace they are in.
    prefixes = sorted(set(_PREFIX.findall(fragment)) - {"xml", "xmlns"})
    if len(prefixes) > 8:
        raise EidasAddressError(f"{len(prefixes)} namespace prefixes in the address")
    declarations = "".join(f' xmlns:{prefix}="{_WRAPPER_NAMESPACE}:{prefix}"' for prefix in prefixes)
    document = f'<address xmlns="{_WRAPPER_NAMESPACE}"{declarations}>{fragment}</address>'
    try:
        wrapper = etree.fromstring(document.encode("utf-8"), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise EidasAddressError(f"address is not well-formed XML: {exc.msg}") from None
    return _parts(wrapper)


def _parts(wrapper: etree._Element) -> EidasAddress:
    if (wrapper.text or "").strip():
        raise EidasAddressError("text outside any part")
    found: dict[str, str] = {}
    count = 0
    for element in wrapper.iterdescendants():
        count += 1
        if count > MAX_ELEMENTS:
            raise EidasAddressError(f"more than {MAX_ELEMENTS} elements in the address")
        if not isinstance(element.tag, str):  # a comment or PI the checks above let through
            raise EidasAddressError("comment or processing instruction in the address")
        local = etree.QName(element).localname
        if (element.tail or "").strip():
            raise EidasAddressError(f"text after <{local}>, outside any part")
        if len(element):
            # A node may wrap the parts in an element of its own: its children are read; it holds no text.
            if (element.text or "").strip():
                raise EidasAddressError(f"<{local}> holds both text and elements")
            continue
        part = _PARTS.get(local)
        if part is None:  # AddressID, or a part a later profile adds: nothing the EDM could carry
            continue
        if part in found:
            raise EidasAddressError(f"<{local}> twice in the address")
        text = " ".join((element.text or "").split())
        if len(text) > MAX_PART_CHARS:
            raise EidasAddressError(f"<{local}> of {len(text)} characters")
        found[part] = text
    address = EidasAddress(**found)
    if not any(found.values()):
        raise EidasAddressError("an address without any part")
    return address

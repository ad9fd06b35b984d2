"""The request the portal sends by default (EDM v1.2, built by ``procedures.request_content`` from a login at
the eIDAS test IdP and a Directory offer) compared slot by slot with the official v1.2 example (issue 17 item
1, as v2.0 is compared with FR's reference request in tests/oots_client/test_edm_build.py).

Same slots in the same order, same value types, and inside each slot only elements and attributes the
official example has at that place, in its order; what the example has and the portal does not send is
listed, so that a change either way is seen."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from oots_client.common_services import AccessService, DataServiceEvidenceType, DataServiceOffer, Publisher
from oots_client.common_services import Distribution as CsDistribution
from oots_client.edm import build_request
from oots_client.edm import namespaces as ns
from oots_client.edm.model import EvidenceProviderClassification, Identifier, LocalizedText
from oots_client.edm.versions import V1_2
from oots_client.edm.xmlsafe import parse_xml
from procedures.models import Procedure
from procedures.request_content import edm_preference, edm_request_content, requirement_reference
from simulators.eidas_idp.personas import PERSONAS
from tests.procedures.test_request_content_identities import _identity

pytestmark = pytest.mark.django_db

OFFICIAL = "edm-v1.2/education-preview-flow/EDM_Ferst_Request.xml"
XSI_TYPE = f"{{{ns.XSI}}}type"
# What the official example has that the portal's request leaves out, and why: the Evidence Broker's
# requirement descriptions are not kept; the requester is the procedure's authority, whose address is its
# country (R-EDM-REQ-C045); the example's person has a NUTS region the eIDAS address does not give.
NOT_SENT = {
    "Requirements/Requirement/Description",
    "EvidenceRequester/Agent/Address/FullAddress",
    "EvidenceRequester/Agent/Address/LocatorDesignator",
    "EvidenceRequester/Agent/Address/PostCode",
    "EvidenceRequester/Agent/Address/PostCityName",
    "EvidenceRequester/Agent/Address/AdminUnitLevel2",
    "NaturalPerson/Person/CurrentAddress/AdminUnitLevel2",
}

# What the portal sends that the official example has no value for: an optional sdg:Person element of the
# schema (the persona has a birth name).
ALSO_SENT = {"NaturalPerson/Person/BirthName"}


def _official(data_dir: Path) -> etree._Element:
    # A third party rewrote the example's xml:lang as xsi:lang (tests/data/edm-v1.2/ORIGIN.md).
    return parse_xml((data_dir / OFFICIAL).read_bytes().replace(b"xsi:lang=", b"xml:lang="))


def _portals_request() -> etree._Element:
    procedure = Procedure.objects.get(code="T2")
    requirement, _ = procedure.requirements.get_or_create(
        identifier="https://sr.oots.tech.ec.europa.eu/requirements/cfcd4e22-30f1-48fa-93e4-6cf98cedbf40",
        defaults={"name": "Proof of secondary education diploma/certificate"},
    )
    distribution = CsDistribution(
        format="application/xml",
        conforms_to="https://sr.oots.tech.ec.europa.eu/datamodels/secondary-education-evidence-1.0.0",
        transformation="https://sr.oots.tech.ec.europa.eu/datamodels/secondary-education-evidence-1.0.0/passed",
    )
    offer = DataServiceOffer(
        DataServiceEvidenceType(
            identifier="487fdfdc-7f92-42bb-a690-dcbd3d65f435",
            classification="https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/"
            "edf717b7-b373-40b1-b51b-cbb7c9d64de5",
            titles=(LocalizedText("Secondary Education Completion Evidence", "EN"),),
            descriptions=(LocalizedText("Proof of a secondary school graduation.", "EN"),),
            distributions=(distribution,),
        ),
        AccessService(
            identifier="de-ap",
            scheme_id="urn:oasis:names:tc:ebcore:partyid-type:unregistered:oots",
            conforms_to=("oots-edm:v1.2", "oots-edm:v2.0"),
            publisher=Publisher(
                identifier="02-SchoolAuthority-34",
                scheme_id="urn:cef.eu:names:identifier:EAS:0204",
                names=(LocalizedText("Authority for school and occupational training Hamburg", "EN"),),
                country="DE",
            ),
        ),
    )
    version = next(v for v in edm_preference() if v.identifier in offer.access_service.conforms_to)
    assert version == V1_2  # the portal's default choice for a provider speaking 1.2 and 2.0
    content = edm_request_content(
        procedure=procedure,
        requirement=requirement_reference(requirement),
        identity=_identity(PERSONAS["fr-camille"]),  # every optional attribute of a natural person
        loa="high",
        offer=offer,
        distribution=distribution,
        version=version,
        classifications=(
            EvidenceProviderClassification(
                identifier=Identifier(
                    "9be524c1-6efe-417a-974c-088f54f0bcae",
                    "https://sr.oots.tech.ec.europa.eu/codelists/DE/federalStates",
                ),
                supported_values=("HH",),
                type="codelist",
                value_expression="https://query.cs.uat.oots.tech.ec.europa.eu/dsd/rest/codelists/DE/regionalStates/1",
                descriptions=(LocalizedText("Select the federal state.", "EN"),),
            ),
        ),
    )
    return parse_xml(build_request(content, version))


def _slots(root: etree._Element) -> list[etree._Element]:
    return list(root.iter(f"{{{ns.RIM}}}Slot"))


def _paths(slot: etree._Element) -> list[tuple[str, tuple[str, ...]]]:
    """Each sdg element under the slot as ``Slot/Parent/Element`` with its attribute names, in document
    order, first appearance only."""
    seen: dict[str, tuple[str, ...]] = {}
    for element in slot.iter(f"{{{ns.SDG}}}*"):
        names = [
            etree.QName(a).localname
            for a in reversed(list(element.iterancestors()))
            if a.tag.startswith(f"{{{ns.SDG}}}")
        ]
        path = "/".join([slot.get("name") or "", *names, etree.QName(element).localname])
        seen.setdefault(path, tuple(sorted(etree.QName(a).localname for a in element.attrib)))
    return list(seen.items())


def test_the_portals_default_request_has_the_official_v12_slots_in_order_with_their_value_types(data_dir):
    official, portal = _slots(_official(data_dir)), _slots(_portals_request())
    assert [s.get("name") for s in portal] == [s.get("name") for s in official]
    for ours, theirs in zip(portal, official, strict=True):
        assert (ours[0].get(XSI_TYPE), ours[0].get("collectionType")) == (
            theirs[0].get(XSI_TYPE),
            theirs[0].get("collectionType"),
        ), ours.get("name")


def test_inside_each_slot_the_portal_sends_only_what_the_official_example_has_there_in_its_order(data_dir):
    official = {s.get("name"): _paths(s) for s in _slots(_official(data_dir))}
    missing: set[str] = set()
    for slot in _slots(_portals_request()):
        theirs = dict(official[slot.get("name")])
        order = list(theirs)
        ours = _paths(slot)
        for path, attributes in ours:
            assert path in theirs or path in ALSO_SENT, f"{path} is not in the official example"
            assert path in ALSO_SENT or set(attributes) <= set(theirs[path]), f"{path}: {attributes}"
        positions = [order.index(path) for path, _ in ours if path in theirs]
        assert positions == sorted(positions), f"{slot.get('name')}: not in the official order"
        missing |= {path for path in theirs if path not in dict(ours)}
    assert missing == NOT_SENT

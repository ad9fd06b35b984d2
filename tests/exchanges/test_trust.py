"""The checks an incoming answer must pass (``exchanges.trust``), one behaviour each, without a database."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from exchanges.models import EvidenceRequest, IncomingReason
from exchanges.trust import (
    attachments_refusal,
    header_refusal,
    sniffed_media_type,
    subject_mismatch,
)
from oots_client.access_point import AsMessage, PartyId, Payload, Property, UserMessage
from oots_client.edm import (
    AttachmentRef,
    Distribution,
    EvidenceItem,
    EvidenceMetadata,
    EvidenceResponse,
    Identifier,
    LegalPerson,
    LocalizedText,
    NaturalPerson,
    ResponseStatus,
    codelists,
)
from oots_client.edm.examples import COMPANY, EVIDENCE, PERSON, PROVIDER
from tests.exchanges.factories import PDF, PROVIDER_AP
from tests.exchanges.forgeries import PNG

LIMIT = 1_000_000


@pytest.mark.parametrize(
    ("data", "shown"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
        (b'<?xml version="1.0"?><evidence><name>x</name></evidence>', "application/xml"),
        (b"\xef\xbb\xbf<evidence/>", "application/xml"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>', "image/svg+xml"),
        (b' {"evidence": {"name": "x"}}', "application/json"),
        (b"[1, 2]", "application/json"),
        (b"<html><body><p>Hello<br></body></html>", None),  # not well-formed
        (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', None),  # entities are never expanded
        (b"{not json", None),
        (b"MZ\x90\x00 an executable", None),
        (b"", None),
    ],
)
def test_the_media_type_is_read_from_the_bytes(data, shown):
    assert sniffed_media_type(data, max_bytes=LIMIT) == shown


def test_xml_larger_than_the_limit_shows_no_media_type():
    assert sniffed_media_type(b"<a>" + b"x" * 100 + b"</a>", max_bytes=50) is None


def _person(**changes) -> NaturalPerson:
    return dataclasses.replace(PERSON, **changes)


@pytest.mark.parametrize(
    "about",
    [
        PERSON,
        # Same identifier: names are not compared (registers write them differently).
        _person(family_name="Smith-Jones", given_name="J."),
        # No identifier on one side: names compared without case, accents or separators.
        _person(identifier=None, family_name="SMITH", given_name="jack"),
    ],
)
def test_the_person_asked_about_is_recognised(about):
    assert subject_mismatch(PERSON, about) is None


def test_names_are_compared_without_accents_case_or_separators():
    asked = _person(identifier=None, family_name="Müller-Lüdenscheidt", given_name="Zoë")
    about = _person(identifier=None, family_name="muller ludenscheidt", given_name="ZOE")
    assert subject_mismatch(asked, about) is None


@pytest.mark.parametrize(
    ("about", "what"),
    [
        (_person(identifier=Identifier("DE/NL/987654321", "eidas")), "identifier"),
        (_person(date_of_birth=dt.date(1999, 3, 2)), "date of birth"),
        (_person(identifier=None, family_name="Smyth"), "names"),
        (COMPANY, "legal person"),
    ],
)
def test_another_subject_is_named_without_its_values(about, what):
    problem = subject_mismatch(PERSON, about)
    assert problem is not None and what in problem
    assert "987654321" not in problem and "Smyth" not in problem  # no personal data in the log


@pytest.mark.parametrize(
    ("about", "same"),
    [
        (COMPANY, True),
        (dataclasses.replace(COMPANY, legal_person_identifier=Identifier("SE/NL/999", "eidas")), False),
        # No eIDAS identifier on one side: a shared business identifier decides.
        (dataclasses.replace(COMPANY, legal_person_identifier=None, legal_name="Other name"), True),
        (
            dataclasses.replace(
                COMPANY, legal_person_identifier=None, identifiers=(Identifier("SE000000000", "VAT"),)
            ),
            False,
        ),
        (LegalPerson(legal_name="SWEDEN LTD"), True),
        (LegalPerson(legal_name="Norway ltd"), False),
    ],
)
def test_a_legal_person_is_recognised_by_identifier_then_name(about, same):
    assert (subject_mismatch(COMPANY, about) is None) is same


def _exchange() -> EvidenceRequest:
    return EvidenceRequest(
        access_point_id=PROVIDER_AP.value,
        access_point_type=PROVIDER_AP.type,
        provider_identifier="DE73524311",
        provider_scheme="urn:cef.eu:names:identifier:EAS:9930",
    )


def _header(sender: PartyId, original_sender: PartyId | None) -> UserMessage:
    properties: tuple[Property, ...] = ()
    if original_sender is not None:
        properties = (Property("originalSender", original_sender.value, original_sender.type),)
    return UserMessage(
        from_party=sender,
        from_role="r",
        to_party=None,
        to_role=None,
        service="QueryManager",
        service_type=None,
        action="ExecuteQueryResponse",
        properties=properties,
    )


PROVIDER_ID = PartyId("DE73524311", "urn:cef.eu:names:identifier:EAS:9930")


@pytest.mark.parametrize(
    "sender",
    [
        PROVIDER_AP,
        PartyId(PROVIDER_AP.value, PROVIDER_AP.type.upper()),  # a URN's case does not count
        PartyId(f"{PROVIDER_AP.type}:{PROVIDER_AP.value}"),  # the type glued onto the value (DIGEST §1.20)
    ],
)
def test_the_directorys_access_point_is_recognised_however_encoded(sender):
    assert header_refusal(_header(sender, PROVIDER_ID), _exchange()) is None


@pytest.mark.parametrize(
    ("sender", "original_sender", "reason"),
    [
        (PartyId("AP_DE_02", PROVIDER_AP.type), PROVIDER_ID, IncomingReason.WRONG_SENDER),
        (PartyId(PROVIDER_AP.value), PROVIDER_ID, IncomingReason.WRONG_SENDER),  # no type
        (PROVIDER_AP, None, IncomingReason.WRONG_ORIGINAL_SENDER),
        (
            PROVIDER_AP,
            PartyId("DE73524311", "urn:cef.eu:names:identifier:EAS:0204"),
            IncomingReason.WRONG_ORIGINAL_SENDER,
        ),
    ],
)
def test_another_sender_is_refused(sender, original_sender, reason):
    refusal = header_refusal(_header(sender, original_sender), _exchange())
    assert refusal is not None and refusal.reason == reason


def test_a_media_type_outside_the_oots_list_is_refused_even_when_all_three_agree():
    item = EvidenceItem(
        registry_object_id="urn:uuid:1",
        metadata=EvidenceMetadata(
            identifier="1",
            is_about=PERSON,
            issuing_authority=PROVIDER,
            classification=EVIDENCE.classification,
            titles=(LocalizedText("x"),),
            issuing_date=dt.date(2026, 1, 1),
            distribution=Distribution(format="text/html"),
        ),
        attachment=AttachmentRef(href="cid:a@b"),
    )
    response = EvidenceResponse(
        version="oots-edm:v1.2",
        request_id="urn:uuid:2",
        status=ResponseStatus.SUCCESS,
        response_id="3",
        issue_datetime=None,
        evidence_provider=PROVIDER,
        evidence_requester=None,
        evidences=(item,),
    )
    message = AsMessage(
        header=_header(PROVIDER_AP, PROVIDER_ID), payloads=(Payload("cid:a@b", "text/html", b"<p>"),)
    )
    refusal = attachments_refusal(response, message, max_bytes=LIMIT, allowed=codelists.media_types())
    assert refusal is not None and refusal.reason == IncomingReason.WRONG_MEDIA_TYPE
    assert "not an OOTS media type" in refusal.detail

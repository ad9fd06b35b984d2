"""Build → parse → build is stable for any model the builders accept (property-based)."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import given, settings
from hypothesis import strategies as st

from oots_client.edm import (
    Address,
    Distribution,
    EvidenceRequest,
    Identifier,
    LegalPerson,
    LocalizedText,
    NaturalPerson,
    QueryRequest,
    RequestedEvidenceType,
    Requirement,
    build_request,
    parse_message,
)
from oots_client.edm.examples import EVIDENCE, PROVIDER, REQUESTER
from oots_client.edm.versions import VERSIONS

text = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), min_size=1, max_size=20
).map(lambda s: " ".join(s.split()) or "x")
lang = st.sampled_from(["EN", "DE", "FR", "NL"])
localized = st.builds(LocalizedText, text, lang)
country = st.sampled_from(["DE", "FR", "NL", "EL", "SK"])
address = st.builds(
    Address, admin_unit_level1=country, post_code=st.none() | text, full_address=st.none() | text
)
loa = st.sampled_from(["Low", "Substantial", "High"])
person = st.builds(
    NaturalPerson,
    family_name=text,
    given_name=text,
    date_of_birth=st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
    level_of_assurance=loa,
    identifier=st.none() | st.builds(Identifier, text, st.just("eidas")),
    place_of_birth=st.none() | text,
    current_address=st.none() | address,
    gender=st.none() | st.sampled_from(["Male", "Female", "Unspecified"]),
    nationality=st.none() | country,
    email_address=st.none() | text,
)
company = st.builds(
    LegalPerson,
    legal_name=text,
    level_of_assurance=loa,
    identifiers=st.lists(st.builds(Identifier, text, st.sampled_from(["VAT", "LEI"])), max_size=2).map(tuple),
    registered_address=st.none() | address,
)
requirement = st.builds(
    Requirement,
    identifier=st.uuids().map(lambda u: f"https://sr.oots.tech.ec.europa.eu/requirements/{u}"),
    names=st.lists(localized, min_size=1, max_size=2).map(tuple),
    descriptions=st.lists(localized, max_size=2).map(tuple),
)
distribution = st.builds(
    Distribution,
    format=st.sampled_from(["application/pdf", "application/xml", "image/png"]),
    conforms_to=st.none() | st.just("https://sr.oots.tech.ec.europa.eu/datamodels/x-1.0.0"),
    languages=st.lists(lang, max_size=2).map(tuple),
)
request = st.builds(
    EvidenceRequest,
    evidence_requester=st.just(REQUESTER),
    evidence_provider=st.just(PROVIDER),
    evidence=st.builds(
        RequestedEvidenceType,
        identifier=st.uuids().map(str),
        classification=st.just(EVIDENCE.classification),
        titles=st.lists(localized, min_size=1, max_size=2).map(tuple),
        descriptions=st.lists(localized, max_size=2).map(tuple),
        distribution=distribution,
    ),
    subject=person | company,
    possibility_for_preview=st.booleans(),
    procedure=st.none() | st.sampled_from(["T2", "R1", "X4", "00"]),
    requirements=st.lists(requirement, max_size=2).map(tuple),
    authorized_representative=st.none() | person,
    preview_location=st.none() | st.just("https://preview.example.org/s?id=1"),
    return_location=st.none() | st.just("https://portal.example.org/back"),
    request_id=st.uuids().map(lambda u: f"urn:uuid:{u}"),
    issue_datetime=st.datetimes(
        dt.datetime(2020, 1, 1), dt.datetime(2030, 1, 1), timezones=st.just(dt.UTC)
    ).map(lambda d: d.replace(microsecond=0)),
)


@settings(max_examples=40, deadline=None)
@given(request, st.sampled_from(sorted(VERSIONS)))
def test_build_parse_build_gives_the_same_bytes(model: EvidenceRequest, version: str) -> None:
    first = build_request(model, version)
    parsed = parse_message(first)
    assert isinstance(parsed, QueryRequest)
    assert parsed.version == version
    assert build_request(parsed.request, version) == first


@settings(max_examples=20, deadline=None)
@given(request)
def test_v20_parse_gives_back_the_model_it_was_built_from(model: EvidenceRequest) -> None:
    parsed = parse_message(build_request(model, "oots-edm:v2.0"))
    assert isinstance(parsed, QueryRequest)
    assert parsed.request == model


def test_request_ids_and_times_are_fresh_when_not_given() -> None:
    first, second = (
        EvidenceRequest(
            evidence_requester=REQUESTER,
            evidence_provider=PROVIDER,
            evidence=EVIDENCE,
            subject=NaturalPerson(family_name="A", given_name="B", date_of_birth=dt.date(2000, 1, 1)),
            possibility_for_preview=False,
        )
        for _ in range(2)
    )
    assert first.request_id != second.request_id
    assert uuid.UUID(first.request_id.removeprefix("urn:uuid:"))
    assert first.issue_datetime.tzinfo is dt.UTC

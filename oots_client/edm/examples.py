"""Example Evidence Requests for operators and testers (``python -m oots_client.edm example``) and tests.

Values follow the official samples; ids and time are fixed so that the output is reproducible.
"""

from __future__ import annotations

import datetime as dt

from oots_client.edm.model import (
    Address,
    Agent,
    Distribution,
    EvidenceRequest,
    Identifier,
    LegalPerson,
    LocalizedText,
    NaturalPerson,
    RequestedEvidenceType,
    Requirement,
)

EXAMPLE_REQUEST_ID = "urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797"
EXAMPLE_TIME = dt.datetime(2026, 8, 6, 10, 0, 0, tzinfo=dt.UTC)

REQUESTER = Agent(
    identifier=Identifier("NL222332239", "urn:cef.eu:names:identifier:EAS:0190"),
    names=(LocalizedText("University of Amsterdam", "EN"),),
    address=Address(admin_unit_level1="NL", admin_unit_level2="NL329", post_city_name="Amsterdam"),
    classification="ER",
)
PROVIDER = Agent(
    identifier=Identifier("DE73524311", "urn:cef.eu:names:identifier:EAS:9930"),
    names=(LocalizedText("Civil Registration Office Berlin I", "EN"),),
)
PERSON = NaturalPerson(
    level_of_assurance="High",
    identifier=Identifier("DE/NL/123456789", "eidas"),
    family_name="Smith",
    given_name="Jack",
    date_of_birth=dt.date(1999, 3, 1),
)
COMPANY = LegalPerson(
    level_of_assurance="High",
    legal_person_identifier=Identifier("SE/NL/12132123Y", "eidas"),
    legal_name="Sweden ltd",
    identifiers=(Identifier("SE730757727", "VAT"),),
)
EVIDENCE = RequestedEvidenceType(
    identifier="41170824-15d9-4c16-984e-63b75b937b8c",
    classification="https://sr.oots.tech.ec.europa.eu/evidencetypeclassifications/DE/ca8afed6-2dc0-422a-a931-d21c3d8d370e",
    titles=(LocalizedText("Certificate of Birth", "EN"),),
    descriptions=(LocalizedText("Birth certificate issued by the civil registration office.", "EN"),),
    distribution=Distribution(format="application/pdf"),
)
REQUIREMENT = Requirement(
    identifier="https://sr.oots.tech.ec.europa.eu/requirements/f8a6a284-34e9-42c7-9733-63b5c4f4aa42",
    names=(LocalizedText("Proof of birth", "EN"),),
)


def example_request(
    procedure: str = "T2", *, legal_person: bool = False, representative: bool = False
) -> EvidenceRequest:
    """A complete Evidence Request: natural person, or legal person, optionally with a representative."""
    return EvidenceRequest(
        request_id=EXAMPLE_REQUEST_ID,
        issue_datetime=EXAMPLE_TIME,
        procedure=procedure,
        possibility_for_preview=False,
        requirements=(REQUIREMENT,),
        evidence_requester=REQUESTER,
        evidence_provider=PROVIDER,
        evidence=EVIDENCE,
        subject=COMPANY if legal_person else PERSON,
        authorized_representative=PERSON if representative else None,
    )

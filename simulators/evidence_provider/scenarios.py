"""The provider simulator's scenarios and the rules that choose one for a request (docs/simulators.md).

Order: a tester's override (per conversation, then per person, then for anyone; ``services``), a scenario
name written in the person's name or identifier (a test person called "Not Found" gets ``not-found``), the
eIDAS test IdP's personas below, the evidence type (a structured distribution gets ``structured-xml``), and
finally ``OOTS_EP_SIM_DEFAULT_SCENARIO``.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Final

from oots_client.edm.model import EvidenceRequest, LegalPerson, NaturalPerson
from simulators.eidas_idp.personas import PERSONAS


class Scenario(StrEnum):
    IMMEDIATE = "immediate"  # a PDF at once
    SEVERAL_ATTACHMENTS = "several-attachments"  # main PDF, an annex PDF and a PNG
    STRUCTURED_XML = "structured-xml"  # an XML evidence
    PREVIEW = "preview"  # EDM:ERR:0002 first, then the user's choice
    PREVIEW_REFUSED = "preview-refused"  # the same, with the refusal already set
    PREVIEW_POST = (
        "preview-post"  # as preview, with PreviewMethod POST: the portal hands the user over by POST
    )
    NOT_FOUND = "not-found"  # EDM:ERR:0004
    TIMEOUT = "timeout"  # never answers
    UNAVAILABLE = "unavailable"  # Unavailable with ResponseAvailableDateTime, the evidence at that time
    MALFORMED = "malformed"  # a broken RegRep payload


# The eIDAS test IdP's personas that choose a scenario, by their eIDAS identifier: the one list is the IdP's
# (``Persona.provider_scenario``), whose login page says what each persona triggers.
PERSONA_SCENARIOS: Final[dict[str, Scenario]] = {
    persona.person_identifier or persona.legal_person_identifier: Scenario(persona.provider_scenario)
    for persona in PERSONAS.values()
    if persona.provider_scenario
}

# Longest first, so that "preview-refused" is found before "preview".
_BY_LENGTH: Final = sorted(Scenario, key=lambda s: len(s.value), reverse=True)
_SEPARATORS: Final = re.compile(r"[\s_/.]+")
STRUCTURED_FORMATS: Final = frozenset({"application/xml", "application/json"})


def parse_scenario(value: str) -> Scenario | None:
    normalised = _SEPARATORS.sub("-", value.strip().lower())
    try:
        return Scenario(normalised)
    except ValueError:
        return None


def person_labels(request: EvidenceRequest) -> list[str]:
    """What identifies the subject: identifiers, family name, full name, legal name."""
    subject = request.subject
    labels: list[str] = []
    if isinstance(subject, NaturalPerson):
        if subject.identifier is not None:
            labels.append(subject.identifier.value)
        labels += [subject.family_name, f"{subject.given_name} {subject.family_name}", subject.given_name]
    elif isinstance(subject, LegalPerson):
        if subject.legal_person_identifier is not None:
            labels.append(subject.legal_person_identifier.value)
        labels += [i.value for i in subject.identifiers] + [subject.legal_name]
    return [label.strip() for label in labels if label and label.strip()]


def subject_name(request: EvidenceRequest) -> str:
    subject = request.subject
    if isinstance(subject, NaturalPerson):
        return f"{subject.given_name} {subject.family_name}".strip()
    return subject.legal_name


def _named_in(text: str) -> Scenario | None:
    normalised = _SEPARATORS.sub("-", text.lower())
    compact = normalised.replace("-", "")
    for scenario in _BY_LENGTH:
        if scenario.value in normalised or scenario.value.replace("-", "") in compact:
            return scenario
    return None


def scenario_by_rules(request: EvidenceRequest, default: str) -> tuple[Scenario, str]:
    """The scenario from the request alone, with what chose it (for the log)."""
    for label in person_labels(request):
        if (named := _named_in(label)) is not None:
            return named, "person name"
    for label in person_labels(request):
        if label in PERSONA_SCENARIOS:
            return PERSONA_SCENARIOS[label], "persona"
    distribution = request.evidence.distribution
    if distribution.format in STRUCTURED_FORMATS or distribution.conforms_to:
        return Scenario.STRUCTURED_XML, "evidence type"
    return parse_scenario(default) or Scenario.IMMEDIATE, "default"

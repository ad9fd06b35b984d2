"""The project's own checks of the EDM business rules that the official Schematron cannot fire.

Each check implements one rule of the OOTS business-rule workbook (v0.83, April 2023) and reports under that
rule's id, so that a finding reads the same whichever engine found it. Two scopes:

* ``ALWAYS`` — the official v1.0 Schematron lacks the rule, or has it in a form that can never fire or that
  misfires. These run on every message of every version, and :data:`DEFECTIVE_OFFICIAL` lists the official
  ids whose findings the validator drops in favour of these checks:

  - R-EDM-ERR-S003: its context is the ``@requestId`` attribute, so a response *without* the attribute is
    never examined (and the test looks for a lower-case ``rs:exception`` child of an attribute);
  - R-EDM-ERR-C022: ``count(rim:Slot[…]=1)`` compares a slot with a number, a dynamic error on every
    preview-required exception, and the rule never looks at exceptions that carry a ``PreviewLocation``;
  - R-EDM-ERR-C021: ``matches(rim:value, '^POST$')`` names a lower-case element, so ``POST`` is refused;
  - R-EDM-ERR-C015: the rule tests the converse of the workbook's (only authorisation exceptions);
  - R-EDM-RESP-S008, R-EDM-RESP-S034, R-EDM-RESP-S035: contexts that match nothing (``rs:Exception`` below
    an exception, ``rim:RespositoryItemRef``);
  - R-EDM-REQ-C070, R-EDM-REQ-C071, R-EDM-RESP-C045, R-EDM-REQ-C040, R-EDM-REQ-C062, R-EDM-RESP-C029,
    R-EDM-REQ-C055, R-EDM-REQ-C016, R-EDM-RESP-C009, R-EDM-ERR-C006: in the workbook, absent from the files.

* ``GAP`` — the official v1.0 rules implement them, but no official Schematron exists for v1.2 and v2.0.
  These run only where the official Schematron did not run on the message (a version without rules, a
  message without a version, or Schematron switched off), so v1.0 findings are not reported twice. v1.1
  messages are checked by the v1.0 rules (under the v1.0 identifier, see its profile): for them the
  official Schematron ran, and the ``GAP`` rules stand back as for v1.0.
  Rules whose v1.0 form pins v1.0 values (the ``SpecificationIdentifier``, the old Semantic Repository
  domain, the v1.0-only ``distributions`` URIs) are not carried over.

Every check reads the XML tree itself, not the parsed model, so that it also runs on a message the parser
refused (a missing mandatory slot is then named by its own rule, every one of them at once).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from lxml import etree

from oots_client.edm import codelists
from oots_client.edm import namespaces as ns
from oots_client.edm import regrep as rr
from oots_client.edm.locations import is_secure_location
from oots_client.edm.model import MessageKind

type Element = etree._Element

_NS: Final = {"query": ns.QUERY, "rim": ns.RIM, "rs": ns.RS, "sdg": ns.SDG, "xlink": ns.XLINK}
_UUID: Final = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
_URN_UUID: Final = re.compile(rf"urn:uuid:{_UUID}")
_BARE_UUID: Final = re.compile(rf"(urn:uuid:)?{_UUID}")
# R-EDM-REQ-C039: XX/YY/ZZZ…, XX the country that issued the identifier, YY the destination country.
_EIDAS_ID: Final = re.compile(r"([A-Za-z]{2})/([A-Za-z]{2})/.+")
_STRUCTURED: Final = frozenset({"application/xml", "application/json"})
_AUTHORIZATION: Final = "AuthorizationExceptionType"
_INVALID_REQUEST: Final = "InvalidRequestExceptionType"
_PREVIEW_REQUIRED: Final = frozenset(
    {ns.SEVERITY_PREVIEW_REQUIRED, ns.SEVERITY_PREVIEW_REQUIRED.replace(ns.SR_DOMAIN_NEW, ns.SR_DOMAIN_OLD)}
)


class Scope(StrEnum):
    ALWAYS = "always"  # missing from, or defective in, the official Schematron
    GAP = "gap"  # official for v1.0 (and v1.1) only: run where the official Schematron did not run


@dataclass(frozen=True, slots=True)
class RuleFinding:
    """A broken rule: its id, the element it is about (an XPath) and what is wrong."""

    rule_id: str
    location: str
    message: str
    severity: str = "error"


type Check = Callable[[Element], Iterator[RuleFinding]]


@dataclass(frozen=True, slots=True)
class Rule:
    """One check: the kinds of message it applies to and its scope (see the module docstring)."""

    check: Check
    kinds: frozenset[MessageKind]
    scope: Scope


#: Official rule ids whose Schematron findings are dropped: the checks here replace them.
DEFECTIVE_OFFICIAL: Final = frozenset(
    {
        "R-EDM-ERR-S003",
        "R-EDM-ERR-C015",
        "R-EDM-ERR-C021",
        "R-EDM-ERR-C022",
        "R-EDM-RESP-S008",
        "R-EDM-RESP-S034",
        "R-EDM-RESP-S035",
    }
)


def _xpath(el: Element, path: str) -> list[Element]:
    result = el.xpath(path, namespaces=_NS)
    return [node for node in result if isinstance(node, etree._Element)] if isinstance(result, list) else []


def _text(el: Element) -> str:
    return "".join(str(t) for t in el.itertext()).strip()


def _slot_text(parent: Element, name: str) -> str | None:
    slot = rr.slots(parent).get(name)
    if slot is None:
        return None
    return " ".join(_text(value) for value in _xpath(slot, "rim:SlotValue/rim:Value")).strip()


def _severity(exc: Element) -> str:
    return (exc.get("severity") or "").strip()


# --- mandatory slots (R-EDM-REQ-S005…, R-EDM-RESP-S009…, R-EDM-ERR-S009…) ---------------------------

_MANDATORY: Final[dict[MessageKind, tuple[tuple[str, str], ...]]] = {
    MessageKind.REQUEST: (
        ("SpecificationIdentifier", "R-EDM-REQ-S005"),
        ("IssueDateTime", "R-EDM-REQ-S006"),
        ("PossibilityForPreview", "R-EDM-REQ-S009"),
        ("ExplicitRequestGiven", "R-EDM-REQ-S010"),
        ("EvidenceRequester", "R-EDM-REQ-S012"),
        ("EvidenceProvider", "R-EDM-REQ-S013"),
    ),
    MessageKind.RESPONSE: (
        ("SpecificationIdentifier", "R-EDM-RESP-S009"),
        ("EvidenceResponseIdentifier", "R-EDM-RESP-S010"),
        ("IssueDateTime", "R-EDM-RESP-S011"),
        ("EvidenceProvider", "R-EDM-RESP-S012"),
        ("EvidenceRequester", "R-EDM-RESP-S013"),
    ),
    MessageKind.ERROR: (
        ("SpecificationIdentifier", "R-EDM-ERR-S009"),
        ("EvidenceResponseIdentifier", "R-EDM-ERR-S010"),
        ("ErrorProvider", "R-EDM-ERR-S011"),
        ("EvidenceRequester", "R-EDM-ERR-S012"),
    ),
}


def missing_mandatory_slots(root: Element, kind: MessageKind) -> list[str]:
    """The names of the mandatory top-level slots of ``kind`` that ``root`` lacks, in the TDD's order."""
    present = rr.slots(root)
    return [name for name, _ in _MANDATORY[kind] if name not in present]


def _mandatory_slots(kind: MessageKind) -> Check:
    def check(root: Element) -> Iterator[RuleFinding]:
        missing = set(missing_mandatory_slots(root, kind))
        for name, rule_id in _MANDATORY[kind]:
            if name in missing:
                yield RuleFinding(rule_id, rr.location(root), f"the mandatory slot {name} is missing")

    return check


def _request_query_slots(root: Element) -> Iterator[RuleFinding]:
    for query in _xpath(root, "query:Query"):
        found = rr.slots(query)
        if "EvidenceRequest" not in found:
            yield RuleFinding(
                "R-EDM-REQ-S015", rr.location(query), "the mandatory slot EvidenceRequest is missing"
            )
        persons = ("NaturalPerson" in found) + ("LegalPerson" in found)
        if persons != 1:
            yield RuleFinding(
                "R-EDM-REQ-S016",
                rr.location(query),
                "a Query names exactly one subject: a NaturalPerson or a LegalPerson slot, not both",
            )


# --- identifiers and fixed values (GAP) -----------------------------------------------------------


def _request_id(root: Element) -> Iterator[RuleFinding]:
    value = (root.get("id") or "").strip()
    if value and not _URN_UUID.fullmatch(value):
        yield RuleFinding("R-EDM-REQ-S004", rr.location(root) + "/@id", "the id must be urn:uuid:<UUID>")


def _response_request_id(rule_id: str) -> Check:
    def check(root: Element) -> Iterator[RuleFinding]:
        value = (root.get("requestId") or "").strip()
        if value and not _URN_UUID.fullmatch(value):
            yield RuleFinding(
                rule_id, rr.location(root) + "/@requestId", "the requestId must be urn:uuid:<UUID>"
            )

    return check


def _response_identifier(rule_id: str) -> Check:
    def check(root: Element) -> Iterator[RuleFinding]:
        value = _slot_text(root, "EvidenceResponseIdentifier")
        if value is not None and not _BARE_UUID.fullmatch(value):
            yield RuleFinding(
                rule_id,
                rr.location(root) + "/rim:Slot[@name='EvidenceResponseIdentifier']",
                "the EvidenceResponseIdentifier must be a UUID",
            )

    return check


def _fixed_query_attributes(root: Element) -> Iterator[RuleFinding]:
    for option in _xpath(root, "query:ResponseOption"):
        if option.get("returnType") != ns.RETURN_TYPE:
            yield RuleFinding("R-EDM-REQ-C024", rr.location(option), f"returnType must be {ns.RETURN_TYPE!r}")
    for query in _xpath(root, "query:Query"):
        if query.get("queryDefinition") != ns.QUERY_DEFINITION:
            yield RuleFinding(
                "R-EDM-REQ-C025", rr.location(query), f"queryDefinition must be {ns.QUERY_DEFINITION!r}"
            )


def _preview_location_https(rule_id: str, path: str) -> Check:
    # An address the portal redirects a citizen to: only https (DIGEST §10), with the builders' one exception
    # (plain http to this machine's loopback interface, a demo or test set-up that nothing can leave).
    def check(root: Element) -> Iterator[RuleFinding]:
        for slot in _xpath(root, path):
            value = " ".join(_text(v) for v in _xpath(slot, "rim:SlotValue/rim:Value")).strip()
            if not is_secure_location(value):
                yield RuleFinding(rule_id, rr.location(slot), "a PreviewLocation must start with https://")

    return check


def _person_scheme(rule_id: str, path: str) -> Check:
    def check(root: Element) -> Iterator[RuleFinding]:
        for identifier in _xpath(root, path):
            if identifier.get("schemeID") != "eidas":
                yield RuleFinding(
                    rule_id, rr.location(identifier), "a person identifier's schemeID must be 'eidas'"
                )

    return check


# --- evidence responses ---------------------------------------------------------------------------

_EVIDENCE_OBJECTS: Final = "rim:RegistryObjectList//rim:RegistryObject[rim:Slot[@name='EvidenceMetadata']]"


def _success_has_object_list(root: Element) -> Iterator[RuleFinding]:
    if rr.response_status(root) == "Success" and not _xpath(root, "rim:RegistryObjectList"):
        yield RuleFinding(
            "R-EDM-RESP-S007", rr.location(root), "a successful response has a rim:RegistryObjectList"
        )


def _registry_object_ids(root: Element) -> Iterator[RuleFinding]:
    for obj in _xpath(root, _EVIDENCE_OBJECTS):
        if not _URN_UUID.fullmatch((obj.get("id") or "").strip()):
            yield RuleFinding(
                "R-EDM-RESP-S037", rr.location(obj), "a RegistryObject's id must be urn:uuid:<UUID>"
            )


def _repository_item_ref(root: Element) -> Iterator[RuleFinding]:
    if rr.response_status(root) != "Success":
        return
    for obj in _xpath(root, _EVIDENCE_OBJECTS):
        if not _xpath(obj, "rim:RepositoryItemRef"):
            yield RuleFinding("R-EDM-RESP-S033", rr.location(obj), "an evidence has no rim:RepositoryItemRef")


def _repository_item_ref_attributes(root: Element) -> Iterator[RuleFinding]:
    for ref in _xpath(root, _EVIDENCE_OBJECTS + "/rim:RepositoryItemRef"):
        if not (ref.get(ns.q(ns.XLINK, "href")) or "").strip():
            yield RuleFinding("R-EDM-RESP-S034", rr.location(ref), "the RepositoryItemRef has no xlink:href")
        if not (ref.get(ns.q(ns.XLINK, "title")) or "").strip():
            yield RuleFinding("R-EDM-RESP-S035", rr.location(ref), "the RepositoryItemRef has no xlink:title")


def _no_exception_in_success(root: Element) -> Iterator[RuleFinding]:
    for exc in root.iterchildren(rr.EXCEPTION):
        yield RuleFinding(
            "R-EDM-RESP-S008",
            rr.location(exc),
            "a successful or unavailable response carries no rs:Exception",
        )


def _conforms_to(rule_structured: str | None, rule_transformation: str | None, path: str) -> Check:
    """R-EDM-REQ-C070/C071, R-EDM-RESP-C044/C045: structured data and transformations name their model."""

    def check(root: Element) -> Iterator[RuleFinding]:
        for dist in _xpath(root, path):
            has_model = any(_text(c) for c in _xpath(dist, "sdg:ConformsTo"))
            if has_model:
                continue
            formats = {_text(f) for f in _xpath(dist, "sdg:Format")}
            if rule_structured is not None and formats & _STRUCTURED:
                yield RuleFinding(
                    rule_structured,
                    rr.location(dist),
                    "XML or JSON evidence must name its data model (ConformsTo)",
                )
            if rule_transformation is not None and _xpath(dist, "sdg:Transformation"):
                yield RuleFinding(
                    rule_transformation, rr.location(dist), "a Transformation needs a ConformsTo"
                )

    return check


# --- error responses ------------------------------------------------------------------------------


def _request_id_unless_invalid_request(root: Element) -> Iterator[RuleFinding]:
    """R-EDM-ERR-S003: a provider that could not read the request may not know its id; no one else may."""
    if (root.get("requestId") or "").strip():
        return
    types = {rr.local_type(exc) for exc in root.iterchildren(rr.EXCEPTION)}
    if _INVALID_REQUEST not in types:
        yield RuleFinding(
            "R-EDM-ERR-S003",
            rr.location(root),
            "an error response names its requestId unless its exception is an InvalidRequestExceptionType",
        )


def _preview_location_only_when_preview_required(root: Element) -> Iterator[RuleFinding]:
    """R-EDM-ERR-C022: a PreviewLocation only on a preview-required authorisation exception (EDM:ERR:0002)."""
    for exc in root.iterchildren(rr.EXCEPTION):
        if "PreviewLocation" not in rr.slots(exc):
            continue
        if _severity(exc) not in _PREVIEW_REQUIRED or rr.local_type(exc) != _AUTHORIZATION:
            yield RuleFinding(
                "R-EDM-ERR-C022",
                rr.location(exc),
                "a PreviewLocation is allowed only on an rs:AuthorizationExceptionType with severity "
                "…:EDMErrorResponse:PreviewRequired",
            )


def _preview_method(root: Element) -> Iterator[RuleFinding]:
    for exc in root.iterchildren(rr.EXCEPTION):
        value = _slot_text(exc, "PreviewMethod")
        if value is not None and value not in ("GET", "POST"):
            yield RuleFinding(
                "R-EDM-ERR-C021", rr.location(exc), f"PreviewMethod {value!r} is not GET or POST"
            )


def _error_severity(root: Element) -> Iterator[RuleFinding]:
    for exc in root.iterchildren(rr.EXCEPTION):
        if rr.local_type(exc) != _AUTHORIZATION and _severity(exc) != ns.SEVERITY_ERROR:
            yield RuleFinding(
                "R-EDM-ERR-C015",
                rr.location(exc) + "/@severity",
                f"an exception other than an authorisation exception has severity {ns.SEVERITY_ERROR}",
            )


def _exception_timestamp(root: Element) -> Iterator[RuleFinding]:
    for exc in root.iterchildren(rr.EXCEPTION):
        if "Timestamp" not in rr.slots(exc):
            yield RuleFinding("R-EDM-ERR-S013", rr.location(exc), "the mandatory slot Timestamp is missing")


# --- code lists the official files do not check ---------------------------------------------------


def _eidas_countries(rule_id: str, path: str) -> Check:
    def check(root: Element) -> Iterator[RuleFinding]:
        # Greece is EL in EU usage and in the code list, GR in ISO 3166 and in some eIDAS identifiers.
        countries = codelists.countries() | {"GR"}
        for identifier in _xpath(root, path):
            match = _EIDAS_ID.fullmatch(_text(identifier))
            if match is None:  # a malformed identifier is R-EDM-REQ-C039's business, not this rule's
                continue
            for country in match.groups():
                if country.upper() not in countries:
                    yield RuleFinding(
                        rule_id,
                        rr.location(identifier),
                        f"{country!r} in the identifier is not a country code",
                    )

    return check


def _legal_person_schemes(root: Element) -> Iterator[RuleFinding]:
    schemes = codelists.identifier_schemes()
    path = "query:Query/rim:Slot[@name='LegalPerson']/rim:SlotValue/sdg:LegalPerson/sdg:Identifier"
    for identifier in _xpath(root, path):
        scheme = (identifier.get("schemeID") or "").strip()
        if scheme not in schemes:
            yield RuleFinding(
                "R-EDM-REQ-C055", rr.location(identifier), f"schemeID {scheme!r} is not in IdentifierSchemes"
            )


def _nuts(rule_id: str, path: str) -> Check:
    def check(root: Element) -> Iterator[RuleFinding]:
        codes = codelists.nuts()
        for level2 in _xpath(root, path):
            value = _text(level2)
            if value and value not in codes:
                yield RuleFinding(
                    rule_id, rr.location(level2), f"AdminUnitLevel2 {value!r} is not a NUTS code"
                )

    return check


# --- the rule book --------------------------------------------------------------------------------

_REQ: Final = frozenset({MessageKind.REQUEST})
_RESP: Final = frozenset({MessageKind.RESPONSE})
_ERR: Final = frozenset({MessageKind.ERROR})

_NATURAL: Final = "query:Query/rim:Slot[@name='NaturalPerson']/rim:SlotValue/sdg:Person/sdg:Identifier"
_REPRESENTATIVE: Final = (
    "query:Query/rim:Slot[@name='AuthorizedRepresentative']/rim:SlotValue/sdg:Person/sdg:Identifier"
)
_IS_ABOUT: Final = (
    _EVIDENCE_OBJECTS + "/rim:Slot[@name='EvidenceMetadata']/rim:SlotValue/sdg:Evidence/sdg:IsAbout"
    "/sdg:NaturalPerson/sdg:Identifier"
)
_EVIDENCE_REQUEST: Final = "query:Query/rim:Slot[@name='EvidenceRequest']/rim:SlotValue"
_REQUEST_DISTRIBUTION: Final = _EVIDENCE_REQUEST + "/sdg:DataServiceEvidenceType/sdg:DistributedAs"
_RESPONSE_DISTRIBUTION: Final = (
    _EVIDENCE_OBJECTS + "/rim:Slot[@name='EvidenceMetadata']/rim:SlotValue/sdg:Evidence/sdg:Distribution"
)

RULES: Final[tuple[Rule, ...]] = (
    # Evidence Request
    Rule(_mandatory_slots(MessageKind.REQUEST), _REQ, Scope.GAP),
    Rule(_request_query_slots, _REQ, Scope.GAP),
    Rule(_request_id, _REQ, Scope.GAP),
    Rule(_fixed_query_attributes, _REQ, Scope.GAP),
    Rule(_preview_location_https("R-EDM-REQ-C005", "rim:Slot[@name='PreviewLocation']"), _REQ, Scope.GAP),
    Rule(_person_scheme("R-EDM-REQ-C042", _NATURAL), _REQ, Scope.GAP),
    Rule(_person_scheme("R-EDM-REQ-C064", _REPRESENTATIVE), _REQ, Scope.GAP),
    Rule(_conforms_to("R-EDM-REQ-C070", "R-EDM-REQ-C071", _REQUEST_DISTRIBUTION), _REQ, Scope.ALWAYS),
    Rule(_eidas_countries("R-EDM-REQ-C040", _NATURAL), _REQ, Scope.ALWAYS),
    Rule(_eidas_countries("R-EDM-REQ-C062", _REPRESENTATIVE), _REQ, Scope.ALWAYS),
    Rule(_legal_person_schemes, _REQ, Scope.ALWAYS),
    Rule(
        _nuts(
            "R-EDM-REQ-C016",
            "rim:Slot[@name='EvidenceRequester']/rim:SlotValue/rim:Element/sdg:Agent/sdg:Address/sdg:AdminUnitLevel2",
        ),
        _REQ,
        Scope.ALWAYS,
    ),
    # Evidence Response (Success, Unavailable)
    Rule(_mandatory_slots(MessageKind.RESPONSE), _RESP, Scope.GAP),
    Rule(_response_request_id("R-EDM-RESP-S004"), _RESP, Scope.GAP),
    Rule(_response_identifier("R-EDM-RESP-C003"), _RESP, Scope.GAP),
    Rule(_success_has_object_list, _RESP, Scope.GAP),
    Rule(_registry_object_ids, _RESP, Scope.GAP),
    Rule(_repository_item_ref, _RESP, Scope.GAP),
    Rule(_person_scheme("R-EDM-RESP-C031", _IS_ABOUT), _RESP, Scope.GAP),
    Rule(_conforms_to("R-EDM-RESP-C044", None, _RESPONSE_DISTRIBUTION), _RESP, Scope.GAP),
    Rule(_conforms_to(None, "R-EDM-RESP-C045", _RESPONSE_DISTRIBUTION), _RESP, Scope.ALWAYS),
    Rule(_repository_item_ref_attributes, _RESP, Scope.ALWAYS),
    Rule(_no_exception_in_success, _RESP, Scope.ALWAYS),
    Rule(_eidas_countries("R-EDM-RESP-C029", _IS_ABOUT), _RESP, Scope.ALWAYS),
    Rule(
        _nuts(
            "R-EDM-RESP-C009",
            "rim:Slot[@name='EvidenceProvider']/rim:SlotValue/rim:Element/sdg:Agent/sdg:Address/sdg:AdminUnitLevel2",
        ),
        _RESP,
        Scope.ALWAYS,
    ),
    # Error Response
    Rule(_mandatory_slots(MessageKind.ERROR), _ERR, Scope.GAP),
    Rule(_response_request_id("R-EDM-ERR-S004"), _ERR, Scope.GAP),
    Rule(_response_identifier("R-EDM-ERR-C002"), _ERR, Scope.GAP),
    Rule(_exception_timestamp, _ERR, Scope.GAP),
    Rule(
        _preview_location_https("R-EDM-ERR-C019", "rs:Exception/rim:Slot[@name='PreviewLocation']"),
        _ERR,
        Scope.GAP,
    ),
    Rule(_request_id_unless_invalid_request, _ERR, Scope.ALWAYS),
    Rule(_preview_location_only_when_preview_required, _ERR, Scope.ALWAYS),
    Rule(_preview_method, _ERR, Scope.ALWAYS),
    Rule(_error_severity, _ERR, Scope.ALWAYS),
    Rule(
        _nuts(
            "R-EDM-ERR-C006",
            "rim:Slot[@name='ErrorProvider']/rim:SlotValue/sdg:Agent/sdg:Address/sdg:AdminUnitLevel2",
        ),
        _ERR,
        Scope.ALWAYS,
    ),
)


def rule_findings(root: Element, kind: MessageKind, *, official_ran: bool) -> list[RuleFinding]:
    """Every rule of ``kind`` that applies: ``ALWAYS`` rules, and ``GAP`` rules unless ``official_ran``."""
    findings: list[RuleFinding] = []
    for rule in RULES:
        if kind in rule.kinds and (rule.scope is Scope.ALWAYS or not official_ran):
            findings.extend(rule.check(root))
    return findings

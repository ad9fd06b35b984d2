"""Validation of EDM messages: XSD, the official Schematron, exact code lists, structure and business rules.

``validate_message(data)`` returns a report of findings, each with a rule id, a severity, a location and a
message (``Finding.as_dict()`` for storage). Which checks apply to which EDM version is decided by the version
profiles (``oots_client.edm.versions``); see docs/adr/0001-edm-versions.md:

* XSD — v1.0 and v1.1: RegRep 4 + the official ``sdg`` v1.0 schema; v1.2/v2.0 (no official ``sdg`` schema
  exists here): RegRep 4 only, the ``sdg`` content being checked by the parser and the checks below.
* Schematron — the official rules shipped in ``oots_client/schematron/`` (v1.0 rules, run on v1.0 and v1.1
  messages after mapping the new Semantic Repository domain back to the old one that the April-2023 rules
  expect, DIGEST §9, and a v1.1 ``SpecificationIdentifier`` to the v1.0 one they fix). A caller may point
  ``spec_folder`` at a folder with a ``schematron/`` of its own (the portal's ``OOTS_SPEC_DIR``) to run
  newer official rules.
* Business rules — ``oots_client.edm.rules``: the workbook rules the official Schematron lacks or cannot fire
  (R-EDM-ERR-S003, R-EDM-ERR-C022, …), and for versions without official Schematron the v1.0 rules that still
  hold (identifiers, https preview locations, mandatory slots, …).
* Code lists — exact membership (the Schematron only tests substrings, DIGEST §1 item 18).
* Structure — only the slots the TDD lists for each message, each once (DIGEST §1 item 1).

``Finding.source`` says which engine found a problem: ``xsd`` and ``structure`` mean the message is not
well-formed EDM at all; ``schematron``, ``rules`` and ``codelist`` are business-rule findings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Final, cast

from lxml import etree

from oots_client.edm import codelists, rules
from oots_client.edm import namespaces as ns
from oots_client.edm import regrep as rr
from oots_client.edm.errors import InvalidMessageError, NotEdmMessageError, UnsupportedVersionError
from oots_client.edm.model import (
    Address,
    Agent,
    EvidenceResponse,
    LocalizedText,
    Message,
    MessageKind,
    NaturalPerson,
    QueryRequest,
)
from oots_client.edm.parse import QUERY_REQUEST, QUERY_RESPONSE, parse_element
from oots_client.edm.schematron import EVALUATION_ERROR, compile_schematron
from oots_client.edm.versions import EdmVersion, XsdProfile, get_version
from oots_client.edm.xmlsafe import DEFAULT_MAX_BYTES, parse_xml

type Element = etree._Element

XSD_DIR: Final = Path(__file__).with_name("xsd")
#: The official Schematron rule sets shipped in the package, a folder per ``EdmVersion.schematron_folder``.
SCHEMATRON_DIR: Final = Path(__file__).resolve().parent.parent / "schematron"

_SCHEMATRON_FILES: Final = {
    MessageKind.REQUEST: ("EDM-REQ-S.sch", "EDM-REQ-C.sch"),
    MessageKind.RESPONSE: ("EDM-RESP-S.sch", "EDM-RESP-C.sch"),
    MessageKind.ERROR: ("EDM-ERR-S.sch", "EDM-ERR-C.sch"),
}

_REQUEST_SLOTS: Final = frozenset(
    {
        "SpecificationIdentifier",
        "IssueDateTime",
        "Procedure",
        "PreviewLocation",
        "PossibilityForPreview",
        "ExplicitRequestGiven",
        "Requirements",
        "EvidenceRequester",
        "EvidenceProvider",
        "EvidenceProviderClassification",
    }
)
_QUERY_SLOTS: Final = frozenset(
    {"NaturalPerson", "LegalPerson", "AuthorizedRepresentative", "EvidenceRequest"}
)
_RESPONSE_SLOTS: Final = frozenset(
    {
        "SpecificationIdentifier",
        "EvidenceResponseIdentifier",
        "IssueDateTime",
        "EvidenceProvider",
        "EvidenceRequester",
        "ResponseAvailableDateTime",
    }
)
_ERROR_SLOTS: Final = frozenset(
    {
        "SpecificationIdentifier",
        "EvidenceResponseIdentifier",
        "IssueDateTime",
        "ErrorProvider",
        "EvidenceRequester",
    }
)
_EXCEPTION_SLOTS: Final = frozenset({"Timestamp", "PreviewLocation", "PreviewDescription", "PreviewMethod"})


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: the rule it breaks (``R-EDM-REQ-C027``, ``XSD``, ``OOTS-CL-PROCEDURE``, …) and where."""

    rule_id: str
    message: str
    location: str
    source: str  # "xsd" | "structure" | "schematron" | "rules" | "codelist"
    severity: str = "error"  # "error" | "warning" | "info"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_dict(self) -> dict[str, str]:
        """The finding as plain JSON-ready data (rule id, severity, location, message, source)."""
        return {
            "rule_id": self.rule_id,
            "severity": self.severity,
            "location": self.location,
            "message": self.message,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """What :func:`validate_message` found; ``message`` is the parsed model when the message could be read."""

    kind: MessageKind
    version: str
    findings: tuple[Finding, ...]
    message: Message | None = field(default=None, compare=False)
    #: the mandatory top-level slots the message lacks, in the TDD's order (each also a finding)
    missing_slots: tuple[str, ...] = ()

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.is_error)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def schematron_dir(spec_folder: Path | None = None) -> Path:
    """Where the rule sets are: ``<spec_folder>/schematron`` for an override, else the packaged ones."""
    return spec_folder / "schematron" if spec_folder is not None else SCHEMATRON_DIR


# --- XSD ------------------------------------------------------------------------------------------

_IMPORTS: Final = (
    (ns.XML, "xml.xsd"),
    (ns.XLINK, "xlink.xsd"),
    ("http://www.w3.org/2005/08/addressing", "ws-addr.xsd"),
    (ns.RIM, "rim.xsd"),
    (ns.RS, "rs.xsd"),
    (ns.QUERY, "query.xsd"),
)


@cache
def xsd_schema(profile: XsdProfile) -> etree.XMLSchema:
    """The compiled schema for a profile, from the files shipped in ``xsd/`` (no network)."""
    imports = list(_IMPORTS)
    if profile is XsdProfile.SDG_V1_0:
        imports.append((ns.SDG, "SDG-GenericMetadataProfile-v1.0.0.xsd"))
    driver = '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">{}</xs:schema>'.format(
        "".join(f'<xs:import namespace="{uri}" schemaLocation="{name}"/>' for uri, name in imports)
    )
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    doc = etree.fromstring(driver.encode(), parser, base_url=str(XSD_DIR / "driver.xsd"))
    return etree.XMLSchema(doc)


def xsd_findings(root: Element, profile: XsdProfile) -> list[Finding]:
    schema = xsd_schema(profile)
    if schema.validate(root):
        return []
    log = cast(Iterable[etree._LogEntry], schema.error_log)
    return [Finding("XSD", e.message, f"line {e.line}", "xsd") for e in log]


# --- Schematron -----------------------------------------------------------------------------------


def _severity(flag: str) -> str:
    flag = flag.lower()
    if flag in ("warning", "warn", EVALUATION_ERROR):
        return "warning"
    if flag in ("info", "information"):
        return "info"
    return "error"


def schematron_findings(
    data: bytes, kind: MessageKind, version: EdmVersion, rules_dir: Path | None = None
) -> list[Finding]:
    """The official rules for ``version`` (from ``rules_dir``, default the packaged ones); v1.0 rules see the
    old SR domain (DIGEST §9). Findings of the rules known to be defective are left to ``rules``."""
    if version.schematron_folder is None:
        return []
    folder = (rules_dir or SCHEMATRON_DIR) / version.schematron_folder
    compiled = compile_schematron(*(folder / name for name in _SCHEMATRON_FILES[kind]))
    if version.schematron_folder == "edm-v1.0":
        data = data.replace(ns.SR_DOMAIN_NEW.encode(), ns.SR_DOMAIN_OLD.encode())
    if version.schematron_identifier is not None:  # v1.1 under the v1.0 rules (see its profile)
        ours, theirs = version.identifier.encode(), version.schematron_identifier.encode()
        data = data.replace(b">" + ours + b"<", b">" + theirs + b"<")
    return [
        Finding(f.rule_id or "SCHEMATRON", f.message, f.location, "schematron", _severity(f.flag))
        for f in compiled.run(data)
        if f.rule_id not in rules.DEFECTIVE_OFFICIAL
    ]


def rule_findings(root: Element, kind: MessageKind, *, official_ran: bool) -> list[Finding]:
    """The project's own business-rule checks (``oots_client.edm.rules``)."""
    return [
        Finding(f.rule_id, f.message, f.location, "rules", f.severity)
        for f in rules.rule_findings(root, kind, official_ran=official_ran)
    ]


# --- code lists -----------------------------------------------------------------------------------


class _CodeListChecks:
    def __init__(self) -> None:
        self.findings: list[Finding] = []

    def check(self, value: str | None, allowed: Iterable[str], rule: str, what: str, where: str) -> None:
        if value is not None and value not in allowed:
            self.findings.append(
                Finding(rule, f"{what} {value!r} is not in its code list", where, "codelist")
            )

    def texts(self, texts: tuple[LocalizedText, ...], where: str) -> None:
        for text in texts:
            self.check(
                text.lang.upper() or None, codelists.languages(), "OOTS-CL-LANGUAGE", "language", where
            )

    def address(self, address: Address | None, where: str) -> None:
        if address is not None:
            self.check(address.admin_unit_level1, codelists.countries(), "OOTS-CL-COUNTRY", "country", where)

    def agent(self, agent: Agent | None, where: str, classifications: tuple[str, ...] = ()) -> None:
        if agent is None:
            return
        if not codelists.is_organisation_scheme(agent.identifier.scheme_id):
            self.findings.append(
                Finding(
                    "OOTS-CL-EAS",
                    f"identifier scheme {agent.identifier.scheme_id!r} is neither EAS nor unregistered",
                    where,
                    "codelist",
                )
            )
        self.texts(agent.names, where)
        self.address(agent.address, where)
        if classifications:
            self.check(agent.classification, classifications, "OOTS-CL-AGENT", "agent classification", where)

    def person(self, person: NaturalPerson, where: str) -> None:
        self.check(person.level_of_assurance, codelists.levels_of_assurance(), "OOTS-CL-LOA", "LoA", where)
        self.address(person.current_address, where)
        for country in (person.nationality, person.country_of_birth, person.country_of_residence):
            self.check(country, codelists.countries(), "OOTS-CL-COUNTRY", "country", where)


def _slot_path(*names: str) -> str:
    return "".join(f"/rim:Slot[@name='{n}']" for n in names)


def codelist_findings(message: Message) -> list[Finding]:
    """Exact code-list checks on a parsed message."""
    checks = _CodeListChecks()
    if isinstance(message, QueryRequest):
        request, root = message.request, "/query:QueryRequest"
        query = root + "/query:Query"
        checks.check(
            request.procedure,
            codelists.procedures(),
            "OOTS-CL-PROCEDURE",
            "procedure",
            root + _slot_path("Procedure"),
        )
        checks.agent(request.evidence_requester, root + _slot_path("EvidenceRequester"), ("ER",))
        checks.agent(request.intermediary_platform, root + _slot_path("EvidenceRequester"), ("IP",))
        checks.agent(request.evidence_provider, root + _slot_path("EvidenceProvider"))
        for requirement in request.requirements:
            checks.texts(requirement.names + requirement.descriptions, root + _slot_path("Requirements"))
        if isinstance(request.subject, NaturalPerson):
            checks.person(request.subject, query + _slot_path("NaturalPerson"))
        else:
            where = query + _slot_path("LegalPerson")
            loa = request.subject.level_of_assurance
            checks.check(loa, codelists.levels_of_assurance(), "OOTS-CL-LOA", "LoA", where)
            checks.address(request.subject.registered_address, where)
        if request.authorized_representative is not None:
            checks.person(request.authorized_representative, query + _slot_path("AuthorizedRepresentative"))
        where = query + _slot_path("EvidenceRequest")
        dist = request.evidence.distribution
        checks.check(dist.format, codelists.media_types(), "OOTS-CL-MEDIATYPE", "media type", where)
        checks.texts(request.evidence.titles + request.evidence.descriptions, where)
    elif isinstance(message, EvidenceResponse):
        root = "/query:QueryResponse"
        checks.agent(message.evidence_provider, root + _slot_path("EvidenceProvider"), ("EP",))
        checks.agent(message.evidence_requester, root + _slot_path("EvidenceRequester"))
        for item in message.evidences:
            where = f"{root}/rim:RegistryObjectList//rim:RegistryObject[@id='{item.registry_object_id}']"
            dist = item.metadata.distribution
            checks.check(dist.format, codelists.media_types(), "OOTS-CL-MEDIATYPE", "media type", where)
            for language in dist.languages:
                checks.check(language.upper(), codelists.languages(), "OOTS-CL-LANGUAGE", "language", where)
            if isinstance(item.metadata.is_about, NaturalPerson):
                checks.person(item.metadata.is_about, where)
    else:
        root = "/query:QueryResponse"
        checks.agent(message.error_provider, root + _slot_path("ErrorProvider"), ("ERRP",))
        checks.agent(message.evidence_requester, root + _slot_path("EvidenceRequester"))
        for index, exc in enumerate(message.exceptions, start=1):
            where = f"{root}/rs:Exception[{index}]"
            types = codelists.edm_error_types()
            checks.check(exc.code, types, "OOTS-CL-ERRORCODE", "EDM error code", where + "/@code")
            if exc.code in types and types[exc.code] != exc.type:
                checks.findings.append(
                    Finding("OOTS-CL-ERRORTYPE", f"{exc.code} needs rs:{types[exc.code]}", where, "codelist")
                )
            checks.check(exc.severity, codelists.error_severities(), "OOTS-CL-SEVERITY", "severity", where)
    return checks.findings


# --- structure ------------------------------------------------------------------------------------


def _slot_set_findings(parent: Element, allowed: frozenset[str]) -> list[Finding]:
    findings: list[Finding] = []
    seen: set[str] = set()
    for name in rr.slot_names(parent):
        if name not in allowed:
            findings.append(
                Finding(
                    "OOTS-EDM-SLOT", f"slot {name!r} is not allowed here", rr.location(parent), "structure"
                )
            )
        elif name in seen:
            findings.append(
                Finding("OOTS-EDM-SLOT", f"slot {name!r} appears twice", rr.location(parent), "structure")
            )
        seen.add(name)
    return findings


def structure_findings(root: Element, kind: MessageKind, version: EdmVersion | None) -> list[Finding]:
    if kind is MessageKind.REQUEST:
        allowed = _REQUEST_SLOTS | ({"ReturnLocation"} if version and version.return_location_slot else set())
        findings = _slot_set_findings(root, allowed)
        query = root.find(ns.q(ns.QUERY, "Query"))
        if query is not None:
            findings += _slot_set_findings(query, _QUERY_SLOTS)
        return findings
    findings = _slot_set_findings(root, _RESPONSE_SLOTS if kind is MessageKind.RESPONSE else _ERROR_SLOTS)
    for exc in root.iterchildren(rr.EXCEPTION):
        findings += _slot_set_findings(exc, _EXCEPTION_SLOTS)
    return findings


# --- entry points ---------------------------------------------------------------------------------


_EDM_RESPONSE_SLOTS: Final = frozenset(
    {"EvidenceResponseIdentifier", "ErrorProvider", "EvidenceProvider", "EvidenceRequester", "IssueDateTime"}
)
_COMMON_SERVICES_SLOTS: Final = frozenset(
    {
        "Requirement",
        "DataServiceEvidenceType",
        "EvidenceTypeList",
        "JurisdictionDetermination",
        "UserRequestedClassificationConcepts",
        "EvidenceProvider",
    }
)
NOT_EVIDENCE_EXCHANGE: Final = "not an evidence exchange message"


def _common_services_answer(root: Element) -> str | None:
    """Why ``root`` (a ``query:QueryResponse``) is an Evidence Broker or DSD answer, judged by its body, or
    None. The ``SpecificationIdentifier`` alone proves nothing: a Common Services answer may carry an
    ``oots-edm:`` one (or ``oots-cs:``, or none)."""
    codes = [(exc.get("code") or "").strip() for exc in root.iterchildren(rr.EXCEPTION)]
    if any(code.startswith(("EB:", "DSD:", "LCM:")) for code in codes):
        return "its exceptions carry Common Services error codes"
    if any(code.startswith("EDM:") for code in codes) or _EDM_RESPONSE_SLOTS & set(rr.slots(root)):
        return None
    for obj in root.iterfind(f"{ns.q(ns.RIM, 'RegistryObjectList')}/{ns.q(ns.RIM, 'RegistryObject')}"):
        names = set(rr.slot_names(obj))
        if "EvidenceMetadata" in names:
            return None
        if names & _COMMON_SERVICES_SLOTS:
            return "its registry objects are requirements, evidence types or data services"
    for exc in root.iterchildren(rr.EXCEPTION):
        if set(rr.slot_names(exc)) & _COMMON_SERVICES_SLOTS:
            return "its exception asks for Data Service Directory input"
    if not codes and root.find(ns.q(ns.RIM, "RegistryObjectList")) is None:
        return "it carries neither evidence nor an EDM error"
    return None


def message_kind(root: Element) -> MessageKind:
    """The kind of an EDM message, judged by its root and body.

    Raises :class:`NotEdmMessageError` ("not an evidence exchange message") for anything else, including a
    Common Services answer whatever its ``SpecificationIdentifier`` says.
    """
    if root.tag == QUERY_REQUEST:
        return MessageKind.REQUEST
    if root.tag != QUERY_RESPONSE:
        raise NotEdmMessageError(
            f"{NOT_EVIDENCE_EXCHANGE}: the root element is {etree.QName(root).localname!r}", "/"
        )
    reason = _common_services_answer(root)
    if reason is not None:
        raise NotEdmMessageError(
            f"{NOT_EVIDENCE_EXCHANGE}: a Common Services (Evidence Broker or DSD) answer, {reason}", "/"
        )
    return MessageKind.ERROR if rr.response_status(root) == "Failure" else MessageKind.RESPONSE


def validate_message(
    data: bytes,
    *,
    schematron: bool = True,
    spec_folder: Path | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ValidationReport:
    """Every check that applies to the message's kind and version.

    ``schematron=False`` skips the official Schematron (the project's own checks then stand in for the
    rules it would have run); ``spec_folder`` overrides the packaged rules (``<spec_folder>/schematron``).

    Raises :class:`~oots_client.edm.errors.EdmError` subclasses when the input is hostile, not XML or not an
    evidence exchange message at all; anything wrong *inside* an EDM message is a finding.
    """
    root = parse_xml(data, max_bytes=max_bytes)
    kind = message_kind(root)
    message: Message | None = None
    findings: list[Finding] = []
    try:
        message = parse_element(root)
    except InvalidMessageError as exc:
        findings.append(Finding("OOTS-EDM-STRUCTURE", exc.what, exc.where, "structure"))
    except NotEdmMessageError as exc:  # the parser's own classification is stricter on a broken message
        findings.append(Finding("OOTS-EDM-STRUCTURE", exc.what, exc.where, "structure"))
    spec = rr.slots(root).get("SpecificationIdentifier")
    version_text = (
        message.version if message is not None else (rr.read_string(spec) if spec is not None else "")
    )
    version: EdmVersion | None = None
    if version_text:
        try:
            version = get_version(version_text)
        except UnsupportedVersionError as exc:
            findings.append(
                Finding(
                    "OOTS-EDM-VERSION",
                    exc.what,
                    rr.location(root) + _slot_path("SpecificationIdentifier"),
                    "structure",
                )
            )
    findings += xsd_findings(root, version.xsd_profile if version else XsdProfile.REGREP_ENVELOPE)
    findings += structure_findings(root, kind, version)
    if message is not None:
        findings += codelist_findings(message)
    official = schematron and version is not None and version.schematron_folder is not None
    if official and version is not None:
        findings += schematron_findings(bytes(data), kind, version, schematron_dir(spec_folder))
    findings += rule_findings(root, kind, official_ran=official)
    return ValidationReport(
        kind=kind,
        version=version_text,
        findings=tuple(findings),
        message=message,
        missing_slots=tuple(rules.missing_mandatory_slots(root, kind)),
    )


def validate(data: bytes, *, schematron: bool = True, spec_folder: Path | None = None) -> list[Finding]:
    """The findings of :func:`validate_message` (errors, warnings and notes)."""
    return list(validate_message(data, schematron=schematron, spec_folder=spec_folder).findings)

"""A small ISO Schematron → XSLT 3.0 compiler, run with Saxon (``saxonche``).

The OOTS rules use ``queryBinding="xslt2"`` (``matches()``, ``sch:let``), which lxml cannot run, and no ISO
skeleton is available here. Supported: ``sch:ns``, ``sch:let`` (schema, pattern and rule level),
``sch:pattern``, ``sch:rule`` (first matching rule of a pattern wins, as ISO requires), ``sch:assert``,
``sch:report``, ``sch:value-of``/``sch:value`` and ``sch:name`` in messages, ``@id``, ``@flag``, ``@role``.
Not supported (unused by the OOTS files; compiling refuses them): abstract rules/patterns, ``sch:extends``,
``sch:include``, phases.

Several ``.sch`` files compile into one stylesheet (one XSLT mode per pattern), so a message is parsed and
walked once per validation. Compiled executables are cached per set of files.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final

from lxml import etree

SCH: Final = "http://purl.oclc.org/dsdl/schematron"
XSL: Final = "http://www.w3.org/1999/XSL/Transform"
_SEP: Final = "\u241f"  # field separator in the transform's text output (never in a message)
EVALUATION_ERROR: Final = "evaluation-error"  # the flag of a finding whose rule raised a dynamic error
_UNSUPPORTED: Final = ("include", "extends", "phase", "diagnostics")

type Element = etree._Element


class SchematronCompileError(Exception):
    """A Schematron file uses something this compiler does not support."""


class SchematronRunError(Exception):
    """Saxon could not run the rules on a document (unreadable input)."""


@dataclass(frozen=True, slots=True)
class SchematronFinding:
    """A failed assert or a fired report: the rule's ``@id``, its flag/role, an XPath and the message."""

    rule_id: str
    flag: str
    location: str
    message: str


def _sch(local: str) -> str:
    return f"{{{SCH}}}{local}"


def _xsl(parent: Element, local: str, **attrs: str) -> Element:
    return etree.SubElement(parent, f"{{{XSL}}}{local}", attrs)


def _variables(parent: Element, lets: Sequence[Element]) -> None:
    for let in lets:
        variable = _xsl(parent, "variable", name=let.get("name") or "")
        if let.get("value") is not None:
            variable.set("select", let.get("value") or "")
        else:
            for child in let:
                variable.append(copy.deepcopy(child))
            variable.text = let.text


def _message(parent: Element, node: Element) -> None:
    """The assert/report text, with ``sch:value-of`` and ``sch:name`` evaluated, whitespace normalised."""
    holder = _xsl(parent, "variable", name="message")
    if node.text:
        _xsl(holder, "text").text = node.text
    for child in node:
        if child.tag in (_sch("value-of"), _sch("value")):
            _xsl(holder, "value-of", select=child.get("select") or ".")
        elif child.tag == _sch("name"):
            _xsl(holder, "value-of", select=f"name({child.get('path') or '.'})")
        elif isinstance(child.tag, str):
            _xsl(holder, "text").text = "".join(str(t) for t in child.itertext())
        if child.tail:
            _xsl(holder, "text").text = child.tail
    _xsl(parent, "value-of", select="normalize-space($message)")


def _finding(parent: Element, node: Element) -> None:
    rule_id = node.get("id") or ""
    flag = node.get("flag") or node.get("role") or "error"
    _xsl(parent, "text").text = f"{rule_id}{_SEP}{flag}{_SEP}"
    _xsl(parent, "value-of", select="path(.)")
    _xsl(parent, "text").text = _SEP
    _message(parent, node)
    _xsl(parent, "text").text = "\n"


def _evaluation_error(parent: Element, node: Element) -> None:
    _xsl(parent, "text").text = f"{node.get('id') or ''}{_SEP}{EVALUATION_ERROR}{_SEP}"
    _xsl(parent, "value-of", select="path(.)")
    _xsl(parent, "text").text = _SEP + "the rule could not be evaluated: "
    _xsl(parent, "value-of", select="$err:description")
    _xsl(parent, "text").text = "\n"


def compile_to_xslt(schemas: Sequence[Path]) -> bytes:
    """Generate the XSLT 3.0 stylesheet for the given Schematron files (in order)."""
    namespaces: dict[str, str] = {}
    documents = []
    for path in schemas:
        try:
            doc = etree.parse(
                str(path), etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
            )
        except (OSError, etree.XMLSyntaxError) as exc:
            raise SchematronCompileError(f"cannot read {path}: {exc}") from None
        root = doc.getroot()
        for local in _UNSUPPORTED:
            if root.find(f".//{_sch(local)}") is not None:
                raise SchematronCompileError(f"{path.name}: sch:{local} is not supported")
        if root.xpath(".//*[@abstract='true']"):
            raise SchematronCompileError(f"{path.name}: abstract rules/patterns are not supported")
        for ns_el in root.iter(_sch("ns")):
            prefix, uri = ns_el.get("prefix") or "", ns_el.get("uri") or ""
            if namespaces.setdefault(prefix, uri) != uri:
                raise SchematronCompileError(f"prefix {prefix!r} bound to two URIs")
        documents.append(root)
    stylesheet = etree.Element(
        f"{{{XSL}}}stylesheet",
        {"version": "3.0", "exclude-result-prefixes": "#all"},
        nsmap={
            "xsl": XSL,
            "xs": "http://www.w3.org/2001/XMLSchema",
            "err": "http://www.w3.org/2005/xqt-errors",
            **namespaces,
        },
    )
    _xsl(stylesheet, "output", method="text", encoding="UTF-8")
    entry = _xsl(stylesheet, "template", match="/")
    mode_number = 0
    for root in documents:
        _variables(stylesheet, root.findall(_sch("let")))
        for pattern in root.iter(_sch("pattern")):
            mode_number += 1
            mode = f"p{mode_number}"
            _xsl(stylesheet, "mode", name=mode, **{"on-no-match": "shallow-skip"})
            _xsl(entry, "apply-templates", select=".", mode=mode)
            pattern_lets = pattern.findall(_sch("let"))
            rules = pattern.findall(_sch("rule"))
            for index, rule in enumerate(rules):
                template = _xsl(
                    stylesheet,
                    "template",
                    match=rule.get("context") or "/",
                    mode=mode,
                    priority=str(len(rules) - index),
                )
                _variables(template, pattern_lets)
                _variables(template, rule.findall(_sch("let")))
                for check in rule:
                    if check.tag == _sch("assert"):
                        test = f"not({check.get('test')})"
                    elif check.tag == _sch("report"):
                        test = check.get("test") or "false()"
                    else:
                        continue
                    # A rule whose test raises a dynamic error (R-EDM-ERR-C022 compares a string with a
                    # number) must not abort the other rules: it is reported as not evaluable.
                    attempt = _xsl(template, "try")
                    _finding(_xsl(attempt, "if", test=test), check)
                    _evaluation_error(_xsl(attempt, "catch"), check)
                _xsl(template, "apply-templates", select="@*|node()", mode="#current")
    return bytes(etree.tostring(stylesheet, xml_declaration=True, encoding="UTF-8"))


class _Saxon:
    """One Saxon processor per process; Saxon/C calls are serialised with a lock."""

    def __init__(self) -> None:
        from saxonche import PySaxonProcessor

        self.lock = threading.Lock()
        self.processor: Any = PySaxonProcessor(license=False)
        self.xslt: Any = self.processor.new_xslt30_processor()


@cache
def _saxon() -> _Saxon:
    return _Saxon()


@dataclass(frozen=True, slots=True)
class CompiledSchematron:
    """A compiled set of Schematron files, ready to validate documents."""

    executable: Any
    sources: tuple[Path, ...]
    prefixes: tuple[tuple[str, str], ...] = ()  # (uri, prefix) for readable locations

    def run(self, document: bytes) -> list[SchematronFinding]:
        """Validate one XML document (bytes; parsed by Saxon, which here sees input already vetted)."""
        saxon = _saxon()
        from saxonche import PySaxonApiError

        try:
            with saxon.lock:
                node = saxon.processor.parse_xml(xml_text=document.decode("utf-8"))
                output = self.executable.transform_to_string(xdm_node=node) or ""
        except (PySaxonApiError, UnicodeDecodeError) as exc:
            raise SchematronRunError(f"Schematron run failed: {exc}") from None
        findings = []
        for line in output.splitlines():
            if line:
                rule_id, flag, location, message = line.split(_SEP, 3)
                findings.append(SchematronFinding(rule_id, flag, self._prefixed(location), message))
        return findings

    def _prefixed(self, path: str) -> str:
        """``/Q{urn:…rim:4.0}Slot[3]`` → ``/rim:Slot[3]`` with the schema's own prefixes."""
        for uri, prefix in self.prefixes:
            path = path.replace(f"Q{{{uri}}}", prefix + ":")
        return path.replace("Q{}", "")


_CLARK_PREFIXES: Final = {
    "urn:oasis:names:tc:ebxml-regrep:xsd:query:4.0": "query",
    "urn:oasis:names:tc:ebxml-regrep:xsd:rim:4.0": "rim",
    "urn:oasis:names:tc:ebxml-regrep:xsd:rs:4.0": "rs",
    "http://data.europa.eu/p4s": "sdg",
    "http://www.w3.org/2001/XMLSchema-instance": "xsi",
    "http://www.w3.org/1999/xlink": "xlink",
    "http://www.w3.org/XML/1998/namespace": "xml",
}


@cache
def compile_schematron(*schemas: Path) -> CompiledSchematron:
    """Compile (once per process and set of files) the given Schematron files into one executable."""
    stylesheet = compile_to_xslt(schemas).decode("utf-8")
    saxon = _saxon()
    with saxon.lock:
        executable = saxon.xslt.compile_stylesheet(stylesheet_text=stylesheet)
    if executable is None:
        raise SchematronCompileError(f"Saxon could not compile {', '.join(p.name for p in schemas)}")
    prefixes = dict(_CLARK_PREFIXES)
    for path in schemas:
        for ns_el in etree.parse(str(path)).getroot().iter(_sch("ns")):
            prefixes.setdefault(ns_el.get("uri") or "", ns_el.get("prefix") or "")
    return CompiledSchematron(executable=executable, sources=tuple(schemas), prefixes=tuple(prefixes.items()))

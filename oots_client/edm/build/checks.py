"""What the builders refuse: values the EDM rules forbid, checked before a message is written.

The official Schematron tests code lists by substring (DIGEST §1 item 18); these checks are exact. Every
refusal is a :class:`~oots_client.edm.errors.BuildError` saying what is wrong and where.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Final, cast

from lxml import etree

from oots_client.edm import codelists
from oots_client.edm.errors import BuildError
from oots_client.edm.model import LocalizedText
from oots_client.edm.validate import xsd_schema
from oots_client.edm.versions import EdmVersion
from oots_client.edm.xmlsafe import parse_own

_UUID: Final = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
URN_UUID: Final = re.compile(rf"urn:uuid:{_UUID}")
BARE_UUID: Final = re.compile(_UUID)
GENDERS: Final = (None, "Male", "Female", "Unspecified")


def require(condition: object, what: str, where: str) -> None:
    """Refuse the model unless ``condition`` holds (is truthy: a match, a non-empty tuple, True)."""
    if not condition:
        raise BuildError(what, where)


def check_code(value: str | None, allowed: frozenset[str], what: str, where: str) -> None:
    """``value`` (when given) is exactly one of the code list's codes."""
    if value is not None and value not in allowed:
        raise BuildError(f"{what} {value!r} is not in its code list", where)


def check_languages(texts: Iterable[LocalizedText], where: str) -> None:
    """Every ``lang`` is a LanguageCode (R-EDM-REQ-C009, C021, C028, C030; R-EDM-RESP-C018, C020)."""
    languages = codelists.languages()
    for text in texts:
        if text.lang not in languages:
            raise BuildError(f"language {text.lang!r} is not in its code list", where)


@cache
def is_organisation_scheme(scheme_id: str | None) -> bool:
    """An EAS or unregistered scheme (R-EDM-REQ-C012, C018; R-EDM-RESP-C007, C013, C039; R-EDM-ERR-C004,
    C010); the schemes are few, so the answer is kept."""
    return codelists.is_organisation_scheme(scheme_id)


def check_xsd(data: bytes, version: EdmVersion) -> None:
    """Parse the written text once (hardened parser) and validate that tree against the version's XSD."""
    schema = xsd_schema(version.xsd_profile)
    if not schema.validate(parse_own(data)):
        log = cast(Iterable[etree._LogEntry], schema.error_log)
        first = next(iter(log), None)
        raise BuildError(
            f"the built message fails the {version.short} XSD: {first.message if first else 'invalid'}",
            f"line {first.line}" if first else "/",
        )

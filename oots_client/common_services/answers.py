"""Checking a user's answers to a ``DSD:ERR:0005`` question before the follow-up query (DIGEST §5.3).

The DSD checks them too (``DSD:ERR:0006``); checking here first lets the portal say what is wrong in the
user's
own words instead of sending a query that is bound to fail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from oots_client.common_services import genericode
from oots_client.common_services.errors import InvalidAnswerError
from oots_client.common_services.model import AdditionalInputAnswers

if TYPE_CHECKING:
    from oots_client.common_services.model import AdditionalInputRequired

# LAU codes are national; the LAU list is not available (DIGEST §9), so only their shape is checked.
_LAU: Final = re.compile(r"^[A-Z]{0,2}[0-9A-Z]{1,12}$")


def check_jurisdiction(level: str, value: str) -> str:
    """The normalised answer for a jurisdiction question of ``level`` (``InvalidAnswerError`` if wrong)."""
    code = value.strip().upper()
    if level in genericode.NUTS_LEVEL_LENGTH:
        if len(code) != genericode.NUTS_LEVEL_LENGTH[level] or code not in genericode.nuts_codes():
            raise InvalidAnswerError(f"{value!r} is not a {level} region code")
    elif level == "LAU":
        if not _LAU.fullmatch(code):
            raise InvalidAnswerError(f"{value!r} is not a local administrative unit (LAU) code")
    elif level == "Country":
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise InvalidAnswerError(f"{value!r} is not a country code")
    else:
        raise InvalidAnswerError(f"unknown jurisdiction level {level!r}")
    return code


def build_answers(
    question: AdditionalInputRequired, *, jurisdiction: str | None, classifications: Mapping[str, str]
) -> AdditionalInputAnswers:
    l2: str | None = None
    l3: str | None = None
    context_id: str | None = None
    if question.jurisdiction is not None:
        if not jurisdiction:
            raise InvalidAnswerError(f"the question {question.jurisdiction.label()!r} needs an answer")
        code = check_jurisdiction(question.jurisdiction.level, jurisdiction)
        context_id = question.jurisdiction.context_id
        if question.jurisdiction.level == "LAU":
            l3 = code
        else:
            l2 = code
    elif jurisdiction:
        raise InvalidAnswerError("the Data Service Directory did not ask for a jurisdiction")
    pairs: list[tuple[str, str]] = []
    known = {q.identifier: q for q in question.classification_questions}
    for identifier in classifications:
        if identifier not in known:
            raise InvalidAnswerError(f"the Data Service Directory did not ask question {identifier!r}")
    for classification in question.classification_questions:
        value = classifications.get(classification.identifier, "").strip()
        if not value:
            raise InvalidAnswerError(f"the question {classification.question()!r} needs an answer")
        allowed = {v.code for v in classification.allowed_values}
        if allowed and value not in allowed:
            raise InvalidAnswerError(
                f"{value!r} is not one of the allowed answers to {classification.question()!r}"
            )
        pairs.append((classification.identifier, value))
    return AdditionalInputAnswers(
        evidence_type_id=question.evidence_type.identifier or None,
        jurisdiction_context_id=context_id,
        jurisdiction_admin_l2=l2,
        jurisdiction_admin_l3=l3,
        classifications=tuple(pairs),
    )

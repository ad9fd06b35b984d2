"""How an exchange and its evidence are shown to the user: plain-language errors with what to do next, and
structured (XML) evidence as a readable table. No raw XML and no bare protocol code reaches the user."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from lxml import etree

from exchanges.models import Evidence, EvidenceRequest, ExchangeState
from oots_client.edm.errors import EdmError
from oots_client.edm.xmlsafe import parse_xml

INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
STRUCTURED_TYPES = frozenset({"application/xml", "text/xml"})
_MAX_ROWS = 400


@dataclass(frozen=True)
class Explanation:
    title: str
    text: str
    can_retry: bool


def error_explanation(exchange: EvidenceRequest) -> Explanation | None:
    """What went wrong, in plain language, and whether asking again may help."""
    code = exchange.error_code
    if exchange.state == ExchangeState.DECLINED:
        return Explanation(str(_("Not requested")), str(_("You chose not to use this request.")), False)
    if exchange.state == ExchangeState.TIMED_OUT or code == "TIMEOUT":
        return Explanation(
            str(_("No answer in time")),
            str(
                _("The authority did not answer in time. You can ask again, or upload the document yourself.")
            ),
            True,
        )
    if exchange.state != ExchangeState.FAILED:
        return None
    if code == "EDM:ERR:0004":
        return Explanation(
            str(_("No evidence found")),
            str(
                _(
                    "The authority found no evidence about you. Check that you chose the right country and "
                    "authority, choose another one, or upload the document yourself."
                )
            ),
            False,
        )
    if code == "NO_EVIDENCE":
        return Explanation(
            str(_("Nothing was shared")),
            str(
                _(
                    "The authority sent no evidence: you chose not to share it in the preview, or it had "
                    "nothing to send. You can ask again, or upload the document yourself."
                )
            ),
            True,
        )
    if code in ("SEND_FAILED", "AS4_DELIVERY_FAILED"):
        return Explanation(
            str(_("The request could not be delivered")),
            str(
                _(
                    "Your request could not reach the authority. "
                    "You can try again later, or upload the document."
                )
            ),
            True,
        )
    return Explanation(
        str(_("The authority could not send the evidence")),
        str(_("Something went wrong at the authority. You can ask again, or upload the document yourself.")),
        True,
    )


def evidence_kind(evidence: Evidence) -> str:
    media_type = evidence.media_type.split(";")[0].strip().lower()
    if media_type == "application/pdf":
        return "pdf"
    if media_type in ("image/png", "image/jpeg"):
        return "image"
    if media_type in STRUCTURED_TYPES or media_type.endswith("+xml"):
        return "xml"
    return "other"


def _label(tag: str) -> str:
    local = etree.QName(tag).localname if tag.startswith("{") else tag
    # "DateOfBirth" -> "Date of birth"
    words: list[str] = []
    for char in local:
        if char.isupper() and words and not words[-1].endswith(" "):
            words.append(" ")
        words.append(char)
    text = "".join(words).replace("_", " ").strip()
    return text[:1].upper() + text[1:].lower()


def xml_rows(evidence: Evidence) -> list[tuple[str, str]]:
    """Every element with text, as (readable path, value); empty when the document cannot be read."""
    if not evidence.file:
        return []
    try:
        with evidence.file.open("rb") as handle:
            root = parse_xml(handle.read())
    except (EdmError, OSError, etree.XMLSyntaxError):
        return []
    rows: list[tuple[str, str]] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or len(element):
            continue
        text = (element.text or "").strip()
        if not text:
            continue
        path = [_label(a.tag) for a in reversed(list(element.iterancestors())) if a is not root]
        rows.append((" > ".join([*path, _label(element.tag)]), text))
        if len(rows) >= _MAX_ROWS:
            break
    return rows

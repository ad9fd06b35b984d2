"""How an exchange and its evidence are shown to the user: plain-language errors with what to do next, and
structured (XML) evidence as a readable table. No raw XML and no bare protocol code reaches the user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    #: the other exceptions of the provider's answer (R-EDM-ERR-C011 allows several), each explained
    also: tuple[str, ...] = ()


# Each EDM error code (EDM:ERR:0001 … 0008, the EDMErrorCodes code list), what it means for the citizen and
# what to do next: (title, text, whether asking the same authority again may help).
_EDM_ERRORS: dict[str, tuple[Any, Any, bool]] = {
    "EDM:ERR:0001": (
        _("The authority could not confirm who you are"),
        _(
            "It did not accept the identity of your login. Log in again, then ask again, or upload the "
            "document yourself."
        ),
        True,
    ),
    "EDM:ERR:0002": (
        _("The authority wants your agreement first"),
        _(
            "It asks you to look at the evidence before it is shared, but gave no address for that. Ask "
            "again, or upload the document yourself."
        ),
        True,
    ),
    "EDM:ERR:0003": (
        _("The authority could not read the request"),
        _(
            "This is a problem between the portal and the authority, not something you did. Ask again "
            "later, choose another authority, or upload the document yourself."
        ),
        True,
    ),
    "EDM:ERR:0004": (
        _("No evidence found"),
        _(
            "The authority found no evidence about you. Check that you chose the right country and "
            "authority, choose another one, or upload the document yourself."
        ),
        False,
    ),
    "EDM:ERR:0005": (
        _("The time to preview ran out"),
        _(
            "The authority waited for you to look at the evidence and decide, but the time ran out, so "
            "nothing was shared. Ask again and preview it straight away, or upload the document yourself."
        ),
        True,
    ),
    "EDM:ERR:0006": (
        _("The authority no longer knows this request"),
        _(
            "The request referred to a preview or an earlier request the authority cannot find any more. "
            "Ask again to start over, or upload the document yourself."
        ),
        True,
    ),
    "EDM:ERR:0007": (
        _("The authority cannot send it this way"),
        _(
            "It does not support something this request needs (the format or the preview, for example). "
            "Choose another authority or country, or upload the document yourself."
        ),
        False,
    ),
    "EDM:ERR:0008": (
        _("The authority had a problem with the request"),
        _(
            "Something went wrong while the authority was processing it. Ask again in a while, or upload "
            "the document yourself."
        ),
        True,
    ),
    "NO_EVIDENCE": (
        _("Nothing was shared"),
        _(
            "The authority sent no evidence: you chose not to share it in the preview, or it had nothing "
            "to send. You can ask again, or upload the document yourself."
        ),
        True,
    ),
    "SEND_FAILED": (
        _("The request could not be delivered"),
        _("Your request could not reach the authority. You can try again later, or upload the document."),
        True,
    ),
}
_EDM_ERRORS["AS4_DELIVERY_FAILED"] = _EDM_ERRORS["SEND_FAILED"]
_GENERAL = (
    _("The authority could not send the evidence"),
    _("Something went wrong at the authority. You can ask again, or upload the document yourself."),
    True,
)


def _explained(code: str) -> tuple[Any, Any, bool]:
    return _EDM_ERRORS.get(code, _GENERAL)


def error_explanation(exchange: EvidenceRequest) -> Explanation | None:
    """What went wrong, in plain language, what to do next, and whether asking again may help; with the
    provider's other exceptions when it gave several."""
    code = exchange.error_code
    if exchange.state == ExchangeState.DECLINED:
        return Explanation(str(_("Not requested")), str(_("You chose not to use this request.")), False)
    if exchange.state == ExchangeState.TIMED_OUT or code == "TIMEOUT":
        if exchange.preview_location:
            return Explanation(
                str(_("No answer after the preview")),
                str(
                    _(
                        "The authority did not send the evidence in time after the preview, or the preview "
                        "was not finished in time. You can ask again, or upload the document yourself."
                    )
                ),
                True,
            )
        return Explanation(
            str(_("No answer in time")),
            str(
                _("The authority did not answer in time. You can ask again, or upload the document yourself.")
            ),
            True,
        )
    if exchange.state != ExchangeState.FAILED:
        return None
    title, text, can_retry = _explained(code)
    others = [item for item in exchange.error_exceptions[1:] if isinstance(item, dict)]
    also = tuple(_also_line(str(item.get("code") or ""), str(item.get("message") or "")) for item in others)
    return Explanation(str(title), str(text), can_retry, also)


def _also_line(code: str, message: str) -> str:
    title = str(_explained(code)[0])
    return f"{title}: “{message}”" if message else title


def directory_problem(code: str) -> str:
    """What an Evidence Broker or Data Service Directory refusal means for the citizen (the journey's step
    2); empty when the page's general text says it."""
    return str(_DIRECTORY_PROBLEMS.get(code, ""))


_DIRECTORY_PROBLEMS: dict[str, Any] = {
    "EB:ERR:0001": _("The European directory knows no evidence for this in that country."),
    "EB:ERR:0002": _(
        "The European directory does not know this requirement any more: the portal's list of "
        "requirements needs an update. Please tell the authority that runs this procedure."
    ),
    "DSD:ERR:0001": _("The European directory knows no authority in that country that sends this evidence."),
    "DSD:ERR:0002": _("The European directory does not know this kind of evidence in that country."),
    "EB:ERR:0003": _(
        "The portal asked the European directory in a way it does not accept: this is not your fault."
    ),
}
for _code in ("EB:ERR:0004", "EB:ERR:0005", "EB:ERR:0006", "EB:ERR:0007", "DSD:ERR:0003", "DSD:ERR:0004"):
    _DIRECTORY_PROBLEMS[_code] = _DIRECTORY_PROBLEMS["EB:ERR:0003"]


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

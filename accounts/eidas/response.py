"""Every check on a SAML Response before it may log anyone in.

python3-saml does the cryptography and the SAML conditions (signatures and their placement against
signature wrapping, issuer, audience, recipient, destination, validity window, decryption). Around
it, this module adds what it does not do or does not name precisely: a hard refusal of DOCTYPEs and
of comments or processing instructions anywhere (the comment-splice attack on NameID and attribute
values: canonicalisation drops comments, so the signature stays valid), and a stable reason code per
failure. The checks that need the session or the cache (InResponseTo, replay, LoA) are in
``accounts.eidas.acs``.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass
from typing import Any

from lxml import etree
from onelogin.saml2.auth import OneLogin_Saml2_Auth
from onelogin.saml2.errors import OneLogin_Saml2_ValidationError as VE
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings

from accounts.eidas.errors import EidasLoginError
from accounts.eidas.loa import loa_from_uri

logger = logging.getLogger(__name__)

# A real eIDAS response, encrypted and signed twice, is 10-20 kB; anything this big is an attack.
MAX_RESPONSE_BYTES = 512 * 1024
SAMLP_NS = "urn:oasis:names:tc:SAML:2.0:protocol"

_REASONS = {
    VE.NO_SIGNED_MESSAGE: "unsigned",
    VE.NO_SIGNED_ASSERTION: "unsigned",
    VE.NO_SIGNATURE_FOUND: "unsigned",
    VE.INVALID_SIGNATURE: "signature_invalid",
    VE.DEPRECATED_SIGNATURE_METHOD: "signature_invalid",
    VE.DEPRECATED_DIGEST_METHOD: "signature_invalid",
    VE.WRONG_NUMBER_OF_ASSERTIONS: "signature_wrapping",
    VE.WRONG_SIGNED_ELEMENT: "signature_wrapping",
    VE.ID_NOT_FOUND_IN_SIGNED_ELEMENT: "signature_wrapping",
    VE.DUPLICATED_ID_IN_SIGNED_ELEMENTS: "signature_wrapping",
    VE.INVALID_SIGNED_ELEMENT: "signature_wrapping",
    VE.DUPLICATED_REFERENCE_IN_SIGNED_ELEMENTS: "signature_wrapping",
    VE.UNEXPECTED_SIGNED_ELEMENTS: "signature_wrapping",
    VE.WRONG_NUMBER_OF_SIGNATURES_IN_RESPONSE: "signature_wrapping",
    VE.WRONG_NUMBER_OF_SIGNATURES_IN_ASSERTION: "signature_wrapping",
    VE.WRONG_NUMBER_OF_SIGNATURES: "signature_wrapping",
    VE.INVALID_XML_FORMAT: "schema_invalid",
    VE.UNSUPPORTED_SAML_VERSION: "schema_invalid",
    VE.MISSING_ID: "schema_invalid",
    VE.MISSING_STATUS: "schema_invalid",
    VE.MISSING_STATUS_CODE: "schema_invalid",
    VE.STATUS_CODE_IS_NOT_SUCCESS: "status_not_success",
    VE.ASSERTION_EXPIRED: "expired",
    VE.SESSION_EXPIRED: "expired",
    VE.RESPONSE_EXPIRED: "expired",
    VE.ASSERTION_TOO_EARLY: "not_yet_valid",
    VE.MISSING_CONDITIONS: "schema_invalid",
    VE.WRONG_AUDIENCE: "wrong_audience",
    VE.WRONG_SUBJECTCONFIRMATION: "wrong_recipient",
    VE.WRONG_DESTINATION: "wrong_destination",
    VE.EMPTY_DESTINATION: "wrong_destination",
    VE.WRONG_ISSUER: "wrong_issuer",
    VE.ISSUER_MULTIPLE_IN_RESPONSE: "wrong_issuer",
    VE.ISSUER_NOT_FOUND_IN_ASSERTION: "wrong_issuer",
    VE.NO_ENCRYPTED_ASSERTION: "not_encrypted",
    VE.KEYINFO_NOT_FOUND_IN_ENCRYPTED_DATA: "decryption_failed",
    VE.CHILDREN_NODE_NOT_FOUND_IN_KEYINFO: "decryption_failed",
    VE.UNSUPPORTED_RETRIEVAL_METHOD: "decryption_failed",
    VE.NO_NAMEID: "missing_attribute",
    VE.EMPTY_NAMEID: "missing_attribute",
    VE.NO_ATTRIBUTESTATEMENT: "missing_attribute",
    VE.DUPLICATED_ATTRIBUTE_NAME_FOUND: "invalid_attribute",
    VE.WRONG_INRESPONSETO: "unknown_request",
}


@dataclass(frozen=True)
class ValidResponse:
    """A response whose signatures and conditions hold. ``auth`` is python3-saml's view of it, in
    the shape allauth's provider reads (``get_attributes``, ``get_nameid``)."""

    auth: OneLogin_Saml2_Auth
    issuer: str
    in_response_to: str | None
    assertion_id: str
    not_on_or_after: int | None
    loa: str | None
    attributes: dict[str, list[str]]


def _refuse_dtd_and_comments(root: etree._Element | etree._ElementTree, *, where: str) -> None:
    tree = root.getroottree() if isinstance(root, etree._Element) else root
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise EidasLoginError("doctype", f"DOCTYPE in the {where}")
    for node in tree.getroot().xpath("//comment() | //processing-instruction()"):
        kind = "xml_comment" if isinstance(node, etree._Comment) else "malformed"
        parent = node.getparent()
        raise EidasLoginError(
            kind, f"{type(node).__name__} in the {where} under <{getattr(parent, 'tag', '?')}>"
        )


def _xml_precheck(xml: bytes) -> etree._Element:
    # Entities never resolved, nothing fetched, no huge trees: the document is hostile until proven.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        tree = etree.ElementTree(etree.fromstring(xml, parser))
    except etree.XMLSyntaxError as exc:
        raise EidasLoginError("malformed", f"not XML: {exc}") from exc
    _refuse_dtd_and_comments(tree, where="response")
    return tree.getroot()


def _decoded(encoded: str) -> bytes:
    if not encoded:
        raise EidasLoginError("no_response", "no SAMLResponse in the POST")
    if len(encoded) > MAX_RESPONSE_BYTES:
        raise EidasLoginError("too_large", f"SAMLResponse of {len(encoded)} bytes")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EidasLoginError("malformed", "SAMLResponse is not base64") from exc


def response_in_response_to(encoded: str) -> str | None:
    """The ``InResponseTo`` of a posted response, read before any signature is checked.

    Only used to find out whether the response answers a request this browser has pending: nothing
    in the document is believed yet, and a response that passes this is still checked whole.
    """
    root = _xml_precheck(_decoded(encoded))
    if etree.QName(root).text != f"{{{SAMLP_NS}}}Response":
        raise EidasLoginError("malformed", f"<{etree.QName(root).text}> is not a SAML Response")
    value = root.get("InResponseTo")
    return value.strip() if value and value.strip() else None


def response_validate(saml_settings: OneLogin_Saml2_Settings, request_data: dict[str, Any]) -> ValidResponse:
    """Validate the ``SAMLResponse`` posted in ``request_data``; ``EidasLoginError`` if anything is off."""
    encoded = request_data["post_data"].get("SAMLResponse") or ""
    _xml_precheck(_decoded(encoded))

    try:
        response = OneLogin_Saml2_Response(saml_settings, encoded)
        # InResponseTo is checked against the session's stashed requests by the caller, which
        # tells an IdP-initiated response from one answering another request.
        response.is_valid(request_data, request_id=None, raise_exceptions=True)
    except VE as exc:
        raise EidasLoginError(
            _REASONS.get(exc.code, "invalid"), f"{exc} (python3-saml code {exc.code})"
        ) from exc
    except Exception as exc:  # xmlsec and python3-saml raise plain errors on broken crypto
        reason = "decryption_failed" if "ecrypt" in str(exc) else "invalid"
        raise EidasLoginError(reason, f"{type(exc).__name__}: {exc}") from exc
    if response.encrypted:
        # The comment check above could not see inside the encrypted assertion.
        _refuse_dtd_and_comments(response.decrypted_document, where="decrypted assertion")

    contexts = response.get_authn_contexts()
    loa = loa_from_uri(contexts[0]) if len(contexts) == 1 else None
    issuers = response.get_issuers()
    auth = OneLogin_Saml2_Auth(request_data, saml_settings)
    auth.store_valid_response(response)
    return ValidResponse(
        auth=auth,
        issuer=issuers[0] if issuers else "",
        in_response_to=response.get_in_response_to(),
        assertion_id=response.get_assertion_id() or "",
        not_on_or_after=response.get_assertion_not_on_or_after(),
        loa=loa,
        attributes=response.get_attributes(),
    )

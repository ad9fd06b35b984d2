"""The attack corpus: crafted responses, each refused with its own reason and no session.

The baseline (``_valid``) is a response the SP accepts (see test_eidas_response_accepted.py); each
test bends one thing. Signatures are real, made with the trusted forge IdP's key unless the test is
about the key.
"""

from __future__ import annotations

import base64
import copy

from django.test import Client
from lxml import etree

from accounts.eidas.config import sp_keys
from tests.accounts.conftest import acs_post, is_logged_in, login_start, refusal_code
from tests.accounts.forge import (
    NATURAL,
    NATURAL_PERSON,
    PORTAL_HOST,
    SAML_NS,
    ForgeIdp,
    ResponseSpec,
    assertion_of,
    encode,
    encrypt,
    key_pair_create,
    response_build,
    sign,
)

DS = "{http://www.w3.org/2000/09/xmldsig#}"


def _refused(client: Client, document: etree._Element | bytes, reason: str) -> None:
    answer = acs_post(client, encode(document))
    assert answer.status_code == 403
    assert refusal_code(answer) == reason
    assert "You have not been logged in" in answer.content.decode()
    assert not is_logged_in(client)


def _spec(client: Client, **changes: object) -> ResponseSpec:
    return ResponseSpec(login_start(client)).but(**changes)


def _valid(client: Client, idp: ForgeIdp, **changes: object) -> etree._Element:
    return sign(response_build(_spec(client, **changes)), idp.rsa)


def test_an_unsigned_response_is_refused(portal_client, forge_idp):
    _refused(portal_client, response_build(_spec(portal_client)), "unsigned")


def test_a_response_signed_without_its_assertion_signed_is_refused(portal_client, forge_idp):
    root = sign(response_build(_spec(portal_client)), forge_idp.rsa, assertion=False)
    _refused(portal_client, root, "unsigned")


def test_a_response_signed_by_an_untrusted_key_is_refused(portal_client, forge_idp):
    root = sign(response_build(_spec(portal_client)), forge_idp.untrusted)
    _refused(portal_client, root, "signature_invalid")


def test_a_value_changed_after_signing_is_refused(portal_client, forge_idp):
    root = _valid(portal_client, forge_idp)
    value = root.find(
        f".//{{{SAML_NS}}}Attribute[@Name='{NATURAL}CurrentFamilyName']/{{{SAML_NS}}}AttributeValue"
    )
    value.text = "Evil"
    _refused(portal_client, root, "signature_invalid")


def test_a_sha1_signature_is_refused_as_deprecated(portal_client, forge_idp):
    root = _valid(portal_client, forge_idp)
    # Re-sign by hand with RSA-SHA1: python3-saml refuses the algorithm before checking the value.
    for method in root.iter(f"{DS}SignatureMethod"):
        method.set("Algorithm", "http://www.w3.org/2000/09/xmldsig#rsa-sha1")
    _refused(portal_client, root, "signature_invalid")


def test_xsw_a_second_unsigned_assertion_beside_the_signed_one_is_refused(portal_client, forge_idp):
    root = _valid(portal_client, forge_idp)
    evil = copy.deepcopy(assertion_of(root))
    evil.remove(evil.find(f"{DS}Signature"))
    evil.set("ID", "_evil")
    root.insert(list(root).index(assertion_of(root)), evil)
    _refused(portal_client, root, "signature_wrapping")


def test_xsw_the_signed_assertion_moved_into_the_signature_object_is_refused(portal_client, forge_idp):
    root = sign(response_build(_spec(portal_client)), forge_idp.rsa, response=False)
    original = assertion_of(root)
    signature = original.find(f"{DS}Signature")
    original.remove(signature)
    evil = copy.deepcopy(original)
    evil.find(f".//{{{SAML_NS}}}NameID").text = "BE/BE/evil"
    # XSW3/4 shape: an evil assertion (same ID) carries the signature, whose Object hides the original.
    evil.find(f"{{{SAML_NS}}}Issuer").addnext(signature)
    root.replace(original, evil)
    etree.SubElement(signature, f"{DS}Object").append(original)
    _refused(portal_client, root, "signature_wrapping")


def test_xsw_an_evil_assertion_wrapping_the_signed_one_is_refused(portal_client, forge_idp):
    root = _valid(portal_client, forge_idp)
    original = assertion_of(root)
    evil = copy.deepcopy(original)
    evil.remove(evil.find(f"{DS}Signature"))
    evil.find(f".//{{{SAML_NS}}}NameID").text = "BE/BE/evil"
    # The signed original hidden in an Advice of the evil assertion (XSW7/8 shape).
    advice = etree.Element(f"{{{SAML_NS}}}Advice")
    root.replace(original, evil)
    advice.append(original)
    evil.find(f"{{{SAML_NS}}}Conditions").addnext(advice)
    _refused(portal_client, root, "signature_wrapping")


def test_xsw_an_evil_response_wrapping_the_signed_response_is_refused(portal_client, forge_idp):
    signed = _valid(portal_client, forge_idp)
    evil = copy.deepcopy(signed)
    evil.set("ID", "_evil_response")
    evil.remove(evil.find(f"{DS}Signature"))
    assertion_of(evil).find(f".//{{{SAML_NS}}}NameID").text = "BE/BE/evil"
    # XSW1: the original signed response carried inside the evil one's signature.
    signature = copy.deepcopy(signed.find(f"{DS}Signature"))
    etree.SubElement(signature, f"{DS}Object").append(signed)
    evil.find(f"{{{SAML_NS}}}Issuer").addnext(signature)
    _refused(portal_client, evil, "signature_wrapping")


def test_an_expired_assertion_is_refused(portal_client, forge_idp):
    root = _valid(portal_client, forge_idp, not_before_offset=-7200, not_on_or_after_offset=-3600)
    _refused(portal_client, root, "expired")


def test_an_assertion_not_yet_valid_is_refused(portal_client, forge_idp):
    root = _valid(portal_client, forge_idp, not_before_offset=3600, not_on_or_after_offset=7200)
    _refused(portal_client, root, "not_yet_valid")


def test_a_wrong_audience_is_refused(portal_client, forge_idp):
    root = _valid(portal_client, forge_idp, audience="https://other-sp.example/metadata")
    _refused(portal_client, root, "wrong_audience")


def test_a_wrong_recipient_is_refused(portal_client, forge_idp):
    root = _valid(portal_client, forge_idp, recipient="https://other-sp.example/acs")
    _refused(portal_client, root, "wrong_recipient")


def test_a_wrong_destination_is_refused(portal_client, forge_idp):
    root = _valid(portal_client, forge_idp, destination="https://other-sp.example/acs")
    _refused(portal_client, root, "wrong_destination")


def test_a_response_from_another_issuer_is_refused(portal_client, forge_idp):
    root = _valid(portal_client, forge_idp, issuer="https://other-idp.example/metadata")
    _refused(portal_client, root, "wrong_issuer")


def test_a_response_to_a_request_of_another_browser_is_refused(portal_client, forge_idp):
    other_browser = Client(HTTP_HOST=PORTAL_HOST)
    login_start(portal_client)  # this browser has a login of its own pending
    root = sign(response_build(ResponseSpec(login_start(other_browser))), forge_idp.rsa)
    _refused(portal_client, root, "unknown_request")


def test_an_idp_initiated_response_is_refused(portal_client, forge_idp):
    root = sign(response_build(ResponseSpec(None)), forge_idp.rsa)
    _refused(portal_client, root, "unsolicited")


def test_a_doctype_with_an_entity_is_refused(portal_client, forge_idp):
    signed = etree.tostring(_valid(portal_client, forge_idp))
    hostile = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e "Evil">]>' + signed
    _refused(portal_client, hostile, "doctype")


def test_a_missing_mandatory_attribute_is_refused(portal_client, forge_idp):
    attributes = {k: v for k, v in NATURAL_PERSON.items() if not k.endswith("DateOfBirth")}
    root = _valid(portal_client, forge_idp, attributes=attributes)
    _refused(portal_client, root, "missing_attribute")


def test_an_loa_below_the_requested_one_is_refused(portal_client, forge_idp):
    root = sign(
        response_build(ResponseSpec(login_start(portal_client, "high"), loa="substantial")), forge_idp.rsa
    )
    _refused(portal_client, root, "loa_too_low")


def test_a_comment_spliced_into_the_name_id_is_refused(portal_client, forge_idp):
    root = _valid(portal_client, forge_idp)
    name_id = root.find(f".//{{{SAML_NS}}}NameID")
    # Exclusive c14n drops comments, so the signature still verifies: only the explicit check stops it.
    head, tail = name_id.text[:6], name_id.text[6:]
    name_id.text = head
    comment = etree.Comment("")
    comment.tail = tail
    name_id.append(comment)
    _refused(portal_client, root, "xml_comment")


def test_a_comment_spliced_into_an_attribute_value_is_refused(portal_client, forge_idp):
    root = _valid(portal_client, forge_idp)
    value = root.find(
        f".//{{{SAML_NS}}}Attribute[@Name='{NATURAL}PersonIdentifier']/{{{SAML_NS}}}AttributeValue"
    )
    comment = etree.Comment("x")
    comment.tail = "00042"
    value.text = value.text[:-5]
    value.append(comment)
    _refused(portal_client, root, "xml_comment")


def test_a_failed_status_is_refused(portal_client, forge_idp):
    root = _valid(portal_client, forge_idp, status="urn:oasis:names:tc:SAML:2.0:status:Responder")
    _refused(portal_client, root, "status_not_success")


def test_an_assertion_encrypted_for_another_key_is_refused(portal_client, forge_idp):
    root = response_build(_spec(portal_client))
    sign(root, forge_idp.rsa, response=False)
    encrypt(root, key_pair_create().cert_pem)
    sign(root, forge_idp.rsa, assertion=False)
    _refused(portal_client, root, "decryption_failed")


def test_an_unencrypted_assertion_is_refused_when_encryption_is_required(portal_client, forge_idp, settings):
    settings.EIDAS_WANT_ASSERTIONS_ENCRYPTED = True
    _refused(portal_client, _valid(portal_client, forge_idp), "not_encrypted")


def test_a_response_that_is_not_base64_is_refused(portal_client, forge_idp):
    login_start(portal_client)
    answer = portal_client.post("/accounts/saml/eidas/acs/", {"SAMLResponse": "%%%not-base64"}, follow=True)
    assert refusal_code(answer) == "malformed"
    assert not is_logged_in(portal_client)


def test_sp_keys_are_generated_for_the_demo(portal_client):
    assert "BEGIN CERTIFICATE" in sp_keys().cert_pem


def test_a_legal_person_acting_as_representative_is_refused(portal_client, forge_idp):
    representative = "http://eidas.europa.eu/attributes/legalperson/representative/"
    attributes = {
        **NATURAL_PERSON,
        representative + "LegalPersonIdentifier": "BE/BE/0123456789",
        representative + "LegalName": "Accountants NV",
    }
    root = _valid(portal_client, forge_idp, attributes=attributes)
    answer = acs_post(portal_client, encode(root))
    assert refusal_code(answer) == "representation_unsupported"
    assert "organisation acting for someone else" in answer.content.decode()
    assert not is_logged_in(portal_client)


def test_an_address_declaring_an_entity_is_refused_as_unreadable(portal_client, forge_idp):
    hostile = b'<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><eidas:PostName>&x;</eidas:PostName>'
    attributes = {**NATURAL_PERSON, NATURAL + "CurrentAddress": base64.b64encode(hostile).decode()}
    root = _valid(portal_client, forge_idp, attributes=attributes)
    answer = acs_post(portal_client, encode(root))
    assert refusal_code(answer) == "invalid_attribute"
    assert not is_logged_in(portal_client)

"""Well-formed responses of a trusted IdP log the user in: every signature and encryption algorithm
the eIDAS profile allows, natural and legal persons, and the LoA obtained kept with the session."""

from __future__ import annotations

import base64

from accounts.eidas.config import sp_keys
from accounts.eidas.loa import SESSION_LOA_KEY
from accounts.models import EidasAddress, EidasIdentity, User
from tests.accounts.conftest import acs_post, is_logged_in, login_start, refusal_code
from tests.accounts.forge import (
    LEGAL,
    NATURAL,
    NATURAL_PERSON,
    ResponseSpec,
    encode,
    encrypt,
    response_build,
    sign,
)


def _login(client, root):
    answer = acs_post(client, encode(root))
    assert refusal_code(answer) is None, refusal_code(answer)
    assert is_logged_in(client)
    return answer


def test_a_response_signed_with_rsa_sha256_logs_the_user_in(portal_client, forge_idp):
    root = sign(response_build(ResponseSpec(login_start(portal_client))), forge_idp.rsa)
    answer = _login(portal_client, root)
    assert "Els Janssens" in answer.content.decode()


def test_a_response_signed_with_rsassa_pss_is_accepted(portal_client, forge_idp):
    root = sign(
        response_build(ResponseSpec(login_start(portal_client))), forge_idp.rsa, method="rsa-pss-sha256"
    )
    _login(portal_client, root)


def test_a_response_signed_with_ecdsa_is_accepted(portal_client, forge_idp):
    root = sign(response_build(ResponseSpec(login_start(portal_client))), forge_idp.ec, method="ecdsa-sha256")
    _login(portal_client, root)


def test_a_response_signed_on_the_assertion_only_is_accepted_when_the_response_signature_is_optional(
    portal_client, forge_idp, settings
):
    settings.EIDAS_WANT_RESPONSE_SIGNED = False
    root = sign(response_build(ResponseSpec(login_start(portal_client))), forge_idp.rsa, response=False)
    _login(portal_client, root)


def test_an_assertion_encrypted_with_aes_128_gcm_is_decrypted(portal_client, forge_idp):
    root = response_build(ResponseSpec(login_start(portal_client)))
    sign(root, forge_idp.rsa, response=False)
    encrypt(root, sp_keys().cert_pem.encode(), method="aes128-gcm")
    sign(root, forge_idp.rsa, assertion=False)
    _login(portal_client, root)


def test_an_assertion_encrypted_with_aes_256_gcm_is_decrypted(portal_client, forge_idp):
    root = response_build(ResponseSpec(login_start(portal_client)))
    sign(root, forge_idp.rsa, response=False)
    encrypt(root, sp_keys().cert_pem.encode(), method="aes256-gcm")
    sign(root, forge_idp.rsa, assertion=False)
    _login(portal_client, root)


def test_the_user_gets_the_eidas_names_an_unusable_password_and_the_loa_obtained(portal_client, forge_idp):
    root = sign(response_build(ResponseSpec(login_start(portal_client, "low"), loa="high")), forge_idp.rsa)
    _login(portal_client, root)
    user = User.objects.get(pk=portal_client.session["_auth_user_id"])
    assert (user.first_name, user.last_name) == ("Els", "Janssens")
    assert not user.has_usable_password()
    assert portal_client.session[SESSION_LOA_KEY] == "high"
    assert user.eidas_identity.loa == "high"
    assert user.eidas_identity.person_identifier == "BE/BE/90010100042"


def test_a_natural_person_representing_a_legal_person_is_recorded_as_a_representative(
    portal_client, forge_idp
):
    attributes = {
        **NATURAL_PERSON,
        LEGAL + "LegalPersonIdentifier": "BE/BE/0123456789",
        LEGAL + "LegalName": "Acme NV",
    }
    root = sign(
        response_build(ResponseSpec(login_start(portal_client), attributes=attributes)), forge_idp.rsa
    )
    _login(portal_client, root)
    identity = EidasIdentity.objects.get()
    assert identity.kind == EidasIdentity.Kind.REPRESENTATIVE
    assert (identity.legal_name, identity.legal_person_identifier) == ("Acme NV", "BE/BE/0123456789")


def test_a_legal_person_alone_is_accepted_when_the_natural_person_is_not_required(
    portal_client, forge_idp, settings
):
    settings.EIDAS_REQUESTED_ATTRIBUTES = ["LegalPersonIdentifier!", "LegalName!"]
    attributes = {LEGAL + "LegalPersonIdentifier": "BE/BE/0123456789", LEGAL + "LegalName": "Acme NV"}
    root = sign(
        response_build(ResponseSpec(login_start(portal_client), attributes=attributes)), forge_idp.rsa
    )
    _login(portal_client, root)
    assert EidasIdentity.objects.get().kind == EidasIdentity.Kind.LEGAL
    assert User.objects.get(pk=portal_client.session["_auth_user_id"]).last_name == "Acme NV"


def test_the_same_person_logging_in_twice_keeps_one_account(portal_client, forge_idp):
    for _ in range(2):
        root = sign(response_build(ResponseSpec(login_start(portal_client))), forge_idp.rsa)
        _login(portal_client, root)
    assert User.objects.count() == 1


def test_a_company_and_its_representative_sent_as_representation_attributes_are_recorded(
    portal_client, forge_idp
):
    representative = NATURAL + "representative/"
    attributes = {
        LEGAL + "LegalPersonIdentifier": "BE/BE/0123456789",
        LEGAL + "LegalName": "Acme NV",
        LEGAL + "VATRegistrationNumber": "BE0123456789",
        LEGAL + "LegalPersonAddress": _address(
            "<eidas:PostName>Gent</eidas:PostName><eidas:AdminunitFirstline>BE</eidas:AdminunitFirstline>"
        ),
        representative + "PersonIdentifier": "BE/BE/90010100042",
        representative + "CurrentFamilyName": "Janssens",
        representative + "CurrentGivenName": "Els",
        representative + "DateOfBirth": "1990-01-01",
    }
    root = sign(
        response_build(ResponseSpec(login_start(portal_client), attributes=attributes)), forge_idp.rsa
    )
    _login(portal_client, root)
    identity = EidasIdentity.objects.get()
    assert identity.kind == EidasIdentity.Kind.REPRESENTATIVE
    assert (identity.legal_name, identity.vat_registration) == ("Acme NV", "BE0123456789")
    assert (identity.representative_given_name, identity.representative_person_identifier) == (
        "Els",
        "BE/BE/90010100042",
    )
    assert identity.person_identifier == ""
    assert (identity.legal_address.post_name, identity.legal_address.admin_unit_first_line) == ("Gent", "BE")
    # the account is the representative's: the same person logging in for themselves finds it again
    assert User.objects.get().last_name == "Janssens"


def test_a_new_login_replaces_the_addresses_of_the_last_one(portal_client, forge_idp):
    with_address = {
        **NATURAL_PERSON,
        NATURAL + "CurrentAddress": _address("<eidas:PostName>Gent</eidas:PostName>"),
    }
    for attributes, expected in ((with_address, "Gent"), (NATURAL_PERSON, None)):
        root = sign(
            response_build(ResponseSpec(login_start(portal_client), attributes=attributes)), forge_idp.rsa
        )
        _login(portal_client, root)
        address = EidasIdentity.objects.get().current_address
        assert (address.post_name if address else None) == expected
    assert EidasAddress.objects.count() == 0


def _address(fragment: str) -> str:
    return base64.b64encode(fragment.encode()).decode()

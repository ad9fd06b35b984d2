"""The test IdP's signatures, made and checked in process (``saml_crypto``) rather than by the xmlsec1
program: the SP's AuthnRequest must be signed by the key of the SP's metadata, and the backend keeps
the program's terms (IDs, start node, same-document references only). The whole login, with the SP
checking the IdP's signatures, is in tests/accounts/test_eidas_login_flow.py."""

from __future__ import annotations

import base64
import gc
import shutil
import warnings
from pathlib import Path

import lxml.html
import pytest
import requests
from lxml import etree
from saml2.sigver import CryptoBackendXmlSec1, XmlsecError

from simulators.eidas_idp.saml_crypto import XmlsecInProcess
from simulators.eidas_idp.xmlcrypto import SAML_NS, SAMLP_NS, element_sign
from tests.accounts.forge import KeyPair, key_pair_create

pytestmark = pytest.mark.filterwarnings("ignore:datetime.datetime.utc:DeprecationWarning:(onelogin|saml2)")
DS = "{http://www.w3.org/2000/09/xmldsig#}"
REQUEST_NODE = f"{SAMLP_NS}:AuthnRequest"


def _form(page: requests.Response, predicate) -> lxml.html.FormElement:
    document = lxml.html.fromstring(page.text, base_url=page.url)
    return next(form for form in document.forms if predicate(form))


def _authn_request(base_url: str) -> tuple[requests.Session, str, dict[str, str]]:
    """The portal's signed AuthnRequest, as its auto-post form would send it to the test IdP."""
    browser = requests.Session()
    page = browser.get(base_url + "/accounts/login/")
    login = _form(page, lambda form: form.action.endswith("/accounts/saml/eidas/login/"))
    page = browser.post(login.action, data={**dict(login.form_values()), "loa": "substantial"})
    to_idp = _form(page, lambda form: form.get("id") == "saml-post-form")
    return browser, to_idp.action, dict(to_idp.form_values())


def _with_request(fields: dict[str, str], root: etree._Element) -> dict[str, str]:
    return {**fields, "SAMLRequest": base64.b64encode(etree.tostring(root)).decode()}


@pytest.mark.django_db(transaction=True)
def test_the_idp_accepts_only_an_authn_request_signed_with_the_key_of_the_sp_metadata(live_server):
    browser, action, fields = _authn_request(live_server.url)
    original = etree.fromstring(base64.b64decode(fields["SAMLRequest"]))

    altered = etree.fromstring(etree.tostring(original))
    altered.set("IssueInstant", "2026-01-01T00:00:00Z")
    unsigned = etree.fromstring(etree.tostring(original))
    unsigned.remove(unsigned.find(f"{DS}Signature"))
    other_key = etree.fromstring(etree.tostring(unsigned))
    stranger = key_pair_create()
    element_sign(other_key, key_pem=stranger.key_pem, cert_pem=stranger.cert_pem)

    with warnings.catch_warnings():
        # pysaml2 writes the SP's certificates to temporary files to check a signature; when it
        # refuses one, its exception keeps them in a reference cycle and they are closed by the
        # garbage collector (a ResourceWarning), not by pysaml2.
        warnings.simplefilter("ignore", ResourceWarning)
        for refused in (altered, unsigned, other_key):
            answer = browser.post(action, data=_with_request(fields, refused))
            assert answer.status_code == 400, etree.tostring(refused)[:300]
            assert "The AuthnRequest was refused" in answer.text
        gc.collect()
    answer = browser.post(action, data=fields)
    assert answer.status_code == 200
    assert "/sim/eidas/authenticate/" in answer.text


# --- the backend on its own ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pair() -> KeyPair:
    return key_pair_create()


@pytest.fixture
def files(tmp_path: Path, pair: KeyPair) -> tuple[str, str]:
    (tmp_path / "key.pem").write_bytes(pair.key_pem)
    (tmp_path / "cert.pem").write_bytes(pair.cert_pem)
    return str(tmp_path / "key.pem"), str(tmp_path / "cert.pem")


def _request(request_id: str = "_req1", extra: str = "") -> etree._Element:
    return etree.fromstring(
        f'<samlp:AuthnRequest xmlns:samlp="{SAMLP_NS}" xmlns:saml="{SAML_NS}" ID="{request_id}" '
        'Version="2.0" IssueInstant="2026-11-27T00:00:00Z">'
        f"<saml:Issuer>http://sp.example/metadata</saml:Issuer>{extra}</samlp:AuthnRequest>".encode()
    )


def _signed(pair: KeyPair, request_id: str = "_req1", extra: str = "") -> bytes:
    root = _request(request_id, extra)
    element_sign(root, key_pem=pair.key_pem, cert_pem=pair.cert_pem)
    return etree.tostring(root)


def _template(request_id: str = "_req1") -> bytes:
    """What pysaml2 hands its backend to sign: the Signature in place, its values empty."""
    import xmlsec

    root = _request(request_id)
    signature = xmlsec.template.create(root, xmlsec.Transform.EXCL_C14N, xmlsec.Transform.RSA_SHA256, ns="ds")
    root.find(f"{{{SAML_NS}}}Issuer").addnext(signature)
    reference = xmlsec.template.add_reference(signature, xmlsec.Transform.SHA256, uri="#" + request_id)
    xmlsec.template.add_transform(reference, xmlsec.Transform.ENVELOPED)
    xmlsec.template.add_transform(reference, xmlsec.Transform.EXCL_C14N)
    return etree.tostring(root)


def test_a_signature_verifies_with_its_certificate_only(pair, files):
    backend = XmlsecInProcess()
    signed = _signed(pair)
    assert backend.validate_signature(signed, files[1], "pem", REQUEST_NODE, "_req1") is True
    assert backend.validate_signature(signed.decode(), files[1], "pem", REQUEST_NODE, "_req1") is True

    stranger = key_pair_create()
    with pytest.raises(XmlsecError):
        backend.validate_signature(_signed(stranger), files[1], "pem", REQUEST_NODE, "_req1")
    with pytest.raises(XmlsecError):
        tampered = signed.replace(b"sp.example", b"sp.evil")
        backend.validate_signature(tampered, files[1], "pem", REQUEST_NODE, "_req1")


def test_the_backend_signs_what_it_then_verifies(files):
    backend = XmlsecInProcess()
    signed = backend.sign_statement(_template().decode(), REQUEST_NODE, files[0], "_req1")
    assert signed.startswith('<?xml version="1.0"?>\n')
    assert etree.fromstring(signed.encode()).findtext(f"{DS}Signature/{DS}SignatureValue")
    assert backend.validate_signature(signed, files[1], "pem", REQUEST_NODE, "_req1") is True


@pytest.mark.parametrize(
    ("case", "node_id"),
    [
        ("wrong id", "_other"),
        ("duplicate id", "_req1"),
        ("xml:id clash", "_req1"),
        ("signature not its own", "_req1"),
        ("remote reference", "_req1"),
        ("dtd", "_req1"),
    ],
)
def test_the_backend_refuses_what_the_program_refuses_or_saml_forbids(pair, files, case, node_id):
    signed = _signed(pair)
    if case == "duplicate id":
        signed = signed.replace(b"</samlp:AuthnRequest>", _signed(pair) + b"</samlp:AuthnRequest>")
    elif case == "xml:id clash":
        signed = signed.replace(b"<saml:Issuer>", b'<saml:Issuer xml:id="_req1">')
    elif case == "signature not its own":
        root = etree.fromstring(signed)
        wrapper = etree.SubElement(root, f"{{{SAMLP_NS}}}Extensions")
        wrapper.append(root.find(f"{DS}Signature"))
        root.insert(1, wrapper)
        signed = etree.tostring(root)
    elif case == "remote reference":
        signed = signed.replace(b'URI="#_req1"', b'URI="http://elsewhere.example/x"')
    elif case == "dtd":
        signed = b"<!DOCTYPE samlp:AuthnRequest>" + signed
    with pytest.raises(XmlsecError):
        XmlsecInProcess().validate_signature(signed, files[1], "pem", REQUEST_NODE, node_id)


@pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="the xmlsec1 program is not installed")
def test_the_backend_signs_byte_for_byte_as_the_program(files):
    """RSA PKCS#1 v1.5 signatures are deterministic: same input and key, same output."""
    template = _template().decode()
    program = CryptoBackendXmlSec1(shutil.which("xmlsec1"))
    assert XmlsecInProcess().sign_statement(template, REQUEST_NODE, files[0], "_req1") == (
        program.sign_statement(template, REQUEST_NODE, files[0], "_req1")
    )

"""The test IdP accepts the AuthnRequest signatures an eIDAS node accepts (RSASSA-PSS, ECDSA) in both
bindings, by the key of the SP's metadata only, and refuses RSA PKCS#1 v1.5 (``rsa-sha256``) as a node that
applies the eIDAS cryptographic requirements does."""

from __future__ import annotations

import base64
import gc
import warnings
from urllib.parse import parse_qs, quote, urlencode

import lxml.html
import pytest
import requests
from django.core.cache import cache
from lxml import etree

from accounts.eidas.config import sp_keys
from simulators.eidas_idp.xmlcrypto import element_sign

pytestmark = [
    pytest.mark.filterwarnings("ignore:datetime.datetime.utc:DeprecationWarning:(onelogin|saml2)"),
    pytest.mark.django_db(transaction=True),
]
DS = "{http://www.w3.org/2000/09/xmldsig#}"
MD = "{urn:oasis:names:tc:SAML:2.0:metadata}"


@pytest.fixture(autouse=True)
def _fresh_sp_metadata():
    # The test IdP keeps the SP's metadata for minutes, as an IdP does; these tests change the SP's key.
    cache.clear()


def _login(base_url: str) -> tuple[requests.Session, requests.Response]:
    """Start a login at the portal as a browser does; the portal's answer (not followed)."""
    browser = requests.Session()
    page = browser.get(base_url + "/accounts/login/")
    document = lxml.html.fromstring(page.text, base_url=page.url)
    form = next(f for f in document.forms if f.action.endswith("/accounts/saml/eidas/login/"))
    answer = browser.post(
        form.action, data={**dict(form.form_values()), "loa": "substantial"}, allow_redirects=False
    )
    return browser, answer


def _post_form(answer: requests.Response) -> tuple[str, dict[str, str]]:
    document = lxml.html.fromstring(answer.text, base_url=answer.url)
    form = next(f for f in document.forms if f.get("id") == "saml-post-form")
    return form.action, dict(form.form_values())


def _accepted(answer: requests.Response) -> bool:
    return answer.status_code == 200 and "/sim/eidas/authenticate/" in answer.text


@pytest.fixture
def ecdsa(settings, tmp_path):
    settings.EIDAS_SP_SIGNATURE_ALGORITHM = "ecdsa"
    settings.EIDAS_SP_EC_CERT = str(tmp_path / "sp-ec-cert.pem")
    settings.EIDAS_SP_EC_KEY = str(tmp_path / "sp-ec-key.pem")


def test_the_idp_offers_both_bindings_in_its_metadata(live_server):
    root = etree.fromstring(requests.get(f"{live_server.url}/sim/eidas/metadata/", timeout=10).content)
    bindings = {sso.get("Binding") for sso in root.iter(f"{MD}SingleSignOnService")}
    assert bindings == {
        "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
        "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
    }


def test_the_idp_accepts_an_rsassa_pss_signed_post_request(live_server):
    browser, answer = _login(live_server.url)
    action, fields = _post_form(answer)
    assert _accepted(browser.post(action, data=fields, timeout=10))


def test_the_idp_accepts_an_ecdsa_signed_post_request(live_server, ecdsa):
    browser, answer = _login(live_server.url)
    action, fields = _post_form(answer)
    request = etree.fromstring(base64.b64decode(fields["SAMLRequest"]))
    method = request.find(f"{DS}Signature/{DS}SignedInfo/{DS}SignatureMethod").get("Algorithm")
    assert method.endswith("#ecdsa-sha256")
    assert _accepted(browser.post(action, data=fields, timeout=10))


def test_the_idp_refuses_a_request_signed_with_rsa_pkcs1_even_by_the_sps_own_key(live_server):
    browser, answer = _login(live_server.url)
    action, fields = _post_form(answer)
    request = etree.fromstring(base64.b64decode(fields["SAMLRequest"]))
    request.remove(request.find(f"{DS}Signature"))
    keys = sp_keys()
    element_sign(request, key_pem=keys.key_pem.encode(), cert_pem=keys.cert_pem.encode(), method="rsa-sha256")
    refused = browser.post(action, data={**fields, "SAMLRequest": base64.b64encode(etree.tostring(request))})
    assert refused.status_code == 400
    assert "is not one the eIDAS network accepts" in refused.text


@pytest.mark.parametrize("algorithm", ["rsa-pss", "ecdsa"])
def test_the_idp_accepts_a_redirected_request_signed_in_its_query(live_server, settings, tmp_path, algorithm):
    settings.EIDAS_AUTHN_REQUEST_BINDING = "redirect"
    if algorithm == "ecdsa":
        settings.EIDAS_SP_SIGNATURE_ALGORITHM = "ecdsa"
        settings.EIDAS_SP_EC_CERT = str(tmp_path / "sp-ec-cert.pem")
        settings.EIDAS_SP_EC_KEY = str(tmp_path / "sp-ec-key.pem")
    browser, answer = _login(live_server.url)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(f"{live_server.url}/sim/eidas/sso/?SAMLRequest=")
    assert _accepted(browser.get(location, timeout=10))


def _tampered(location: str, **changes: str) -> str:
    address, _, query = location.partition("?")
    params = {name: values[0] for name, values in parse_qs(query).items()}
    params.update(changes)
    return f"{address}?{urlencode(params, quote_via=quote)}"


def test_the_idp_refuses_a_redirected_request_whose_query_was_changed(live_server, settings):
    settings.EIDAS_AUTHN_REQUEST_BINDING = "redirect"
    browser, answer = _login(live_server.url)
    location = answer.headers["Location"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # pysaml2's temporary files, as in the POST tests
        for changed in (
            _tampered(location, RelayState="injected"),
            _tampered(location, SigAlg="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"),
            _tampered(location, Signature=base64.b64encode(b"\0" * 384).decode()),
            location.split("&Signature=")[0],
        ):
            refused = browser.get(changed, timeout=10)
            assert refused.status_code == 400, changed
            assert "The AuthnRequest was refused" in refused.text
        gc.collect()
    assert _accepted(browser.get(location, timeout=10))

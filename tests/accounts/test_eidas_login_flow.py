"""The whole eIDAS login over real HTTP: portal -> test IdP -> portal, on a live server, with the
SP fetching the IdP's metadata and the IdP fetching the SP's, as against a real node."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import lxml.html
import pytest
import requests

from accounts.models import LevelOfAssurance

pytestmark = pytest.mark.usefixtures("transactional_db")


@dataclass
class Landing:
    page: requests.Response
    session: requests.Session
    saml_response: bytes

    def identity(self) -> dict[str, str]:
        page = self.session.get(
            self.page.url.split("/", 3)[0] + "//" + self.page.url.split("/")[2] + "/accounts/identity/"
        )
        return dict(re.findall(r'data-field="(\w+)">([^<]*)<', page.text))


def _form(page: requests.Response, predicate) -> lxml.html.FormElement:
    document = lxml.html.fromstring(page.text, base_url=page.url)
    return next(form for form in document.forms if predicate(form))


def eidas_login(
    base_url: str,
    *,
    persona: str,
    loa: str = "substantial",
    encrypt: bool = False,
    cancel: bool = False,
    start: str = "/accounts/login/",
) -> Landing:
    browser = requests.Session()
    page = browser.get(base_url + start)
    login = _form(page, lambda form: form.action.endswith("/accounts/saml/eidas/login/"))
    page = browser.post(login.action, data={**dict(login.form_values()), "loa": loa})
    to_idp = _form(page, lambda form: form.get("id") == "saml-post-form")
    page = browser.post(to_idp.action, data=dict(to_idp.form_values()))
    assert page.status_code == 200, page.text[:2000]
    choice = _form(page, lambda form: form.action.endswith("/sim/eidas/authenticate/"))
    data = {**dict(choice.form_values()), "persona": persona, "loa": loa}
    if encrypt:
        data["encrypt"] = "1"
    if cancel:
        data["cancel"] = "1"
    page = browser.post(choice.action, data=data)
    to_sp = _form(page, lambda form: form.get("id") == "saml-response-form")
    fields = dict(to_sp.form_values())
    landing = browser.post(to_sp.action, data=fields)
    return Landing(landing, browser, base64.b64decode(fields["SAMLResponse"]))


def _logged_in_as(landing: Landing) -> list[str]:
    return re.findall(r"Log out \(([^)]*)\)", landing.page.text)


def test_a_natural_person_logs_in_and_sees_their_name(live_server):
    landing = eidas_login(live_server.url, persona="be-jan")
    assert landing.page.status_code == 200
    assert _logged_in_as(landing) == ["Jan Peeters"]
    identity = landing.identity()
    assert (identity["given_name"], identity["family_name"]) == ("Jan", "Peeters")
    assert identity["person_identifier"] == "BE/BE/85073100123"


def test_a_legal_person_logs_in_through_its_representative(live_server):
    landing = eidas_login(live_server.url, persona="es-carmen-soluciones")
    assert _logged_in_as(landing) == ["Carmen García López"]
    identity = landing.identity()
    assert identity["legal_name"] == "Soluciones Ibéricas S.L."
    assert identity["legal_person_identifier"] == "ES/BE/B12345678"
    assert identity["kind"] == "natural person representing a legal person"


@pytest.mark.parametrize("loa", ["low", "substantial", "high"])
def test_the_loa_chosen_at_the_idp_is_the_loa_of_the_session(live_server, loa):
    landing = eidas_login(live_server.url, persona="el-georgios", loa=loa)
    assert _logged_in_as(landing) == ["Γεώργιος Παπαδόπουλος"]
    assert landing.identity()["loa"] == LevelOfAssurance(loa).label  # shown as people read it


def test_an_encrypted_assertion_from_the_test_idp_logs_the_user_in(live_server):
    landing = eidas_login(live_server.url, persona="de-lukas", encrypt=True)
    assert b"EncryptedAssertion" in landing.saml_response
    assert b"http://www.w3.org/2009/xmlenc11#aes256-gcm" in landing.saml_response
    assert _logged_in_as(landing) == ["Lukas Müller"]


def test_a_person_whose_eid_only_reaches_low_is_refused_a_substantial_login(live_server):
    landing = eidas_login(live_server.url, persona="pl-zofia", loa="substantial")
    assert landing.page.status_code == 403
    assert 'data-error-code="loa_too_low"' in landing.page.text
    assert _logged_in_as(landing) == []


def test_a_login_cancelled_at_the_idp_ends_on_the_error_page(live_server):
    landing = eidas_login(live_server.url, persona="be-jan", cancel=True)
    assert 'data-error-code="status_not_success"' in landing.page.text
    assert _logged_in_as(landing) == []


def test_the_user_returns_to_the_page_that_asked_for_the_login(live_server):
    landing = eidas_login(
        live_server.url, persona="nl-sanne", start="/accounts/login/?next=/accounts/identity/"
    )
    assert landing.page.url == live_server.url + "/accounts/identity/"
    assert "Sanne" in landing.page.text

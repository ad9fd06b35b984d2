"""Fixtures for the eIDAS SP's tests: a portal whose SP trusts the forge IdP of ``forge.py``."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client
from lxml import etree

from tests.accounts.forge import PORTAL_HOST, ForgeIdp

# python3-saml 1.16 and pysaml2 7.4 call datetime.utcnow(), deprecated since Python 3.12; the suite
# turns warnings into errors, so this one third-party warning is let through here (and only it).
SAML_LIBRARIES_UTCNOW = "ignore:datetime.datetime.utc:DeprecationWarning:(onelogin|saml2)"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/accounts/" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.filterwarnings(SAML_LIBRARIES_UTCNOW))


@pytest.fixture(scope="session")
def forge_idp() -> ForgeIdp:
    return ForgeIdp()


@pytest.fixture
def forged_sp(settings, tmp_path, forge_idp: ForgeIdp) -> ForgeIdp:
    metadata = tmp_path / "idp-metadata.xml"
    metadata.write_text(forge_idp.metadata, encoding="utf-8")
    settings.EIDAS_IDP_METADATA = str(metadata)
    settings.ALLOWED_HOSTS = [PORTAL_HOST]
    return forge_idp


@pytest.fixture
def portal_client(forged_sp, db) -> Client:
    # A dotted host: python3-saml validates the SP's URLs (TOOLING.md).
    return Client(HTTP_HOST=PORTAL_HOST)


def authn_request_xml(client: Client, loa: str | None = None) -> etree._Element:
    """Start a login as the browser does (POST to allauth's login path); the AuthnRequest it posts."""
    answer = client.post("/accounts/saml/eidas/login/", {"loa": loa} if loa else {})
    assert answer.status_code == 200, answer.content[:500]
    match = re.search(r'name="SAMLRequest" value="([^"]+)"', answer.content.decode())
    assert match, "no SAMLRequest in the auto-post form"
    return etree.fromstring(base64.b64decode(match.group(1)))


def login_start(client: Client, loa: str | None = None) -> str:
    return str(authn_request_xml(client, loa).get("ID"))


def acs_post(client: Client, saml_response: str):
    return client.post("/accounts/saml/eidas/acs/", {"SAMLResponse": saml_response}, follow=True)


def refusal_code(response) -> str | None:
    match = re.search(r'data-error-code="([^"]+)"', response.content.decode())
    return match.group(1) if match else None


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session

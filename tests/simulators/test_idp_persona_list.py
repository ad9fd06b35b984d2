"""The eIDAS test IdP's login page says which provider scenario each persona triggers (issue 16 item 7)."""

from __future__ import annotations

import pytest

from simulators.eidas_idp.personas import PERSONAS
from simulators.runners.journey import Run
from tests.journey_support import SAML_LIBRARIES_UTCNOW, wire_to_live_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.filterwarnings(SAML_LIBRARIES_UTCNOW)]


def test_each_persona_on_the_idp_page_says_what_the_provider_simulator_does(settings, live_server):
    wire_to_live_server(settings, live_server)
    run = Run(base_url=live_server.url, procedure="T2", country="DE", scenario="immediate", timeout=10)
    page = run.get("/accounts/login/?next=/")
    login = run.form(run.document(page), lambda f: "/saml/eidas/login/" in (f.action or ""), "eIDAS login")
    page = run.submit(
        run.form(run.document(run.submit(login)), lambda f: f.get("id") == "saml-post-form", "SAML")
    )
    document = run.document(page)
    for persona in PERSONAS.values():
        label = document.xpath(f'//label[@for="persona-{persona.key}"]')[0].text_content()
        if persona.provider_scenario:
            assert f"provider simulator scenario “{persona.provider_scenario}”" in label
        else:
            assert "provider simulator's default scenario" in label

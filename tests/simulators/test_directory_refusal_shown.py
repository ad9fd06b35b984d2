"""The find step explains a Data Service Directory refusal by its code (issue 17 item 2): over HTTP, through
the citizen's pages and the Common Services simulator, which has no provider of Czechia's civil register
extract (``DSD:ERR:0001``)."""

from __future__ import annotations

import pytest
from django.utils import translation

from procedures.evidence_display import directory_problem
from simulators.runners.journey import Run
from tests.journey_support import SAML_LIBRARIES_UTCNOW, procedure_with_requirements, wire_to_live_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.filterwarnings(SAML_LIBRARIES_UTCNOW)]


def test_no_provider_in_the_directory_is_explained_as_such(settings, live_server):
    wire_to_live_server(settings, live_server)
    procedure_with_requirements("R1")
    run = Run(base_url=live_server.url, procedure="R1", country="CZ", scenario="immediate", timeout=10)
    run.login()
    run.start()
    birth = run._requirement_links()[0]
    document = run.document(run.get(birth))
    country_form = run.form(document, lambda f: f.get("id") == "country-form", "country form")
    page = run.submit(country_form, {"country": "CZ"})
    choose = next(f for f in run.document(page).forms if "alt" in f.fields)
    extract = next(
        i.get("value")
        for i in choose.inputs
        if i.get("name") == "alt"
        and "Extract from the civil register"
        in choose.xpath(f'.//label[@for="{i.get("id")}"]')[0].text_content()
    )
    page = run.submit(choose, {"alt": extract})

    why = run.document(page).get_element_by_id("no-provider-why").text_content()
    with translation.override("en"):
        assert why == directory_problem("DSD:ERR:0001")
    assert "knows no authority in that country" in why

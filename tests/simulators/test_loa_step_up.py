"""A provider whose Directory entry requires a higher level of assurance than the procedure (issue 17 item 4):
over HTTP, through the citizen's pages, the eIDAS test IdP and a real worker. The citizen is offered to log in
again at that level; after doing so the provider can be chosen, and every request sent carries the level of
the new login, the one drafted before the new login included."""

from __future__ import annotations

import pytest

from exchanges.models import EvidenceRequest, ExchangeState, OutgoingMessage
from oots_client.edm import QueryRequest, parse_message
from procedures.models import Procedure
from simulators.access_point.testing import celery_worker
from simulators.runners.journey import Run, StepFailed
from tests.journey_support import SAML_LIBRARIES_UTCNOW, procedure_with_requirements, wire_to_live_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.filterwarnings(SAML_LIBRARIES_UTCNOW)]


@pytest.fixture(autouse=True)
def _wired(settings, live_server):
    wire_to_live_server(settings, live_server)


def _log_in_again(run: Run, page) -> None:  # type: ignore[no-untyped-def]
    """The step-up offer's button, then the test IdP at the level the portal asks for."""
    offer = run.form(run.document(page), lambda f: f.getparent().get("id") == "step-up", "step-up offer")
    level = dict(offer.form_values())["loa"]
    page = run.submit(offer)
    page = run.submit(run.form(run.document(page), lambda f: f.get("id") == "saml-post-form", "SAML request"))
    idp = run.form(run.document(page), lambda f: (f.action or "").endswith("/sim/eidas/authenticate/"), "IdP")
    page = run.submit(idp, {"persona": "be-jan", "loa": level})
    page = run.submit(run.form(run.document(page), lambda f: f.get("id") == "saml-response-form", "response"))
    if "/evidence/" not in page.url:
        raise StepFailed(f"not back on the evidence step after the new login ({page.url})")


def test_a_provider_needing_a_higher_level_is_offered_a_new_login_and_the_requests_carry_its_level(
    live_server,
):
    procedure_with_requirements("X1")
    assert Procedure.objects.get(code="X1").required_loa == "substantial"
    run = Run(base_url=live_server.url, procedure="X1", country="BE", scenario="immediate", timeout=30)
    run.login()  # at "substantial", the procedure's level
    run.start()
    business, tax = run._requirement_links()  # the tax clearance certificate of Belgium needs "High"

    run._locate_one(business, "BE")  # drafted at "substantial"
    document = run.document(run.get(tax))
    country_form = run.form(document, lambda f: f.get("id") == "country-form", "country form")
    page = run.submit(country_form, {"country": "BE"})
    document = run.document(page)
    provider = document.xpath("//form[@id='provider-form']//input[starts-with(@name, 'offer')]")
    assert provider and provider[0].get("disabled") is not None  # cannot be chosen at "substantial"
    assert "High" in document.get_element_by_id("step-up").text_content()

    _log_in_again(run, page)
    run._locate_one(tax, "BE")  # now it can
    with celery_worker():
        run.request()
        run.evidence()

    exchanges = EvidenceRequest.objects.all()
    assert exchanges.count() == 2 and {e.state for e in exchanges} == {ExchangeState.RECEIVED}
    sent = [parse_message(bytes(o.payload)) for o in OutgoingMessage.objects.all()]
    assert len(sent) == 2 and all(isinstance(message, QueryRequest) for message in sent)
    assert {message.request.subject.level_of_assurance for message in sent} == {"High"}

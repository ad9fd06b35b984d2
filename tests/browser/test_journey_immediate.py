"""(a) One requirement, evidence sent at once: log in through eIDAS, find, request, see the PDF, submit."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from exchanges.models import EvidenceRequest, ExchangeState
from procedures.models import Application, ApplicationStatus, Procedure, Requirement
from simulators.access_point.testing import celery_worker
from tests.browser import journey_steps as steps
from tests.journey_support import SAML_LIBRARIES_UTCNOW, screenshot, wire_to_live_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.filterwarnings(SAML_LIBRARIES_UTCNOW)]

BIRTH = "https://sr.oots.tech.ec.europa.eu/requirements/0e056d27-0de3-5279-9f9f-96b1dcdd717b"


@pytest.fixture(autouse=True)
def _wired(settings, live_server):
    wire_to_live_server(settings, live_server)


def test_one_requirement_with_immediate_evidence_goes_from_login_to_receipt(live_server, page):
    procedure = Procedure.objects.get(code="R1")
    Requirement.objects.create(procedure=procedure, identifier=BIRTH, name="Proof of birth")

    steps.login_through_the_test_idp(page, live_server.url, procedure, "Jan Peeters")
    steps.start_application(page)
    steps.find_evidence(page, "Proof of birth", country="Austria", alternative="Birth certificate")
    steps.choose_provider_and_use(page)
    with celery_worker():
        steps.request_the_evidence(page)
        steps.wait_until_complete(page)
    expect(page.locator("iframe.evidence-frame")).to_have_count(1)
    steps.submit_application(page)
    expect(page.locator(".evidence-list")).to_contain_text("Proof of birth")
    screenshot(page, "immediate")

    application = Application.objects.get(procedure=procedure)
    assert application.status == ApplicationStatus.SUBMITTED
    exchange = EvidenceRequest.objects.get(application=application)
    assert exchange.state == ExchangeState.RECEIVED
    assert exchange.explicit_request_at is not None
    assert exchange.edm_version == "oots-edm:v1.2"

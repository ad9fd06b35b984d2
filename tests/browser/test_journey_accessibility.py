"""Every page of the journey passes axe-core (npm, injected by Playwright) without a serious or critical
violation, on a phone-sized screen: find (country, alternatives, the directory's questions, providers),
upload, request, status with a preview, status with evidence, the form, the receipt."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from procedures.models import Procedure, Requirement
from simulators.access_point.testing import celery_worker
from tests.browser import journey_steps as steps
from tests.journey_support import SAML_LIBRARIES_UTCNOW, wire_to_live_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.filterwarnings(SAML_LIBRARIES_UTCNOW)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SR = "https://sr.oots.tech.ec.europa.eu/requirements/"
BIRTH = SR + "0e056d27-0de3-5279-9f9f-96b1dcdd717b"
RESIDENCE = SR + "379d4c71-4f74-5613-9a04-48469d45aa9e"


@pytest.fixture(autouse=True)
def _wired(settings, live_server):
    if not AXE.is_file():
        message = "axe-core is not installed (run npm ci at the repository root)"
        if os.environ.get("OOTS_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    wire_to_live_server(settings, live_server)


@pytest.fixture
def browser_context_args(browser_context_args):
    # bypass_csp: axe is injected as an inline script; the portal's CSP rightly refuses inline scripts.
    return {**browser_context_args, "viewport": {"width": 375, "height": 740}, "bypass_csp": True}


def assert_accessible(page: Page, checked: list[str]) -> None:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {iframes: false, resultTypes: ['violations']})")
    serious = [
        (violation["id"], violation["help"], [node["target"] for node in violation["nodes"]][:3])
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
    ]
    assert not serious, f"{page.url}: {serious}"
    checked.append(page.url)


def test_every_journey_page_has_no_serious_axe_violation_on_a_phone(live_server, page, tmp_path):
    procedure = Procedure.objects.get(code="R1")
    Requirement.objects.create(procedure=procedure, identifier=RESIDENCE, name="Proof of residence", order=1)
    Requirement.objects.create(procedure=procedure, identifier=BIRTH, name="Proof of birth", order=2)
    checked: list[str] = []
    steps.login_through_the_test_idp(page, live_server.url, procedure, "Camille Martin")
    steps.start_application(page)
    assert_accessible(page, checked)  # the requirements overview

    page.get_by_role("link", name="Find “Proof of residence”").click()
    assert_accessible(page, checked)  # the country
    page.get_by_label("Which country should the evidence come from?").select_option("AT")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page, checked)  # the alternatives
    page.get_by_label("Certificate of residence", exact=True).check()
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page, checked)  # the region question
    page.get_by_role("button", name="Continue").click()  # unanswered: the browser's own check, then ours
    page.get_by_label("Place of residence").select_option("AT1")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page, checked)  # the provider
    steps.choose_provider_and_use(page)

    page.get_by_role("link", name="Upload “Proof of birth” yourself instead").click()
    assert_accessible(page, checked)  # the upload form
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("alert")).to_be_focused()
    assert_accessible(page, checked)  # the upload form with its error summary
    steps.upload_instead_here(page, tmp_path)

    expect(page.get_by_role("heading", level=1)).to_have_text("Request your evidence")  # the next step
    assert_accessible(page, checked)  # the explicit request
    with celery_worker():
        page.get_by_role("button", name="Request the evidence").click()
        expect(page.locator(".preview-box")).to_be_visible(timeout=steps.EVIDENCE_TIMEOUT_MS)
        assert_accessible(page, checked)  # status with a preview
        page.get_by_role("button", name="Preview at Registration authority Eastern Austria").click()
        page.get_by_role("button", name="Yes, share it").click()
        steps.wait_until_complete(page)
    assert_accessible(page, checked)  # status with the evidence
    page.locator("#status-actions").get_by_role("link", name="Continue", exact=True).press("Enter")
    expect(page.get_by_role("button", name="Submit application")).to_be_visible()
    assert_accessible(page, checked)  # check your answers, with the evidence
    page.get_by_role("button", name="Submit application").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    assert_accessible(page, checked)  # the receipt
    assert len(checked) == 12


def test_a_citizen_deletes_a_draft_after_a_confirmation_page_without_serious_axe_violation(live_server, page):
    procedure = Procedure.objects.get(code="R1")
    Requirement.objects.create(procedure=procedure, identifier=BIRTH, name="Proof of birth", order=1)
    checked: list[str] = []
    steps.login_through_the_test_idp(page, live_server.url, procedure, "Camille Martin")
    steps.start_application(page)
    page.goto(f"{live_server.url}/applications/")
    page.get_by_role("link", name="Delete draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this draft?")
    assert_accessible(page, checked)  # the confirmation
    page.get_by_role("link", name="Keep it").click()  # nothing deleted: back to the draft
    page.goto(f"{live_server.url}/applications/")
    page.get_by_role("link", name="Delete draft").click()
    page.get_by_role("button", name="Delete the draft").click()
    expect(page.get_by_role("status")).to_contain_text("was deleted")
    expect(page.get_by_text("You have no application yet.")).to_be_visible()
    assert_accessible(page, checked)  # the list with the message
    assert not procedure.applications.exists()

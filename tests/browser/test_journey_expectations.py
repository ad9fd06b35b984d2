"""What a citizen expects around the evidence, in Chromium with axe: the country preset from the eIDAS
nationality and only the countries that can deliver the evidence offered (no dead end); the confirmation in
French and in German with dates in their formats (day first, 24-hour clock)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from procedures.models import Application, ApplicationStatus, Procedure, Requirement
from tests.browser import journey_steps as steps
from tests.browser.test_journey_accessibility import AXE, assert_accessible
from tests.factories import make_citizen
from tests.journey_support import SAML_LIBRARIES_UTCNOW, wire_to_live_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.filterwarnings(SAML_LIBRARIES_UTCNOW)]

BIRTH = "https://sr.oots.tech.ec.europa.eu/requirements/0e056d27-0de3-5279-9f9f-96b1dcdd717b"


@pytest.fixture(autouse=True)
def _wired(settings, live_server):
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (run npm ci at the repository root)")
    wire_to_live_server(settings, live_server)


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "bypass_csp": True}  # axe is injected as an inline script


def test_the_country_is_preset_from_the_nationality_and_dead_ends_are_not_offered(live_server, page):
    procedure = Procedure.objects.get(code="R1")
    Requirement.objects.create(procedure=procedure, identifier=BIRTH, name="Proof of birth")
    steps.login_through_the_test_idp(page, live_server.url, procedure, "Camille Martin")  # French
    steps.start_application(page)
    page.get_by_role("link", name="Find “Proof of birth”").click()
    country = page.get_by_label("Which country should the evidence come from?")
    expect(country).to_have_value("FR")
    offered = country.locator("option").all_inner_texts()
    assert "France" in offered and "Austria" in offered
    assert "Sweden" not in offered  # no authority there can send it: not offered
    expect(page.locator("#country-help")).to_contain_text("Only the countries whose authorities can send")
    assert_accessible(page, [])
    # The answer stays visible and can be changed.
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#answers-given")).to_contain_text("France")
    page.locator("#answers-given").get_by_role("button", name="Change the country").click()
    expect(country).to_be_visible()


@pytest.mark.parametrize(
    ("language", "heading", "date"),
    [("fr", "Demande déposée", "12 juillet 2026 14:05"), ("de", "Antrag eingereicht", "12. Juli 2026 14:05")],
)
def test_the_confirmation_reads_dates_in_the_citizens_language(
    live_server, page, login_as, language, heading, date
):
    citizen = make_citizen()
    login_as(citizen, loa="substantial")
    application = Application.objects.create(
        user=citizen,
        procedure=Procedure.objects.get(code="T2"),
        status=ApplicationStatus.SUBMITTED,
        submitted_at=dt.datetime(2026, 7, 12, 12, 5, tzinfo=dt.UTC),  # 14:05 in Brussels
    )
    page.set_extra_http_headers({"Accept-Language": language})
    page.goto(f"{live_server.url}/applications/{application.reference}/")
    expect(page.locator("#submitted-at")).to_contain_text(date)
    expect(page.locator("#submitted-at")).not_to_contain_text("p.m.")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page, [])

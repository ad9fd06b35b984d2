"""A case worker sees the applicant's identity as eIDAS asserted it, asks for more information, and the
citizen reads the message in *My applications* — in Chromium, each page checked with axe-core."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from procedures.models import Application, ApplicationStatus, CaseStatus, CaseStatusChange, Procedure
from tests.browser.test_journey_accessibility import AXE, assert_accessible
from tests.factories import make_case_worker, make_citizen, make_eidas_identity

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _axe():
    if not AXE.is_file():
        pytest.fail("axe-core is not installed (run npm ci at the repository root)")


@pytest.fixture
def browser_context_args(browser_context_args):
    # bypass_csp: axe is injected as an inline script; the portal's CSP rightly refuses inline scripts.
    return {**browser_context_args, "bypass_csp": True}


def test_the_case_worker_asks_for_more_information_and_the_citizen_reads_it(live_server, page, login_as):
    citizen = make_citizen()
    make_eidas_identity(citizen, given_name="Ana")
    application = Application.objects.create(
        user=citizen,
        procedure=Procedure.objects.get(code="T2"),
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    checked: list[str] = []

    login_as(make_case_worker())
    page.goto(f"{live_server.url}/admin/procedures/application/")
    page.get_by_role("link", name=application.short_reference).click()
    identity = page.locator(".casework-identity")
    expect(identity).to_contain_text("Peeters")
    expect(identity).to_contain_text("31 July 1985")
    expect(identity).to_contain_text("BE/BE/85073100123")
    expect(identity).to_contain_text("Substantial")
    assert_accessible(page, checked)

    page.get_by_label("New case status").select_option(label="More information needed")
    page.get_by_label("Message to the applicant").fill("Please send a translation of your diploma.")
    page.get_by_role("button", name="Save the case status").click()
    expect(page.locator(".messagelist")).to_contain_text("The case status is saved")
    change = CaseStatusChange.objects.get(application=application)
    assert change.status == CaseStatus.MORE_INFORMATION

    login_as(citizen)
    page.goto(f"{live_server.url}/applications/")
    expect(page.get_by_role("row", name=application.short_reference)).to_contain_text(
        "More information needed"
    )
    expect(page.locator(".case-messages")).to_contain_text("Please send a translation of your diploma.")
    assert_accessible(page, checked)
    assert len(checked) == 2

"""A citizen opens a procedure, fills its form, saves a draft, comes back and submits — in Chromium."""

import re

import pytest
from playwright.sync_api import expect

from procedures.models import Application, ApplicationStatus, FieldType, Procedure
from tests.factories import add_field, make_citizen

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def procedure():
    procedure = Procedure.objects.get(code="T2")
    add_field(procedure, "programme", label="Study programme")
    add_field(procedure, "start_date", FieldType.DATE, label="Start date")
    add_field(procedure, "channel", FieldType.CHOICE, label="Contact channel", choices="Email\nPost")
    add_field(procedure, "declaration", FieldType.CHECKBOX, label="I declare that this is true")
    return procedure


def test_citizen_saves_a_draft_comes_back_and_submits(live_server, page, login_as, procedure):
    citizen = make_citizen()
    login_as(citizen, loa="substantial")

    page.goto(live_server.url + "/")
    page.get_by_role("link", name=procedure.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(procedure.name)
    page.get_by_role("button", name="Start or continue your application").click()

    page.get_by_label("Study programme").fill("Physics")
    page.get_by_label("Start date").fill("2027-09-01")
    page.get_by_role("button", name="Save as draft").click()
    expect(page.get_by_role("status")).to_contain_text("Your draft was saved")

    # Later: back from the home page, through "My applications".
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="My applications").click()
    page.get_by_role("link", name=re.compile(r"^[0-9A-F]{8}$")).click()
    expect(page.get_by_label("Study programme")).to_have_value("Physics")
    expect(page.get_by_label("Start date")).to_have_value("2027-09-01")

    # Continuing without the required answers shows an error summary that links to the fields.
    page.get_by_role("button", name="Save and continue").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    summary.get_by_role("link", name=re.compile("Contact channel")).click()
    expect(page.get_by_label("Contact channel")).to_be_focused()

    page.get_by_label("Contact channel").select_option("Post")
    page.get_by_label("I declare that this is true").check()
    page.get_by_role("button", name="Save and continue").click()
    # Check your answers: every answer shown (the date in the reader's format), changeable, then submit.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your application"
    )
    expect(page.locator("#check-answers")).to_contain_text("1 September 2027")
    page.get_by_role("link", name="Change Study programme").click()
    expect(page.get_by_label("Study programme")).to_have_value("Physics")
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    expect(page.locator(".answers")).to_contain_text("Physics")
    expect(page.locator("#what-next")).to_contain_text(procedure.authority.name)

    application = Application.objects.get(user=citizen)
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.data == {
        "programme": "Physics",
        "start_date": "2027-09-01",
        "channel": "post",
        "declaration": True,
    }


def test_keyboard_user_reaches_main_content_through_the_skip_link(live_server, page):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

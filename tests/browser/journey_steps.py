"""What a citizen does on the journey's pages, in Playwright terms (shared by the journey's browser tests)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from procedures.models import Procedure

EVIDENCE_TIMEOUT_MS = 30_000


def login_through_the_test_idp(page: Page, base_url: str, procedure: Procedure, persona_label: str) -> None:
    """From the procedure page: log in with eIDAS, choose the test person at the IdP, come back."""
    page.goto(f"{base_url}/procedures/{procedure.code}/")
    page.get_by_role("link", name="Log in to apply").click()
    page.get_by_role("button", name="Log in with eIDAS").click()
    page.get_by_label(re.compile(re.escape(persona_label))).check()
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(procedure.name)


def start_application(page: Page) -> None:
    page.get_by_role("button", name="Start or continue your application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find your evidence")


def find_evidence(
    page: Page,
    requirement: str,
    *,
    country: str,
    alternative: str | None = None,
    provider: str | None = None,
) -> None:
    """Step 2 for one requirement: the country, an alternative when asked, a provider when several."""
    page.get_by_role("link", name=f"Find “{requirement}”").click()
    page.get_by_label("Which country should the evidence come from?").select_option(label=country)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#answers-given")).to_contain_text(country)
    if alternative is not None:
        page.get_by_role("group", name="Which evidence do you want to provide?").get_by_label(
            alternative, exact=True
        ).check()
        page.get_by_role("button", name="Continue").click()


def choose_provider_and_use(page: Page, provider: str | None = None) -> None:
    if provider is not None:
        page.get_by_label(provider, exact=True).check()
    page.get_by_role("button", name="Use this evidence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Find your evidence")


def request_the_evidence(page: Page) -> None:
    page.get_by_role("link", name="Continue", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request your evidence")
    page.get_by_role("button", name="Request the evidence").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your evidence")


def wait_until_complete(page: Page) -> None:
    expect(page.locator("#status-actions").get_by_role("link", name="Continue", exact=True)).to_be_visible(
        timeout=EVIDENCE_TIMEOUT_MS
    )


def submit_application(page: Page) -> None:
    # Keyboard, as a keyboard-only user does: headless Chromium's PDF viewer (in the evidence frame) swallows
    # mouse clicks made on the page after it has loaded.
    page.locator("#status-actions").get_by_role("link", name="Continue", exact=True).press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your application"
    )
    page.get_by_role("button", name="Submit application").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")


def open_preview_and_decide(page: Page, provider: str, *, accept: bool) -> None:
    """Steps 4-6: the status page explains the preview, the user goes there, decides, and comes back."""
    box = page.locator(".preview-box")
    expect(box).to_be_visible(timeout=EVIDENCE_TIMEOUT_MS)
    expect(box.locator(".preview-location")).to_contain_text("/sim/ep/preview/")
    page.get_by_role("button", name=f"Preview at {provider}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Preview your evidence")
    decision = page.get_by_role("button", name="Yes, share it" if accept else "No, do not share it")
    if decision.count():
        decision.click()
    else:  # the refusal was already recorded at the provider: only the way back is offered
        page.get_by_role("button", name="Return to the portal").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your evidence")


def upload_instead(page: Page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    document = tmp_path / "my-document.pdf"
    document.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_role("link", name="Upload the document instead").first.press("Enter")
    page.get_by_label("The document").set_input_files(str(document))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Your document was uploaded")


def upload_instead_here(page: Page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """On the upload page: choose the file and upload it."""
    document = tmp_path / "scan.pdf"
    document.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.get_by_label("The document").set_input_files(str(document))
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Your document was uploaded")

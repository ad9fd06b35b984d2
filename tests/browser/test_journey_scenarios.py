"""The journey's other paths in Chromium, each ending on the receipt (screenshot in test-results/):
(b) preview accepted, (c) preview refused then upload, (d) two requirements from two countries, (e) the Data
Service Directory's region question, (f) a provider error then upload, (g) a legal person's representative."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from exchanges.models import EvidenceRequest, ExchangeState
from oots_client.edm.model import EvidenceRequest as EdmEvidenceRequest
from oots_client.edm.model import Identifier, LegalPerson
from oots_client.edm.serialize import from_json
from procedures.models import Application, ApplicationStatus, EvidenceItem, Procedure, Requirement
from simulators.access_point.testing import celery_worker
from simulators.common_services.catalogue import catalogue
from simulators.eidas_idp.personas import PERSONAS
from tests.browser import journey_steps as steps
from tests.journey_support import SAML_LIBRARIES_UTCNOW, screenshot, wire_to_live_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.filterwarnings(SAML_LIBRARIES_UTCNOW)]

SR = "https://sr.oots.tech.ec.europa.eu/requirements/"
BIRTH = SR + "0e056d27-0de3-5279-9f9f-96b1dcdd717b"
RESIDENCE = SR + "379d4c71-4f74-5613-9a04-48469d45aa9e"


@pytest.fixture(autouse=True)
def _wired(settings, live_server):
    wire_to_live_server(settings, live_server)


def _procedure(code: str, *requirements: tuple[str, str]) -> Procedure:
    procedure = Procedure.objects.get(code=code)
    for order, (uri, name) in enumerate(requirements):
        Requirement.objects.create(procedure=procedure, identifier=uri, name=name, order=order)
    return procedure


def _submitted(procedure: Procedure) -> Application:
    application = Application.objects.get(procedure=procedure)
    assert application.status == ApplicationStatus.SUBMITTED
    return application


def test_a_preview_accepted_at_the_provider_brings_the_evidence(live_server, page):
    procedure = _procedure("R1", (BIRTH, "Proof of birth"))
    steps.login_through_the_test_idp(page, live_server.url, procedure, "Camille Martin")
    steps.start_application(page)
    steps.find_evidence(page, "Proof of birth", country="Austria", alternative="Birth certificate")
    steps.choose_provider_and_use(page)
    with celery_worker():
        steps.request_the_evidence(page)
        steps.open_preview_and_decide(page, "Birth certificate office of Austria", accept=True)
        steps.wait_until_complete(page)
    steps.submit_application(page)
    screenshot(page, "preview-accepted")
    exchange = EvidenceRequest.objects.get(application=_submitted(procedure))
    assert exchange.state == ExchangeState.RECEIVED
    assert exchange.outgoing.count() == 2  # the second request carried the PreviewLocation


def test_a_refused_preview_is_explained_and_the_document_can_be_uploaded(live_server, page, tmp_path):
    procedure = _procedure("R1", (BIRTH, "Proof of birth"))
    steps.login_through_the_test_idp(page, live_server.url, procedure, "Erik Lindqvist")
    steps.start_application(page)
    steps.find_evidence(page, "Proof of birth", country="Austria", alternative="Birth certificate")
    steps.choose_provider_and_use(page)
    with celery_worker():
        steps.request_the_evidence(page)
        steps.open_preview_and_decide(page, "Birth certificate office of Austria", accept=False)
        # The refusal is the citizen's choice, said as such, not a red failure.
        expect(page.locator(".exchange-refused")).to_contain_text(
            "You chose not to share it", timeout=steps.EVIDENCE_TIMEOUT_MS
        )
        expect(page.locator(".exchange-error")).to_have_count(0)
    steps.upload_instead(page, tmp_path)
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    expect(page.locator(".evidence-list")).to_contain_text("uploaded by you")
    screenshot(page, "preview-refused")
    _submitted(procedure)


def test_two_requirements_from_two_countries_are_requested_together(live_server, page):
    procedure = _procedure("R1", (BIRTH, "Proof of birth"), (RESIDENCE, "Proof of residence"))
    steps.login_through_the_test_idp(page, live_server.url, procedure, "Jan Peeters")
    steps.start_application(page)
    steps.find_evidence(page, "Proof of birth", country="Austria", alternative="Birth certificate")
    steps.choose_provider_and_use(page)
    steps.find_evidence(page, "Proof of residence", country="Belgium", alternative="Certificate of residence")
    steps.choose_provider_and_use(page)
    with celery_worker():
        steps.request_the_evidence(page)
        steps.wait_until_complete(page)
    expect(page.locator("article.exchange-received")).to_have_count(2)
    steps.submit_application(page)
    screenshot(page, "two-countries")
    exchanges = EvidenceRequest.objects.filter(application=_submitted(procedure))
    assert sorted(e.provider_country for e in exchanges) == ["AT", "BE"]
    explicit = {e.explicit_request_at for e in exchanges}
    assert len(explicit) == 2 and None not in explicit


def test_the_directory_asks_for_the_region_and_the_answer_picks_the_provider(live_server, page):
    procedure = _procedure("R1", (RESIDENCE, "Proof of residence"))
    steps.login_through_the_test_idp(page, live_server.url, procedure, "Jan Peeters")
    steps.start_application(page)
    steps.find_evidence(page, "Proof of residence", country="Austria", alternative="Certificate of residence")
    expect(
        page.get_by_role("heading", level=2, name="A few questions about “Certificate of residence”")
    ).to_be_visible()
    page.get_by_label("Place of residence").select_option("AT2")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Registration authority Southern Austria")).to_be_checked()
    steps.choose_provider_and_use(page)
    with celery_worker():
        steps.request_the_evidence(page)
        steps.wait_until_complete(page)
    steps.submit_application(page)
    screenshot(page, "additional-input")
    exchange = EvidenceRequest.objects.get(application=_submitted(procedure))
    assert exchange.provider_name == "Registration authority Southern Austria"


def test_a_provider_error_is_explained_then_the_document_is_uploaded(live_server, page, tmp_path):
    procedure = _procedure("R1", (BIRTH, "Proof of birth"))
    steps.login_through_the_test_idp(page, live_server.url, procedure, "Giulia Rossi")
    steps.start_application(page)
    steps.find_evidence(page, "Proof of birth", country="Austria", alternative="Birth certificate")
    steps.choose_provider_and_use(page)
    with celery_worker():
        steps.request_the_evidence(page)
        error = page.locator(".exchange-error")
        expect(error).to_contain_text("No evidence found", timeout=steps.EVIDENCE_TIMEOUT_MS)
    expect(error.get_by_role("link", name="Choose another authority or country")).to_be_visible()
    steps.upload_instead(page, tmp_path)
    page.get_by_role("button", name="Submit application").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    screenshot(page, "not-found-then-upload")
    application = _submitted(procedure)
    items = EvidenceItem.objects.filter(choice__application=application)
    assert [(item.upload is not None, item.exchange.state) for item in items] == [
        (True, ExchangeState.FAILED)
    ]


@pytest.mark.parametrize(
    ("persona", "acting"),
    [
        # the two data sets: the natural person beside the legal person (every legal identifier, an address)
        ("es-carmen-soluciones", "es-carmen-soluciones"),
        # the representation attributes (…/representative/…): the company is the subject
        ("at-huber-bau", "at-anna"),
    ],
)
def test_a_representative_requests_the_evidence_of_the_company(live_server, page, persona, acting):
    company = PERSONAS[persona]
    representative = company if acting == persona else company.representative
    assert representative is not None
    business = next(r for r in catalogue().requirements if r["key"] == "business_registration")
    procedure = _procedure("X1", (business["id"], "Proof of business registration"))
    steps.login_through_the_test_idp(page, live_server.url, procedure, company.label)
    steps.start_application(page)
    steps.find_evidence(page, "Proof of business registration", country="Belgium")
    steps.choose_provider_and_use(page)
    page.get_by_role("link", name="Continue", exact=True).click()
    data = page.locator("#person-data")
    expect(data).to_contain_text(company.legal_name)
    expect(data).to_contain_text("Representative's family name")
    expect(data).to_contain_text(representative.person_identifier)
    expect(data).to_contain_text(company.vat_registration)
    with celery_worker():
        page.get_by_role("button", name="Request the evidence").click()
        steps.wait_until_complete(page)
    steps.submit_application(page)
    screenshot(page, f"representative-{persona}")
    exchange = EvidenceRequest.objects.get(application=_submitted(procedure))
    content = from_json(EdmEvidenceRequest, exchange.request_content)
    # the request that went out: the company as subject, the persona's representative as representative
    assert isinstance(content.subject, LegalPerson)
    assert content.subject.legal_name == company.legal_name
    assert content.subject.legal_person_identifier == Identifier(company.legal_person_identifier, "eidas")
    assert Identifier(company.vat_registration, "VAT") in content.subject.identifiers
    assert content.subject.registered_address is not None
    assert content.authorized_representative is not None
    assert (content.authorized_representative.given_name, content.authorized_representative.family_name) == (
        representative.given_name,
        representative.family_name,
    )
    assert content.authorized_representative.identifier == Identifier(
        representative.person_identifier, "eidas"
    )
    sent = exchange.outgoing.first()
    assert sent is not None and representative.person_identifier.encode() in bytes(sent.payload)


def test_a_diploma_not_found_is_uploaded_while_its_supplement_that_arrived_is_kept(
    live_server, page, tmp_path
):
    """Issue 14: a requirement met by two documents, one received and one not found, offers an upload for
    the missing one only, and the upload never discards the document that arrived."""
    from simulators.evidence_provider.scenarios import Scenario
    from simulators.evidence_provider.services import override_create

    procedure = _procedure("T2", (SR + "fbec2535-36ca-5879-92af-83e43216f9f0", "Proof of higher education"))
    steps.login_through_the_test_idp(page, live_server.url, procedure, "Jan Peeters")
    steps.start_application(page)
    steps.find_evidence(
        page,
        "Proof of higher education",
        country="Austria",
        alternative="Higher education diploma + Diploma supplement",
    )
    steps.choose_provider_and_use(page)
    diploma = EvidenceRequest.objects.get(evidence_type_title="Higher education diploma")
    override_create(scenario=Scenario.NOT_FOUND, conversation_id=diploma.conversation_id)
    with celery_worker():
        steps.request_the_evidence(page)
        expect(page.locator(".exchange-error")).to_contain_text(
            "No evidence found", timeout=steps.EVIDENCE_TIMEOUT_MS
        )
        expect(page.locator("[data-item-status=received]")).to_contain_text("Diploma supplement")
    uploads = page.get_by_role("link", name="Upload the document instead")
    expect(uploads).to_have_count(1)  # for the diploma only
    uploads.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload “Higher education diploma”")
    steps.upload_instead_here(page, tmp_path)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your answers before sending your application"
    )
    evidence = page.locator("#check-evidence")
    expect(evidence).to_contain_text("Higher education diploma: Uploaded by you")
    expect(evidence).to_contain_text("Diploma supplement: Received")
    page.get_by_role("button", name="Submit application").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    screenshot(page, "two-documents-one-uploaded")
    application = _submitted(procedure)
    items = {item.title: item for item in EvidenceItem.objects.filter(choice__application=application)}
    assert items["Higher education diploma"].upload is not None
    assert items["Diploma supplement"].upload is None
    assert items["Diploma supplement"].exchange.state == ExchangeState.RECEIVED

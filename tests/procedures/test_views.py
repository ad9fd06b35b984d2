"""Citizen pages: drafts, submission, and access to one's own applications only."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.eidas.loa import SESSION_LOA_KEY
from procedures.models import Application, ApplicationStatus, FieldType, Procedure
from tests.factories import add_field, make_citizen, make_eidas_identity

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%test\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def procedure():
    procedure = Procedure.objects.get(code="T2")
    add_field(procedure, "programme")
    add_field(procedure, "email", FieldType.EMAIL)
    return procedure


@pytest.fixture
def citizen_client(client):
    user = make_citizen()
    make_eidas_identity(user)
    client.force_login(user)
    session = client.session
    session[SESSION_LOA_KEY] = "substantial"
    session.save()
    return client


def _answers(application: Application) -> str:
    return reverse("procedures:journey_step", args=[application.reference, "answers"])


def _check(application: Application) -> str:
    return reverse("procedures:journey_step", args=[application.reference, "check"])


def _start(client, procedure) -> Application:
    response = client.post(reverse("procedures:apply", args=[procedure.code]))
    assert response.status_code == 302
    return Application.objects.get(reference=response["Location"].rstrip("/").split("/")[-1])


def test_home_lists_published_procedures_by_life_event(client):
    html = client.get(reverse("procedures:home")).content.decode()
    assert "Studying" in html
    assert "Requesting a birth certificate" in html
    assert "Test procedure" not in html


def test_unpublished_procedure_page_is_not_found(client):
    assert client.get(reverse("procedures:procedure", args=["00"])).status_code == 404


def test_applying_requires_login(client, procedure):
    response = client.post(reverse("procedures:apply", args=[procedure.code]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_draft_is_saved_with_partial_answers_and_resumed(citizen_client, procedure):
    application = _start(citizen_client, procedure)
    citizen_client.post(_answers(application), {"action": "save", "programme": "Physics", "email": ""})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.data == {"programme": "Physics", "email": None}
    # Starting again resumes the same draft, with the answer filled in.
    assert _start(citizen_client, procedure) == application
    assert 'value="Physics"' in citizen_client.get(_answers(application)).content.decode()


def test_continuing_enforces_required_fields_with_an_error_summary(citizen_client, procedure):
    application = _start(citizen_client, procedure)
    response = citizen_client.post(_answers(application), {"action": "continue", "programme": "Physics"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert 'href="#id_email"' in html
    assert citizen_client.get(_check(application)).status_code == 302  # not before the answers are given


def test_the_answers_are_checked_then_submitted_and_a_confirmation_says_what_happens_next(
    citizen_client, procedure
):
    application = _start(citizen_client, procedure)
    response = citizen_client.post(
        _answers(application), {"action": "continue", "programme": "Physics", "email": "a@example.org"}
    )
    assert response.status_code == 302
    check = citizen_client.get(_check(application)).content.decode()
    assert "Check your answers before sending your application" in check
    assert "a@example.org" in check
    assert citizen_client.post(_check(application)).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.submitted_at is not None
    url = reverse("procedures:application", args=[application.reference])
    receipt = citizen_client.get(url).content.decode()
    assert "Application submitted" in receipt
    assert application.short_reference in receipt
    assert "What happens next" in receipt
    assert "Jan Peeters" in receipt
    assert procedure.authority.name in receipt


def test_a_submitted_application_can_no_longer_change(citizen_client, procedure):
    application = _start(citizen_client, procedure)
    citizen_client.post(
        _answers(application), {"action": "continue", "programme": "Physics", "email": "a@example.org"}
    )
    citizen_client.post(_check(application))
    citizen_client.post(
        _answers(application), {"action": "save", "programme": "Chemistry", "email": "a@example.org"}
    )
    application.refresh_from_db()
    assert application.data["programme"] == "Physics"


def test_an_uploaded_file_is_stored_and_downloadable_by_its_owner_only(citizen_client, client, procedure):
    add_field(procedure, "diploma", FieldType.FILE)
    application = _start(citizen_client, procedure)
    upload = SimpleUploadedFile("my diploma.pdf", PDF, content_type="application/pdf")
    citizen_client.post(
        _answers(application), {"action": "save", "programme": "", "email": "", "diploma": upload}
    )
    stored = application.files.get()
    assert stored.original_name == "my diploma.pdf"
    assert stored.content_type == "application/pdf"
    file_url = reverse("procedures:application_file", args=[application.reference, "diploma"])
    assert b"".join(citizen_client.get(file_url).streaming_content) == PDF

    client.force_login(make_citizen())
    assert client.get(file_url).status_code == 404


def test_my_applications_offers_to_continue_a_draft_and_says_when_it_will_be_deleted(
    citizen_client, procedure, settings
):
    settings.OOTS_DRAFT_RETENTION_DAYS = 30
    application = _start(citizen_client, procedure)
    Application.objects.filter(pk=application.pk).update(
        updated_at=dt.datetime(2026, 7, 12, 9, 0, tzinfo=dt.UTC)
    )
    html = citizen_client.get(reverse("procedures:applications")).content.decode()
    assert reverse("procedures:journey", args=[application.reference]) in html
    assert "Deleted on 11 August 2026 unless you continue it" in html


def test_another_users_application_is_not_found(citizen_client, client, procedure):
    application = _start(citizen_client, procedure)
    client.force_login(make_citizen())
    url = reverse("procedures:application", args=[application.reference])
    assert client.get(url).status_code == 404
    assert client.post(url, {"action": "save", "programme": "Hijack"}).status_code == 404


def test_my_applications_lists_only_my_own(citizen_client, client, procedure):
    mine = _start(citizen_client, procedure)
    other = make_citizen()
    theirs = Application.objects.create(user=other, procedure=procedure)
    html = citizen_client.get(reverse("procedures:applications")).content.decode()
    assert mine.short_reference in html
    assert theirs.short_reference not in html


def test_language_switcher_serves_french_and_german(client):
    for language, text in [("fr", "Démarches transfrontalières"), ("de", "Grenzüberschreitende Verfahren")]:
        response = client.get(reverse("procedures:home"), headers={"accept-language": language})
        assert text in response.content.decode()


def test_pages_have_landmarks_and_a_skip_link(client):
    html = client.get(reverse("procedures:home")).content.decode()
    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html and "<nav" in html


def test_dev_login_logs_in_a_test_person_when_debug_is_on(client, settings):
    settings.DEBUG = True
    response = client.post(reverse("accounts:dev_login"), {"persona": "be-jan", "next": "/applications/"})
    assert response.status_code == 302
    assert response["Location"] == "/applications/"
    assert client.get("/applications/").status_code == 200


def test_dev_login_refuses_when_debug_is_off(client, settings):
    settings.DEBUG = False
    assert client.get(reverse("accounts:dev_login")).status_code == 404


def test_dev_login_does_not_redirect_off_site(client, settings):
    settings.DEBUG = True
    response = client.post(
        reverse("accounts:dev_login"), {"persona": "be-jan", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("procedures:home")

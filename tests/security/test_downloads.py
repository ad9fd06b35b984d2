"""File names, types and caching of what the portal serves (issue 16, point 4).

The review's findings: uploaded file names were served as given (a PDF downloaded as ``poly.html``; a
right-to-left override reversed a name), pages with personal data could be cached, and every page could
be framed by the portal's own pages.
"""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.eidas.loa import SESSION_LOA_KEY
from exchanges.models import Evidence
from procedures.filenames import safe_filename
from procedures.models import Application, ApplicationStatus, FieldType, Procedure
from tests.exchanges.factories import make_exchange
from tests.factories import MINIMAL_PDF, add_field, make_citizen, make_eidas_identity, make_upload

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
RLO = "\u202e"


def _consume(response) -> bytes:  # type: ignore[no-untyped-def]
    """Read a file response to its end (the test client then closes the file)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def citizen() -> Client:
    client = Client()
    user = make_citizen()
    make_eidas_identity(user)
    client.force_login(user)
    session = client.session
    session[SESSION_LOA_KEY] = "substantial"  # logged in through eIDAS: the journey's first task is done
    session.save()
    client.user = user  # type: ignore[attr-defined]
    return client


def _application_with_file_field(client: Client) -> Application:
    procedure = Procedure.objects.get(code="T2")
    add_field(procedure, "diploma", FieldType.FILE, required=False)
    return Application.objects.create(user=client.user, procedure=procedure)  # type: ignore[attr-defined]


def _upload(client: Client, application: Application, name: str, content: bytes, claimed: str):
    url = reverse("procedures:journey_step", args=[application.reference, "answers"])
    client.post(url, {"action": "save", "diploma": SimpleUploadedFile(name, content, content_type=claimed)})
    stored = application.files.get()
    download = client.get(reverse("procedures:application_file", args=[application.reference, "diploma"]))
    _consume(download)
    return stored, download


def test_a_pdf_uploaded_as_poly_html_is_stored_and_downloaded_as_a_pdf(citizen):
    stored, download = _upload(
        citizen, _application_with_file_field(citizen), "poly.html", MINIMAL_PDF, "text/html"
    )
    assert stored.original_name == "poly.pdf"
    assert not stored.file.name.endswith(".html")
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == "attachment; filename=\"poly.pdf\"; filename*=UTF-8''poly.pdf"


def test_a_right_to_left_override_cannot_disguise_an_uploaded_name(citizen):
    # Shown by a file manager as "invoiceexe.png"; what the content is decides the real extension.
    name = f"invoice{RLO}gnp.exe"
    stored, download = _upload(citizen, _application_with_file_field(citizen), name, PNG, "image/png")
    assert stored.original_name == "invoicegnp.png"
    assert RLO not in download["Content-Disposition"] and "%E2%80%AE" not in download["Content-Disposition"]
    assert download["Content-Type"] == "image/png"


def test_a_name_in_another_script_survives_in_filename_star(citizen):
    _stored, download = _upload(
        citizen,
        _application_with_file_field(citizen),
        "Αίτηση Παπαδόπουλος.pdf",
        MINIMAL_PDF,
        "application/pdf",
    )
    disposition = download["Content-Disposition"]
    assert disposition.startswith('attachment; filename="')  # an ASCII fallback for old clients
    assert "filename*=UTF-8''%CE%91%CE%AF%CF%84%CE%B7%CF%83%CE%B7%20" in disposition


@pytest.mark.parametrize(
    ("given", "content_type", "safe"),
    [
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("C:\\Users\\jan\\diploma.PDF", "application/pdf", "diploma.pdf"),
        ("report.pdf.exe", "application/pdf", "report.pdf"),
        ("scan.jpeg", "image/jpeg", "scan.jpg"),
        ("photo", "image/png", "photo.png"),
        (".htaccess", "application/pdf", "document.pdf"),
        ("CON.pdf", "application/pdf", "document-CON.pdf"),
        ("a\u200bb\u0000c\td  e.pdf", "application/pdf", "abcd e.pdf"),
        ('say "hi" <b>.pdf', "application/pdf", "say _hi_ _b_.pdf"),
        ("", "image/png", "document.png"),
        ("x" * 300 + ".pdf", "application/pdf", "x" * 120 + ".pdf"),
        ("Zeugnis Müller.pdf", "application/pdf", "Zeugnis Müller.pdf"),
        ("evidence-7", "application/xml", "evidence-7.xml"),
    ],
)
def test_safe_filename(given, content_type, safe):
    assert safe_filename(given, content_type=content_type) == safe


def _evidence(client: Client, content: bytes, media_type: str) -> Evidence:
    application = Application.objects.create(user=client.user, procedure=Procedure.objects.get(code="R1"))  # type: ignore[attr-defined]
    evidence = Evidence.objects.create(
        evidence_request=make_exchange(application=application),
        identifier="e1",
        title="Birth",
        media_type=media_type,
    )
    evidence.file.save("e1", ContentFile(content))
    return evidence


def test_evidence_is_served_as_what_its_content_is_not_as_what_the_provider_declared(citizen):
    evidence = _evidence(citizen, b"<html><script>alert(1)</script></html>", "application/pdf")
    answer = citizen.get(reverse("procedures:evidence_file", args=[evidence.pk]))
    _consume(answer)
    assert answer["Content-Type"] == "application/octet-stream"
    assert answer["Content-Disposition"].startswith('attachment; filename="evidence-')
    assert answer["Content-Disposition"].endswith(".bin")


def test_only_the_evidence_file_may_be_framed_and_only_by_the_portal(citizen):
    evidence = _evidence(citizen, MINIMAL_PDF, "application/pdf")
    framed = citizen.get(reverse("procedures:evidence_file", args=[evidence.pk]))
    _consume(framed)
    assert framed["Content-Disposition"].startswith("inline")
    assert "frame-ancestors 'self'" in framed["Content-Security-Policy"]
    assert framed["X-Frame-Options"] == "SAMEORIGIN"
    for url in (reverse("procedures:home"), reverse("accounts:identity"), reverse("procedures:applications")):
        answer = citizen.get(url)
        assert "frame-ancestors 'none'" in answer["Content-Security-Policy"], url
        assert answer["X-Frame-Options"] == "DENY", url


def test_pages_and_files_with_personal_data_are_not_stored_by_any_cache(citizen):
    application = _application_with_file_field(citizen)
    make_upload(application, "diploma")
    evidence = _evidence(citizen, MINIMAL_PDF, "application/pdf")
    submitted = Application.objects.create(
        user=citizen.user,  # type: ignore[attr-defined]
        procedure=Procedure.objects.get(code="T2"),
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )
    urls = {
        "application": reverse("procedures:journey_step", args=[application.reference, "answers"]),
        "applications": reverse("procedures:applications"),
        "identity": reverse("accounts:identity"),
        "receipt": reverse("procedures:application", args=[submitted.reference]),
        "receipt PDF": reverse("procedures:application_receipt_pdf", args=[submitted.reference]),
        "evidence": reverse("procedures:evidence_file", args=[evidence.pk]),
        "upload": reverse("procedures:application_file", args=[application.reference, "diploma"]),
    }
    for name, url in urls.items():
        answer = citizen.get(url)
        _consume(answer)
        assert answer.status_code == 200, name
        assert "no-store" in answer["Cache-Control"], name

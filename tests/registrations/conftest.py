"""Two authorities, each with a procedure; a submitted application of authority A with an answer, an uploaded
file, an upload for one requirement and evidence received through OOTS for another."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.files.base import ContentFile

from authorities.models import Authority
from exchanges.models import Evidence
from procedures.models import Application, FieldType, Procedure, Requirement
from procedures.services import application_submit
from registrations.models import ApiToken, RegistrationBackend, SigningKey
from tests.exchanges.factories import make_exchange
from tests.factories import add_field, make_authority, make_citizen, make_evidence_item, make_upload
from tests.registrations.receivers import SmtpServer, WebhookReceiver

_codes = itertools.count(1)
BIRTH = "https://sr.oots.tech.ec.europa.eu/requirements/0e056d27-0de3-5279-9f9f-96b1dcdd717b"
DIPLOMA = "https://sr.oots.tech.ec.europa.eu/requirements/4e93bf9f-3d3a-5d8b-9d2c-0c5c1b0b6a3e"
EVIDENCE_PDF = b"%PDF-1.4\n% evidence from a provider\n%%EOF\n"


def make_procedure(authority: Authority) -> Procedure:
    return Procedure.objects.create(
        code=f"Z{next(_codes)}",
        name=f"Admission at {authority.name}",
        life_event="testing",
        country="BE",
        authority=authority,
        published=True,
    )


@dataclass
class Given:
    authority: Authority
    other_authority: Authority
    procedure: Procedure
    other_procedure: Procedure


@pytest.fixture
def given(db) -> Given:
    authority = make_authority("University of Leuven")
    other = make_authority("Tax office")
    return Given(authority, other, make_procedure(authority), make_procedure(other))


def submit_application(procedure: Procedure) -> Application:
    """A draft with everything a back office receives, submitted through the portal's own service."""
    add_field(procedure, "full_name", label="Full name")
    add_field(procedure, "cv", FieldType.FILE, label="Curriculum vitae")
    birth = Requirement.objects.create(procedure=procedure, identifier=BIRTH, name="Proof of birth")
    diploma = Requirement.objects.create(procedure=procedure, identifier=DIPLOMA, name="Diploma")
    draft = Application.objects.create(user=make_citizen(), procedure=procedure)
    make_upload(draft, "cv", "My CV.pdf")
    make_evidence_item(draft, birth, upload=make_upload(draft, "", "birth certificate.pdf"))
    exchange = make_exchange(application=draft)
    exchange.state = "received"
    exchange.save(update_fields=["state"])
    evidence = Evidence.objects.create(
        evidence_request=exchange,
        identifier="e1",
        title="Bachelor diploma",
        media_type="application/pdf",
        size=len(EVIDENCE_PDF),
        sha256="1" * 64,
    )
    evidence.file.save("e1", ContentFile(EVIDENCE_PDF))
    make_evidence_item(draft, diploma, exchange=exchange)
    return application_submit(application=draft, answers={"full_name": "Ana Test"}, uploads={})


def add_backend(procedure: Procedure, kind: str, **target: str) -> RegistrationBackend:
    return RegistrationBackend.objects.create(
        procedure=procedure, kind=kind, name=f"{kind} backend", **target
    )


def issue_token(authority: Authority) -> str:
    row = ApiToken(authority=authority, name="Case system")
    token = row.set_new_token()
    row.save()
    return token


def issue_key(authority: Authority) -> SigningKey:
    return SigningKey.objects.create(authority=authority)


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    hook = WebhookReceiver()
    try:
        yield hook
    finally:
        hook.down()


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:
    server = SmtpServer()
    # The test environment swaps in the in-memory backend; these tests talk SMTP to a real server on loopback.
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 10},
        }
    }
    try:
        yield server
    finally:
        server.down()

"""A procedure owner pulls a procedure's requirements from the Evidence Broker (simulator, real HTTP)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import User
from procedures.models import Procedure, Requirement

# The live server needs a transactional database (which empties the data migrations' rows: the tests make
# their own procedure and owner).
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eb(live_server, settings):
    settings.OOTS_CS_EB_URL = f"{live_server.url}/sim/cs/eb"
    settings.OOTS_CS_DSD_URL = f"{live_server.url}/sim/cs/dsd"
    settings.OOTS_CS_API_VERSION = "2.0"
    settings.OOTS_CS_SIGNATURE_MODE = "required"
    settings.OOTS_CS_RETRIES = 1
    return live_server


@pytest.fixture
def owner_client(client):
    client.force_login(User.objects.create_superuser(username="owner", password="owner-password-1234"))
    return client


@pytest.fixture(autouse=True)
def t2():
    return Procedure.objects.update_or_create(
        code="T2",
        defaults={
            "name": "Initial application for admission to public tertiary education",
            "life_event": "studying",
            "country": "DE",
        },
    )[0]


def pull_url(procedure: Procedure) -> str:
    return reverse("admin:procedures_procedure_pull_requirements", args=[procedure.pk])


def test_page_lists_the_requirements_of_the_evidence_broker(eb, owner_client):
    procedure = Procedure.objects.get(code="T2")
    response = owner_client.get(pull_url(procedure), HTTP_HOST="localhost")
    assert response.status_code == 200
    assert b"Proof of secondary education completion" in response.content
    assert b"https://sr.oots.tech.ec.europa.eu/requirements/" in response.content


def test_chosen_requirements_become_the_procedures_requirements(eb, owner_client):
    procedure = Procedure.objects.get(code="T2")
    page = owner_client.get(pull_url(procedure), HTTP_HOST="localhost")
    uris = [row["identifier"] for row in page.context["rows"]]
    response = owner_client.post(pull_url(procedure), {"requirement": uris[:1]}, HTTP_HOST="localhost")
    assert response.status_code == 302
    assert (
        list(Requirement.objects.filter(procedure=procedure).values_list("identifier", flat=True)) == uris[:1]
    )


def test_pulling_again_updates_the_name_and_keeps_the_upload_setting(eb, owner_client):
    procedure = Procedure.objects.get(code="T2")
    uri = owner_client.get(pull_url(procedure), HTTP_HOST="localhost").context["rows"][0]["identifier"]
    Requirement.objects.create(procedure=procedure, identifier=uri, name="old name", allow_upload=False)
    owner_client.post(pull_url(procedure), {"requirement": [uri]}, HTTP_HOST="localhost")
    row = Requirement.objects.get(procedure=procedure, identifier=uri)
    assert row.name != "old name" and row.allow_upload is False


def test_evidence_broker_error_is_shown_plainly(eb, owner_client):
    procedure = Procedure.objects.get(code="T2")
    Procedure.objects.filter(pk=procedure.pk).update(country="IT")  # no requirements there: EB:ERR:0001
    response = owner_client.get(pull_url(procedure), HTTP_HOST="localhost")
    assert b"EB:ERR:0001" in response.content


def test_unreachable_evidence_broker_is_shown_plainly(settings, owner_client):
    settings.OOTS_CS_EB_URL = "http://127.0.0.1:9/eb"
    settings.OOTS_CS_RETRIES = 1
    procedure = Procedure.objects.get(code="T2")
    response = owner_client.get(pull_url(procedure), HTTP_HOST="localhost")
    assert response.status_code == 200
    assert b"cannot be used now" in response.content


def test_change_page_links_to_the_pull_page(owner_client):
    procedure = Procedure.objects.get(code="T2")
    response = owner_client.get(
        reverse("admin:procedures_procedure_change", args=[procedure.pk]), HTTP_HOST="localhost"
    )
    assert pull_url(procedure).encode() in response.content


def test_requirement_names_are_kept_in_every_language_the_evidence_broker_gives(eb, owner_client):
    procedure = Procedure.objects.get(code="T2")
    rows = owner_client.get(pull_url(procedure), HTTP_HOST="localhost").context["rows"]
    owner_client.post(pull_url(procedure), {"requirement": [rows[0]["identifier"]]}, HTTP_HOST="localhost")
    row = Requirement.objects.get(procedure=procedure)
    assert row.name_en == "Proof of secondary education completion"
    assert row.name_fr == "Preuve d'achèvement des études secondaires"
    assert row.name_de == "Nachweis des Sekundarschulabschlusses"


def test_an_unticked_requirement_is_removed_after_the_owner_confirms(eb, owner_client):
    procedure = Procedure.objects.get(code="T2")
    uris = [
        row["identifier"]
        for row in owner_client.get(pull_url(procedure), HTTP_HOST="localhost").context["rows"]
    ]
    owner_client.post(pull_url(procedure), {"requirement": uris}, HTTP_HOST="localhost")
    assert procedure.requirements.count() == len(uris) > 1

    # Unticking the first: a confirmation page names it and removes nothing yet.
    response = owner_client.post(pull_url(procedure), {"requirement": uris[1:]}, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert "Remove requirements?" in response.content.decode()
    assert uris[0] in response.content.decode()
    assert procedure.requirements.count() == len(uris)

    response = owner_client.post(
        pull_url(procedure), {"requirement": uris[1:], "confirm": "1"}, HTTP_HOST="localhost"
    )
    assert response.status_code == 302
    assert sorted(procedure.requirements.values_list("identifier", flat=True)) == sorted(uris[1:])

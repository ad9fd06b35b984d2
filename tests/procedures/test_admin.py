import pytest
from django.urls import reverse
from django.utils import timezone

from procedures.models import Application, ApplicationStatus, FormField, Procedure, Requirement
from tests.factories import add_field, make_case_worker, make_citizen, make_owner

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner_client(client):
    client.force_login(make_owner())
    return client


@pytest.fixture
def case_worker_client(client):
    client.force_login(make_case_worker())
    return client


@pytest.fixture
def application():
    procedure = Procedure.objects.get(code="T2")
    add_field(procedure, "programme")
    return Application.objects.create(
        user=make_citizen(),
        procedure=procedure,
        data={"programme": "Physics"},
        status=ApplicationStatus.SUBMITTED,
        submitted_at=timezone.now(),
    )


def test_owner_opens_the_procedures(owner_client, application):
    assert owner_client.get(reverse("admin:procedures_procedure_changelist")).status_code == 200


def test_the_owner_configures_procedures_and_does_not_see_the_applicants_data(owner_client, application):
    assert owner_client.get(reverse("admin:procedures_application_changelist")).status_code == 403
    url = reverse("admin:procedures_application_change", args=[application.pk])
    assert owner_client.get(url).status_code in (403, 404)


@pytest.mark.parametrize("model", [Procedure, Application])
def test_case_worker_opens_every_changelist(case_worker_client, model, application):
    url = reverse(f"admin:procedures_{model._meta.model_name}_changelist")
    assert case_worker_client.get(url).status_code == 200


def test_case_worker_cannot_change_a_procedure(case_worker_client):
    procedure = Procedure.objects.get(code="T2")
    response = case_worker_client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk]))
    assert response.status_code == 200
    assert b'name="_save"' not in response.content


def test_owner_opens_a_procedure_change_form_with_its_fields_and_requirements(owner_client):
    procedure = Procedure.objects.get(code="T2")
    add_field(procedure, "programme")
    Requirement.objects.create(
        procedure=procedure, identifier="https://sr.oots.tech.ec.europa.eu/requirements/x", name="Proof"
    )
    response = owner_client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk]))
    assert response.status_code == 200
    assert b"form_fields-0-label" in response.content
    assert b"requirements-0-identifier" in response.content


def test_case_worker_opens_an_application_read_only(case_worker_client, application):
    response = case_worker_client.get(reverse("admin:procedures_application_change", args=[application.pk]))
    assert response.status_code == 200
    assert b"Physics" in response.content
    assert b'name="_save"' not in response.content


@pytest.mark.parametrize("name", ["admin:accounts_user_changelist", "admin:auth_group_changelist"])
def test_owner_cannot_open_users_or_groups(owner_client, name):
    assert owner_client.get(reverse(name)).status_code == 403


def test_case_worker_cannot_add_or_delete_applications(case_worker_client, application):
    assert case_worker_client.get(reverse("admin:procedures_application_add")).status_code == 403
    assert (
        case_worker_client.get(
            reverse("admin:procedures_application_delete", args=[application.pk])
        ).status_code
        == 403
    )


def test_owner_edits_a_form_field_through_the_procedure_form(owner_client):
    procedure = Procedure.objects.get(code="S1")
    url = reverse("admin:procedures_procedure_change", args=[procedure.pk])
    response = owner_client.get(url)
    data = {
        key: value
        for key, value in response.context["adminform"].form.initial.items()
        if key not in {"code"} and value is not None
    }
    data.update(
        {
            "form_fields-TOTAL_FORMS": "1",
            "form_fields-INITIAL_FORMS": "0",
            "form_fields-0-order": "1",
            "form_fields-0-key": "reason",
            "form_fields-0-field_type": "choice",
            "form_fields-0-required": "on",
            "form_fields-0-label_en": "Reason",
            "form_fields-0-choices_en": "Work\nStudy",
            "requirements-TOTAL_FORMS": "0",
            "requirements-INITIAL_FORMS": "0",
        }
    )
    response = owner_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert FormField.objects.get(procedure=procedure, key="reason").choice_list() == [
        ("work", "Work"),
        ("study", "Study"),
    ]


def test_owner_publishes_and_unpublishes_with_the_admin_actions(owner_client):
    url = reverse("admin:procedures_procedure_changelist")
    t1 = Procedure.objects.get(code="T1")
    owner_client.post(url, {"action": "unpublish", "_selected_action": [t1.pk]})
    t1.refresh_from_db()
    assert not t1.published
    owner_client.post(url, {"action": "publish", "_selected_action": [t1.pk]})
    t1.refresh_from_db()
    assert t1.published


def test_citizen_without_staff_flag_cannot_open_the_admin(client):
    client.force_login(make_citizen())
    response = client.get(reverse("admin:procedures_procedure_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]

import pytest

from authorities.models import Authority
from procedures.models import LifeEvent, Procedure
from tests.factories import SDG_CODES

pytestmark = pytest.mark.django_db


def test_migrate_creates_the_21_sdg_procedures_published():
    published = Procedure.objects.filter(published=True)
    assert sorted(published.values_list("code", flat=True)) == sorted(SDG_CODES)


def test_test_procedure_00_exists_unpublished():
    test_procedure = Procedure.objects.get(code="00")
    assert not test_procedure.published
    assert test_procedure.life_event == LifeEvent.TESTING


def test_procedure_names_come_from_the_code_list():
    assert Procedure.objects.get(code="R1").name == "Requesting a birth certificate"
    assert Procedure.objects.get(code="U3").name == "Application for a European Health Insurance Card (EHIC)"


@pytest.mark.parametrize(
    ("code", "life_event"),
    [
        ("R1", "birth"),
        ("S1", "residence"),
        ("T2", "studying"),
        ("U4", "working"),
        ("V2", "moving"),
        ("W1", "retiring"),
        ("X6", "business"),
    ],
)
def test_procedures_are_grouped_by_life_event(code, life_event):
    assert Procedure.objects.get(code=code).life_event == life_event


def test_every_procedure_belongs_to_the_authority_made_of_the_configured_requester(settings):
    authority = Authority.objects.get(
        requester_scheme=settings.OOTS_REQUESTER_SCHEME, requester_identifier=settings.OOTS_REQUESTER_ID
    )
    assert authority.name == settings.OOTS_REQUESTER_NAME
    assert authority.country == settings.OOTS_PORTAL_COUNTRY
    for procedure in Procedure.objects.all():
        assert procedure.country == settings.OOTS_PORTAL_COUNTRY
        assert procedure.authority == authority


@pytest.mark.django_db(transaction=True)
def test_migration_0004_keys_the_choices_and_the_answers_stored_as_labels():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("procedures", "0003_procedure_owners_group")])
    old = executor.loader.project_state([("procedures", "0003_procedure_owners_group")]).apps
    procedure = old.get_model("procedures", "Procedure").objects.get(code="T2")
    user = old.get_model("accounts", "User").objects.create(username="before-0004")
    old.get_model("procedures", "FormField").objects.create(
        procedure=procedure,
        key="channel",
        field_type="choice",
        label="Channel",
        choices="E-mail\nPost office",
    )
    old.get_model("procedures", "Application").objects.create(
        user=user, procedure=procedure, data={"channel": "Post office"}
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    from procedures.models import Application, FormField

    field = FormField.objects.get(procedure__code="T2", key="channel")
    assert field.choice_list() == [("e_mail", "E-mail"), ("post_office", "Post office")]
    assert field.label_en == "Channel"
    assert Application.objects.get(user__username="before-0004").data == {"channel": "post_office"}

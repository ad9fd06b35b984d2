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

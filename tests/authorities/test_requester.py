"""The authority that owns a procedure is the Evidence Requester named in its requests."""

import pytest

from authorities.models import Authority
from procedures.models import Procedure
from procedures.request_content import requester_agent

pytestmark = pytest.mark.django_db


def test_the_request_names_the_authority_that_owns_the_procedure():
    university = Authority.objects.create(
        name="Université de Liège",
        country="BE",
        requester_identifier="0325777171",
        requester_scheme="urn:cef.eu:names:identifier:EAS:9925",
    )
    procedure = Procedure.objects.get(code="T2")
    procedure.authority = university
    procedure.save()

    agent = requester_agent(Procedure.objects.get(code="T2"))

    assert agent.identifier.value == "0325777171"
    assert agent.identifier.scheme_id == "urn:cef.eu:names:identifier:EAS:9925"
    assert [name.value for name in agent.names] == ["Université de Liège"]
    assert agent.address is not None and agent.address.admin_unit_level1 == "BE"
    assert agent.classification == "ER"

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


def test_an_owner_publishes_only_the_procedures_of_the_authorities_they_own(client):
    from django.urls import reverse

    from authorities.services import membership_add
    from tests.factories import make_authority, make_owner

    mine, theirs = make_authority("Mine"), make_authority("Theirs")
    t1, t2 = Procedure.objects.get(code="T1"), Procedure.objects.get(code="T2")
    Procedure.objects.filter(pk=t1.pk).update(authority=mine, published=False)
    Procedure.objects.filter(pk=t2.pk).update(authority=theirs, published=False)
    owner = make_owner(authority=mine)
    membership_add(user=owner, authority=theirs, role="case_worker")  # sees T2, may not change it
    client.force_login(owner)
    client.post(
        reverse("admin:procedures_procedure_changelist"),
        {"action": "publish", "_selected_action": [t1.pk, t2.pk]},
    )
    assert Procedure.objects.get(pk=t1.pk).published
    assert not Procedure.objects.get(pk=t2.pk).published

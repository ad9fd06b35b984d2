"""The development login offers the eIDAS test IdP's personas, one list (issue 16 item 7), and logs in as a
login at the test IdP would: the persona's eIDAS identity recorded, the session at the persona's level."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.eidas.loa import SESSION_LOA_KEY
from accounts.models import EidasIdentity
from simulators.eidas_idp.personas import PERSONAS

pytestmark = pytest.mark.django_db


def test_the_development_login_lists_the_test_idps_personas_and_their_provider_scenarios(client, settings):
    settings.DEBUG = True
    page = client.get(reverse("accounts:dev_login")).content.decode()
    for persona in PERSONAS.values():
        assert f'value="{persona.key}"' in page
        if persona.provider_scenario:
            assert f"{persona.label} ({persona.country}) — {persona.provider_scenario}" in page
    assert "dev-citizen-anna" not in page


def test_a_development_login_records_the_personas_eidas_identity_and_level(client, settings):
    settings.DEBUG = True
    client.post(reverse("accounts:dev_login"), {"persona": "it-giulia", "next": "/applications/"})

    identity = EidasIdentity.objects.get(user__username="dev-it-giulia")
    giulia = PERSONAS["it-giulia"]
    assert (identity.person_identifier, identity.family_name, identity.loa) == (
        giulia.person_identifier,
        giulia.family_name,
        giulia.max_loa,
    )
    assert client.session[SESSION_LOA_KEY] == giulia.max_loa


def test_a_legal_persona_logs_in_with_its_representative(client, settings):
    settings.DEBUG = True
    client.post(reverse("accounts:dev_login"), {"persona": "at-huber-bau", "next": "/applications/"})
    identity = EidasIdentity.objects.get(user__username="dev-at-huber-bau")
    assert identity.legal_name == "Huber Bau GmbH" and identity.representative_family_name == "Huber"

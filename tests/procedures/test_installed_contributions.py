"""The simulators add to the portal only when installed, through their ``AppConfig`` (the portal never imports
them): the Common Services simulator's signing certificate is trusted, and its catalogue gives the demo's
procedures their requirements."""

from __future__ import annotations

import pytest
from django.test import modify_settings

from procedures.common_services import common_services_config
from procedures.demo import demo_requirements
from procedures.models import Requirement
from simulators.common_services.signing import certificate_pem

pytestmark = pytest.mark.django_db

WITHOUT_THE_CS_SIMULATOR = modify_settings(INSTALLED_APPS={"remove": ["simulators.common_services"]})


def test_the_installed_common_services_simulator_is_trusted():
    assert certificate_pem() in common_services_config().trusted_certificates


def test_without_the_simulator_only_the_configured_certificates_are_trusted(settings):
    settings.OOTS_CS_TRUSTED_CERTS = []
    with WITHOUT_THE_CS_SIMULATOR:
        assert common_services_config().trusted_certificates == ()


def test_the_demo_takes_its_requirements_from_the_installed_simulators_catalogue():
    Requirement.objects.all().delete()
    with WITHOUT_THE_CS_SIMULATOR:
        assert demo_requirements() == 0
    assert demo_requirements() > 0
    assert Requirement.objects.filter(procedure__code="T2").exists()

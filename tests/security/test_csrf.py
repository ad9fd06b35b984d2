"""Every form of the portal is protected against cross-site request forgery.

Two checks: each page's POST forms carry the CSRF token, and a POST without the token is refused.
The SAML ACS and the Domibus BackendService are the deliberate exceptions (cross-site by design,
protected by signatures and HTTP Basic respectively).
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from procedures.models import Application, Procedure
from tests.factories import add_field, make_citizen

pytestmark = pytest.mark.django_db

_POST_FORM = re.compile(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", re.IGNORECASE | re.DOTALL)


@pytest.fixture
def citizen_and_application():
    procedure = Procedure.objects.get(code="T2")
    add_field(procedure, "programme")
    citizen = make_citizen()
    return citizen, Application.objects.create(user=citizen, procedure=procedure)


def _urls(application):
    return {
        "set language": reverse("set_language"),
        "logout": reverse("accounts:logout"),
        "apply": reverse("procedures:apply", args=["T2"]),
        "application form": reverse("procedures:application", args=[application.reference]),
    }


def test_every_post_form_on_the_citizen_pages_carries_the_token(citizen_and_application):
    citizen, application = citizen_and_application
    client = Client()
    client.force_login(citizen)
    pages = [
        reverse("procedures:home"),
        reverse("procedures:procedure", args=["T2"]),
        reverse("procedures:application", args=[application.reference]),
        reverse("procedures:applications"),
        reverse("accounts:login"),
    ]
    forms = 0
    for page in pages:
        for body in _POST_FORM.findall(client.get(page).content.decode()):
            forms += 1
            assert 'name="csrfmiddlewaretoken"' in body, page
    assert forms >= 5


@pytest.mark.parametrize("name", ["set language", "logout", "apply", "application form"])
def test_a_post_without_the_token_is_refused(citizen_and_application, name):
    citizen, application = citizen_and_application
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    response = client.post(_urls(application)[name], {"action": "save", "programme": "x", "language": "fr"})
    assert response.status_code == 403
    application.refresh_from_db()
    assert application.data == {}

"""The error pages people see in production (DEBUG off): the portal's own, translated, with a way on."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error


@pytest.mark.django_db
def test_an_unknown_address_shows_the_portals_not_found_page(client, settings):
    settings.DEBUG = False
    answer = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="fr")
    assert answer.status_code == 404
    page = answer.content.decode()
    assert "Page introuvable" in page
    assert 'href="/' in page and "skip-link" in page  # the portal's layout, with its navigation


def test_a_server_error_shows_a_page_that_needs_no_request_context():
    # Rendered by Django's handler without context: it must not depend on the user, the session or forms.
    with translation.override("de"):
        answer = server_error(RequestFactory().get("/"))
    assert answer.status_code == 500
    page = answer.content.decode()
    assert "Bei uns ist etwas schiefgelaufen" in page
    assert "<form" not in page

"""LoA enforcement for the journey: ``require_loa`` lets a strong enough session through and shows
the step-up page otherwise."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from accounts.eidas.loa import SESSION_LOA_KEY, loa_satisfies, require_loa
from tests.factories import make_citizen


@require_loa("substantial")
def _protected(request):
    return HttpResponse("inside")


@pytest.mark.parametrize(
    ("obtained", "required", "expected"),
    [
        ("high", "substantial", True),
        ("substantial", "substantial", True),
        ("low", "substantial", False),
        (None, "low", False),
    ],
)
def test_an_loa_satisfies_the_same_or_a_lower_requirement(obtained, required, expected):
    assert loa_satisfies(obtained, required) is expected


def _request(client, loa):
    user = make_citizen()
    client.force_login(user)
    if loa:
        session = client.session
        session[SESSION_LOA_KEY] = loa
        session.save()
    request = RequestFactory().get("/procedures/x/")
    request.user = user
    request.session = client.session
    return request


@pytest.mark.django_db
def test_a_session_at_the_required_loa_reaches_the_view(client):
    assert _protected(_request(client, "high")).content == b"inside"


@pytest.mark.django_db
def test_a_session_below_the_required_loa_gets_the_step_up_page(client):
    answer = _protected(_request(client, "low"))
    assert answer.status_code == 403
    page = answer.content.decode()
    assert "A stronger login is needed" in page
    assert 'name="loa" value="substantial"' in page
    assert 'action="/accounts/saml/eidas/login/"' in page


@pytest.mark.django_db
def test_a_login_without_eidas_gets_the_step_up_page(client):
    assert _protected(_request(client, None)).status_code == 403


def test_an_anonymous_user_is_sent_to_the_login_page(rf):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/procedures/x/")
    request.user = AnonymousUser()
    answer = _protected(request)
    assert answer.status_code == 302
    assert answer["Location"].startswith("/accounts/login/")

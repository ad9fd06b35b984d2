"""A valid response posted twice logs in once: a response answers one pending request of one browser,
and assertion ids are remembered in the shared cache besides."""

from __future__ import annotations

from django.test import Client

from tests.accounts.conftest import acs_post, is_logged_in, login_start, refusal_code
from tests.accounts.forge import PORTAL_HOST, ResponseSpec, encode, response_build, sign


def test_a_captured_response_posted_by_another_browser_is_refused_unread(portal_client, forge_idp):
    posted = encode(sign(response_build(ResponseSpec(login_start(portal_client))), forge_idp.rsa))
    first = acs_post(portal_client, posted)
    assert refusal_code(first) is None and is_logged_in(portal_client)

    replayer = Client(HTTP_HOST=PORTAL_HOST)  # e.g. an attacker who captured the POST
    second = acs_post(replayer, posted)
    assert refusal_code(second) == "unsolicited"
    assert not is_logged_in(replayer)


def test_a_captured_response_does_not_answer_the_other_browsers_own_login(portal_client, forge_idp):
    posted = encode(sign(response_build(ResponseSpec(login_start(portal_client))), forge_idp.rsa))
    replayer = Client(HTTP_HOST=PORTAL_HOST)
    login_start(replayer)  # a login of its own is pending, but not the one the response answers
    assert refusal_code(acs_post(replayer, posted)) == "unknown_request"
    assert not is_logged_in(replayer)


def test_a_response_posted_twice_in_the_same_browser_finds_nothing_pending_the_second_time(
    portal_client, forge_idp
):
    posted = encode(sign(response_build(ResponseSpec(login_start(portal_client))), forge_idp.rsa))
    acs_post(portal_client, posted)
    assert refusal_code(acs_post(portal_client, posted)) == "unsolicited"


def test_an_assertion_id_seen_before_is_refused_even_for_another_pending_request(portal_client, forge_idp):
    first_request, second_request = login_start(portal_client), login_start(portal_client)
    spec = ResponseSpec(first_request)
    first = encode(sign(response_build(spec), forge_idp.rsa))
    assert refusal_code(acs_post(portal_client, first)) is None
    same_assertion = spec.but(in_response_to=second_request, response_id="_r2")
    again = encode(sign(response_build(same_assertion), forge_idp.rsa))
    assert refusal_code(acs_post(portal_client, again)) == "replay"

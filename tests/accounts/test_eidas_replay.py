"""A valid response posted twice logs in once: assertion ids are remembered in the shared cache."""

from __future__ import annotations

from django.test import Client

from tests.accounts.conftest import acs_post, is_logged_in, login_start, refusal_code
from tests.accounts.forge import PORTAL_HOST, ResponseSpec, encode, response_build, sign


def test_the_same_valid_response_posted_twice_is_accepted_once(portal_client, forge_idp):
    posted = encode(sign(response_build(ResponseSpec(login_start(portal_client))), forge_idp.rsa))
    first = acs_post(portal_client, posted)
    assert refusal_code(first) is None and is_logged_in(portal_client)

    replayer = Client(HTTP_HOST=PORTAL_HOST)  # e.g. an attacker who captured the POST
    second = acs_post(replayer, posted)
    assert refusal_code(second) == "replay"
    assert not is_logged_in(replayer)


def test_a_replay_in_the_same_browser_is_refused_as_a_replay(portal_client, forge_idp):
    posted = encode(sign(response_build(ResponseSpec(login_start(portal_client))), forge_idp.rsa))
    acs_post(portal_client, posted)
    assert refusal_code(acs_post(portal_client, posted)) == "replay"

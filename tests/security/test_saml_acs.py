"""The SAML assertion consumer stores nothing for a post it has no reason to process, and what one
address can make the portal store is bounded (issue 16, point 1).

The review's attack: an anonymous 2.4 MB POST to ``/accounts/saml/eidas/acs/`` created a session row of
that size and 1.7 MB of cache. Each test counts the session rows and the cache entries around the post.
"""

from __future__ import annotations

import base64

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.test import Client

from accounts.client_address import client_address
from tests.accounts.conftest import SAML_LIBRARIES_UTCNOW, acs_post, is_logged_in, login_start, refusal_code
from tests.accounts.forge import PORTAL_HOST, ResponseSpec, encode, response_build, sign

pytestmark = [pytest.mark.django_db, pytest.mark.filterwarnings(SAML_LIBRARIES_UTCNOW)]

ACS = "/accounts/saml/eidas/acs/"
LOGIN = "/accounts/saml/eidas/login/"


def _cache_keys() -> set[str]:
    """Every entry in the cache the portal uses (the file cache of the embedded set-up, or Redis)."""
    default = caches["default"]
    backend = type(default).__name__
    if backend == "FileBasedCache":
        return set(default._list_cache_files())  # type: ignore[attr-defined]
    if backend == "RedisCache":
        return {key.decode() for key in default._cache.get_client().keys("*")}  # type: ignore[attr-defined]
    pytest.fail(f"no way to list the entries of a {backend}")


def _stored() -> tuple[int, set[str], dict[str, str]]:
    return (
        Session.objects.count(),
        _cache_keys(),
        dict(Session.objects.values_list("session_key", "session_data")),
    )


def test_an_oversized_post_is_refused_before_anything_is_stored(portal_client):
    login_start(portal_client)  # a login is pending in this browser: only the size is wrong
    before = _stored()
    junk = base64.b64encode(b"<samlp:Response>" + b"A" * 1_800_000).decode()  # 2.4 MB, as in the review
    answer = portal_client.post(ACS, {"SAMLResponse": junk})
    assert answer.status_code == 413
    assert refusal_code(answer) == "too_large"
    assert _stored() == before  # no new row, no row grown, no cache entry


def test_an_anonymous_post_is_refused_before_anything_is_stored(forged_sp, forge_idp):
    # A well-formed, correctly signed response, from a browser that started no login.
    posted = encode(sign(response_build(ResponseSpec("_some-request-id")), forge_idp.rsa))
    stranger = Client(HTTP_HOST=PORTAL_HOST)
    before = _stored()
    answer = stranger.post(ACS, {"SAMLResponse": posted})
    assert answer.status_code == 403 and refusal_code(answer) == "unsolicited"
    assert _stored() == before
    assert "sessionid" not in answer.cookies


def test_a_post_answering_another_request_is_refused_before_anything_is_stored(portal_client, forge_idp):
    login_start(portal_client)
    posted = encode(sign(response_build(ResponseSpec("_not-this-browsers-request")), forge_idp.rsa))
    before = _stored()
    answer = portal_client.post(ACS, {"SAMLResponse": posted})
    assert refusal_code(answer) == "unknown_request"
    assert _stored() == before


def test_the_idp_post_reaches_the_session_of_the_browser_that_started_the_login(portal_client, forge_idp):
    # What a real node's cross-site POST looks like: the browser withholds its SameSite=Lax session cookie,
    # and sends only the pending-login cookie, scoped to the ACS.
    request_id = login_start(portal_client)
    pending = portal_client.cookies["oots_eidas_login"]
    assert pending["path"] == ACS and pending["httponly"]
    del portal_client.cookies["sessionid"]
    answer = acs_post(portal_client, encode(sign(response_build(ResponseSpec(request_id)), forge_idp.rsa)))
    assert refusal_code(answer) is None
    assert is_logged_in(portal_client)


def test_the_pending_login_cookie_crosses_sites_only_over_https(portal_client, settings):
    settings.SESSION_COOKIE_SECURE = True
    answer = portal_client.post(LOGIN, secure=True)
    cookie = answer.cookies["oots_eidas_login"]
    assert (cookie["samesite"], bool(cookie["secure"])) == ("None", True)


def test_login_starts_from_one_address_are_limited(forged_sp, settings):
    settings.OOTS_LOGIN_RATE_LIMIT, settings.OOTS_LOGIN_RATE_WINDOW_SECONDS = 3, 600
    cache.clear()
    for _ in range(3):  # each a new browser: each start keeps a session row
        assert Client(HTTP_HOST=PORTAL_HOST).post(LOGIN).status_code == 200
    rows = Session.objects.count()
    refused = Client(HTTP_HOST=PORTAL_HOST).post(LOGIN)
    assert refused.status_code == 429 and refusal_code(refused) == "rate_limited"
    assert Session.objects.count() == rows
    elsewhere = Client(HTTP_HOST=PORTAL_HOST, REMOTE_ADDR="192.0.2.7")
    assert elsewhere.post(LOGIN).status_code == 200


def test_acs_posts_from_one_address_are_limited(portal_client, forge_idp, settings):
    settings.OOTS_LOGIN_RATE_LIMIT, settings.OOTS_LOGIN_RATE_WINDOW_SECONDS = 2, 600
    cache.clear()
    request_id = login_start(portal_client)
    unsigned = encode(response_build(ResponseSpec(request_id)))  # answers the pending request, badly
    assert [refusal_code(portal_client.post(ACS, {"SAMLResponse": unsigned})) for _ in range(3)] == [
        "unsigned",
        "unsigned",
        "rate_limited",
    ]


@pytest.mark.parametrize(
    ("meta", "proxies", "counted"),
    [
        ({"REMOTE_ADDR": "198.51.100.4"}, 0, "198.51.100.4"),
        # Behind one proxy: the address it appended, not what the client wrote in front of it.
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.4"}, 1, "198.51.100.4"),
        ({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9, 198.51.100.4"}, 0, "10.0.0.2"),
        ({"REMOTE_ADDR": "2001:db8:1:2:aaaa::1"}, 0, "2001:db8:1:2::"),  # one subscriber's /64
        ({"REMOTE_ADDR": ""}, 0, None),  # a request made in process (force_login)
        ({"REMOTE_ADDR": "::ffff:198.51.100.4"}, 0, "198.51.100.4"),
    ],
)
def test_the_client_address_is_the_one_the_trusted_proxies_saw(rf, settings, meta, proxies, counted):
    settings.OOTS_TRUSTED_PROXY_COUNT = proxies
    assert client_address(rf.get("/", **meta)) == counted

"""Sessions keep no personal data, and expired ones are purged daily (issue 16, point 2).

The review's finding: a login abandoned after the test IdP posted its answer left the SAML response
(name, birth date, identifier) in the session table, and nothing ever deleted expired sessions. The test
plays that login over real HTTP against the live server and its eIDAS test IdP, stops where the browser
would be sent on, and reads every session row, base64 values decoded.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime as dt
import json
import re
from typing import Any
from urllib.parse import unquote_plus

import lxml.html
import pytest
import requests
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import purge_expired_sessions
from portal.celery import app as celery_app
from simulators.eidas_idp.personas import PERSONAS
from tests.journey_support import SAML_LIBRARIES_UTCNOW

JAN = PERSONAS["be-jan"]


def _form(page: requests.Response, predicate: Any) -> lxml.html.FormElement:
    document = lxml.html.fromstring(page.text, base_url=page.url)
    return next(form for form in document.forms if predicate(form))


_BASE64_RUN = re.compile(r"[A-Za-z0-9+/]{64,}={0,2}")


def _texts(value: Any) -> list[str]:
    """Every string in a decoded session, URL-decoded, and what each base64 run in it decodes to (a SAML
    response may sit whole in a value, or inside a stored form body)."""
    if isinstance(value, dict):
        return [text for item in value.items() for text in _texts(list(item))]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    if not isinstance(value, str):
        return [json.dumps(value, default=str)]
    plain = unquote_plus(value)
    found = [value, plain]
    for run in _BASE64_RUN.findall(plain):
        with contextlib.suppress(binascii.Error, ValueError):
            found.append(base64.b64decode(run, validate=True).decode("utf-8", "replace"))
    return found


def _personal_data_in_sessions() -> list[str]:
    markers = {
        "given name": JAN.given_name,
        "family name": JAN.family_name,
        "identifier": JAN.person_identifier.rsplit("/", 1)[-1],
        "birth date": JAN.date_of_birth,
    }
    found = []
    for row in Session.objects.all():
        texts = [*_texts(SessionStore().decode(row.session_data)), row.session_data]
        found += [
            f"{what} in session {row.session_key[:6]}…"
            for what, m in markers.items()
            if any(m in t for t in texts)
        ]
    return found


@pytest.mark.filterwarnings(SAML_LIBRARIES_UTCNOW)
@pytest.mark.django_db(transaction=True)
def test_a_login_abandoned_after_the_idp_answered_leaves_no_personal_data_in_sessions(live_server):
    browser = requests.Session()
    page = browser.get(f"{live_server.url}/accounts/login/")
    start = _form(page, lambda form: form.action.endswith("/accounts/saml/eidas/login/"))
    page = browser.post(start.action, data={**dict(start.form_values()), "loa": "substantial"})
    to_idp = _form(page, lambda form: form.get("id") == "saml-post-form")
    page = browser.post(to_idp.action, data=dict(to_idp.form_values()))
    choice = _form(page, lambda form: form.action.endswith("/sim/eidas/authenticate/"))
    page = browser.post(
        choice.action, data={**dict(choice.form_values()), "persona": "be-jan", "loa": "substantial"}
    )
    to_portal = _form(page, lambda form: form.get("id") == "saml-response-form")
    fields = dict(to_portal.form_values())
    assert JAN.family_name in base64.b64decode(fields["SAMLResponse"]).decode()  # the answer carries them
    # The browser posts the answer and goes no further (closed tab, lost connection, back button).
    answer = browser.post(to_portal.action, data=fields, allow_redirects=False)
    assert answer.status_code in (302, 303)

    assert Session.objects.exists()
    assert _personal_data_in_sessions() == []


@pytest.mark.django_db
def test_beat_purges_expired_sessions_daily():
    entry = next(e for e in django_settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("sessions"))
    assert entry["schedule"] == 24 * 3600.0
    celery_app.loader.import_default_modules()
    assert (
        celery_app.tasks[entry["task"]].name
        == purge_expired_sessions.name
        == "accounts.tasks.purge_expired_sessions"
    )

    now = timezone.now()
    expired = SessionStore()
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(expire_date=now - dt.timedelta(seconds=1))
    alive = SessionStore()
    alive.create()
    assert purge_expired_sessions() == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [alive.session_key]
    assert purge_expired_sessions() == 0  # a second run finds nothing more

"""Security headers on every kind of page, and Django's deployment checks with production settings."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.urls import reverse

from accounts.eidas.loa import SESSION_LOA_KEY
from procedures.models import Application, Procedure
from tests.conftest import REPO_ROOT
from tests.factories import add_field, make_citizen, make_eidas_identity, make_owner

pytestmark = pytest.mark.django_db

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
_INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.IGNORECASE)
_STYLE_ATTRIBUTE = re.compile(r"\sstyle=", re.IGNORECASE)


def _pages(client):
    procedure = Procedure.objects.get(code="T2")
    add_field(procedure, "programme")
    citizen = make_citizen()
    application = Application.objects.create(user=citizen, procedure=procedure)
    yield "home", client.get(reverse("procedures:home"))
    yield "procedure", client.get(reverse("procedures:procedure", args=["T2"]))
    yield "login", client.get(reverse("accounts:login"))
    make_eidas_identity(citizen)
    client.force_login(citizen)
    session = client.session
    session[SESSION_LOA_KEY] = "substantial"
    session.save()
    yield "form", client.get(reverse("procedures:journey_step", args=[application.reference, "answers"]))
    yield "my applications", client.get(reverse("procedures:applications"))
    client.force_login(make_owner())
    yield "admin", client.get(reverse("admin:procedures_procedure_change", args=[procedure.pk]))


def test_every_page_sends_a_strict_content_security_policy_and_the_usual_headers(client):
    for name, response in _pages(client):
        assert response.status_code == 200, name
        policy = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, name
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, name
        assert response["X-Frame-Options"] == "DENY", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["X-Content-Type-Options"] == "nosniff", name


def test_portal_pages_carry_no_inline_script_handler_or_style(client):
    for name, response in _pages(client):
        if name == "admin":
            continue  # Django's admin templates are Django's; the CSP above still applies to them
        html = response.content.decode()
        assert not _INLINE_SCRIPT.search(html), name
        assert not _INLINE_HANDLER.search(html), name
        assert not _STYLE_ATTRIBUTE.search(html), name


def test_hsts_is_sent_over_https(client, settings):
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_SSL_REDIRECT = False
    response = client.get(reverse("procedures:home"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_deployment_checks_pass_with_production_settings():
    env = {
        **{
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DEBUG", "OOTS_DEV_LOGIN", "OOTS_SIMULATORS", "DJANGO_"))
        },
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "OOTS_AUDIT_SUBJECT_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "portal.example.gov",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout

"""Unsafe production settings: named by ``manage.py check --deploy``, refused by the servers at start, and
the provider simulator's preview returns only to the portal (issue 16, point 5).

The review's finding: with ``DEBUG`` off, ``OOTS_SIMULATORS=1`` fell back to the public demo passwords and
trusted the test IdP, plain-http preview addresses were accepted, and ``check --deploy`` reported nothing.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from exchanges.locations import preview_location_allowed
from portal import demo_secrets
from simulators.evidence_provider.models import Decision, PreviewSession, ProviderRequest
from tests.conftest import REPO_ROOT

SAFE = {
    "DEBUG": False,
    "SECRET_KEY": "a-production-secret-" + "x" * 40,
    "OOTS_SIMULATORS": False,
    "EIDAS_USE_TEST_IDP": False,
    "EIDAS_IDP_METADATA": "https://eidas-node.example.gov/metadata",
    "EIDAS_IDP_METADATA_CERT": "",
    "OOTS_AP_PASSWORD": "a-real-plugin-password",
    "OOTS_BACKEND_PASSWORD": "a-real-backend-password",
    "OOTS_DEV_LOGIN": False,
    "EIDAS_SP_GENERATE_KEYS": False,
    "OOTS_PREVIEW_ALLOW_LOOPBACK_HTTP": False,
    "OOTS_BACKOFFICE_ALLOW_LOOPBACK_HTTP": False,
    "OOTS_CS_API_VERSION": "2.0",
    "OOTS_CS_SIGNATURE_MODE": "required",
    "OOTS_AP_VERIFY_TLS": True,
    "OOTS_STAFF_OTP_REQUIRED": True,
    "OOTS_AP_URL": "https://ap.example.gov/domibus/services/wsplugin",
    "OOTS_CS_EB_URL": "https://cs.example.eu/eb",
    "OOTS_CS_DSD_URL": "https://cs.example.eu/dsd",
    "OOTS_AUDIT_SUBJECT_KEY": "an-audit-subject-key-" + "k" * 40,
}

UNSAFE = [
    ("oots.E001", "OOTS_SIMULATORS", {"OOTS_SIMULATORS": True}),
    ("oots.E002", "test IdP", {"EIDAS_USE_TEST_IDP": True}),
    ("oots.E002", "test IdP", {"EIDAS_IDP_METADATA": "https://sim.example.test/sim/eidas/metadata/"}),
    ("oots.E003", "OOTS_AP_PASSWORD", {"OOTS_AP_PASSWORD": demo_secrets.AP_PASSWORD}),
    ("oots.E004", "OOTS_BACKEND_PASSWORD", {"OOTS_BACKEND_PASSWORD": demo_secrets.BACKEND_PASSWORD}),
    ("oots.E005", "OOTS_DEV_LOGIN", {"OOTS_DEV_LOGIN": True}),
    ("oots.E006", "SECRET_KEY", {"SECRET_KEY": demo_secrets.DEV_SECRET_KEY}),
    ("oots.E007", "EIDAS_SP_GENERATE_KEYS", {"EIDAS_SP_GENERATE_KEYS": True}),
    ("oots.E008", "OOTS_PREVIEW_ALLOW_LOOPBACK_HTTP", {"OOTS_PREVIEW_ALLOW_LOOPBACK_HTTP": True}),
    ("oots.E009", "EIDAS_IDP_METADATA", {"EIDAS_IDP_METADATA": "http://eidas-node.example.gov/metadata"}),
    ("oots.E010", "OOTS_CS_SIGNATURE_MODE", {"OOTS_CS_SIGNATURE_MODE": "warn"}),
    ("oots.E011", "OOTS_AP_VERIFY_TLS", {"OOTS_AP_VERIFY_TLS": False}),
    ("oots.E012", "OOTS_BACKOFFICE_ALLOW_LOOPBACK_HTTP", {"OOTS_BACKOFFICE_ALLOW_LOOPBACK_HTTP": True}),
    ("oots.E013", "OOTS_AUDIT_SUBJECT_KEY", {"OOTS_AUDIT_SUBJECT_KEY": ""}),
    ("oots.E013", "OOTS_AUDIT_SUBJECT_KEY", {"OOTS_AUDIT_SUBJECT_KEY": "too-short"}),
    ("oots.E013", "OOTS_AUDIT_SUBJECT_KEY", {"OOTS_AUDIT_SUBJECT_KEY": demo_secrets.AUDIT_SUBJECT_KEY}),
]


def _deploy_check() -> str:
    """What ``manage.py check --deploy`` prints (our checks only: Django's own are tested elsewhere)."""
    try:
        call_command("check", "--deploy", "--tag", "oots_production", "--fail-level", "ERROR")
    except SystemCheckError as exc:
        return str(exc)
    return ""


def test_safe_production_settings_pass(settings):
    for name, value in SAFE.items():
        setattr(settings, name, value)
    assert _deploy_check() == ""


@pytest.mark.parametrize(("check_id", "named", "unsafe"), UNSAFE, ids=[f"{c}-{n}" for c, n, _ in UNSAFE])
def test_each_unsafe_setting_is_an_error_naming_it(settings, check_id, named, unsafe):
    for name, value in {**SAFE, **unsafe}.items():
        setattr(settings, name, value)
    printed = _deploy_check()
    errors = [line for line in printed.splitlines() if "(oots.E" in line]
    assert len(errors) == 1 and f"({check_id})" in errors[0] and named in errors[0], printed


def test_the_settings_are_the_demos_business_when_debug_is_on(settings):
    for name, value in {**SAFE, **dict(u for _, _, unsafe in UNSAFE for u in unsafe.items())}.items():
        setattr(settings, name, value)
    settings.DEBUG = True
    assert _deploy_check() == ""


def _production_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DEBUG", "OOTS_", "EIDAS_", "DJANGO_", "SILENCED_", "CELERY_"))
    }
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "OOTS_AUDIT_SUBJECT_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "portal.example.gov",
        "OOTS_VAR_DIR": os.environ["OOTS_VAR_DIR"],
        **extra,
    }


def _run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_manage_py_check_deploy_names_every_unsafe_setting_of_a_demo_configuration():
    result = _run([sys.executable, "manage.py", "check", "--deploy"], _production_env(OOTS_SIMULATORS="1"))
    assert result.returncode != 0
    for check_id, named in [
        ("oots.E001", "OOTS_SIMULATORS"),
        ("oots.E002", "test IdP"),
        ("oots.E003", "OOTS_AP_PASSWORD"),
        ("oots.E004", "OOTS_BACKEND_PASSWORD"),
        ("oots.E007", "EIDAS_SP_GENERATE_KEYS"),
        ("oots.E008", "OOTS_PREVIEW_ALLOW_LOOPBACK_HTTP"),
    ]:
        assert f"({check_id}) " in result.stderr and named in result.stderr, check_id


def test_gunicorns_application_refuses_to_load_with_an_unsafe_setting():
    load = [sys.executable, "-c", "import portal.wsgi"]
    refused = _run(load, _production_env(OOTS_BACKEND_PASSWORD=demo_secrets.BACKEND_PASSWORD))
    assert refused.returncode != 0
    assert "refuses to start" in refused.stderr and "(oots.E004) OOTS_BACKEND_PASSWORD" in refused.stderr
    # Named in SILENCED_SYSTEM_CHECKS, the same setting is a deliberate exception and the server starts.
    accepted = _run(
        load,
        _production_env(
            OOTS_BACKEND_PASSWORD=demo_secrets.BACKEND_PASSWORD, SILENCED_SYSTEM_CHECKS="oots.E004"
        ),
    )
    assert accepted.returncode == 0, accepted.stderr


def test_a_celery_worker_refuses_to_start_with_an_unsafe_setting(tmp_path):
    celery = os.path.join(os.path.dirname(sys.executable), "celery")
    env = _production_env(OOTS_AP_VERIFY_TLS="0", CELERY_BROKER_URL="memory://")
    result = _run([celery, "-A", "portal", "worker", "--pool", "solo", "--loglevel", "INFO"], env)
    assert result.returncode != 0
    assert "(oots.E011) OOTS_AP_VERIFY_TLS" in result.stderr + result.stdout


@pytest.mark.parametrize(
    ("url", "loopback_allowed", "allowed"),
    [
        ("https://provider.example/preview/1", False, True),
        ("http://127.0.0.1:8000/sim/ep/preview/1", True, True),  # a demo on one machine
        ("http://127.0.0.1:8000/sim/ep/preview/1", False, False),  # production
        ("http://localhost/preview", False, False),
        ("http://provider.example/preview/1", True, False),
    ],
)
def test_plain_http_preview_addresses_only_for_a_demo(settings, url, loopback_allowed, allowed):
    settings.OOTS_PREVIEW_ALLOW_LOOPBACK_HTTP = loopback_allowed
    assert preview_location_allowed(url) is allowed


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("returnurl", "followed"),
    [
        ("https://evil.example/steal", False),
        ("http://testserver/exchanges/return/abc/", True),  # the portal's own return view, on its host
        ("https://portal.example.gov/exchanges/return/abc/", True),  # on OOTS_PUBLIC_BASE_URL
        ("http://testserver/admin/", False),  # the portal's host, but not a return address
        ("https://portal.example.gov.evil.example/exchanges/return/abc/", False),
        ("https://user@evil.example@portal.example.gov/exchanges/return/abc/", False),
        ("javascript:alert(1)", False),
    ],
)
def test_the_provider_simulator_sends_users_back_only_to_the_portals_return_addresses(
    client, settings, returnurl, followed
):
    settings.OOTS_PUBLIC_BASE_URL = "https://portal.example.gov"
    first = ProviderRequest.objects.create(
        message_id="m1", scenario="preview", scenario_source="test", regrep=b""
    )
    PreviewSession.objects.create(token="t0k3n", first_request=first, decision=Decision.ACCEPTED)
    answer = client.post("/sim/ep/preview/t0k3n/", {"decision": "accept", "returnurl": returnurl})
    if followed:
        assert (answer.status_code, answer["Location"]) == (302, returnurl)
    else:
        assert answer.status_code == 200 and not answer.has_header("Location")

"""Settings that are unsafe in production: reported by ``manage.py check --deploy``, and refused at start.

Each check looks at the value the portal actually runs with (after ``portal.settings`` derived it), only
when ``DEBUG`` is off: the demo and the tests use these settings on purpose. An error (``oots.E…``) stops
gunicorn (``portal.wsgi``), the Celery worker and beat (``portal.celery``) with the list of what is wrong;
a warning (``oots.W…``) is only reported. A deployment that needs one of them anyway (a test environment
with the simulators and ``DEBUG`` off) names its id in ``SILENCED_SYSTEM_CHECKS``: a deliberate, visible
exception rather than a silent one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from portal import demo_secrets

TAG = "oots_production"

_SECRET_HINT = "Set it from a secret store (the variable, or <NAME>_FILE naming a file)."  # noqa: S105


def _error(number: int, msg: str, hint: str) -> checks.Error:
    return checks.Error(msg, hint=hint, id=f"oots.E{number:03d}")


def _warning(number: int, msg: str, hint: str) -> checks.Warning:
    return checks.Warning(msg, hint=hint, id=f"oots.W{number:03d}")


def _is_plain_http(url: str) -> bool:
    return urlsplit(url).scheme == "http"


def _production_problems() -> Iterable[checks.CheckMessage]:
    if settings.OOTS_SIMULATORS:
        yield _error(
            1,
            "OOTS_SIMULATORS is on with DEBUG off: the simulated eIDAS IdP, Common Services, access point "
            "and provider answer under /sim/, and their public demo secrets are trusted.",
            "Unset OOTS_SIMULATORS (or set it to 0) in production.",
        )
    idp_metadata = str(settings.EIDAS_IDP_METADATA)
    if settings.EIDAS_USE_TEST_IDP or "/sim/eidas/" in urlsplit(idp_metadata).path:
        yield _error(
            2,
            "The eIDAS login trusts the test IdP (EIDAS_IDP_METADATA is empty with the simulators on, or "
            "names /sim/eidas/metadata/): anyone can log in as any test person.",
            "Set EIDAS_IDP_METADATA to the national eIDAS node's metadata.",
        )
    if settings.OOTS_AP_PASSWORD and settings.OOTS_AP_PASSWORD == demo_secrets.AP_PASSWORD:
        yield _error(
            3,
            "OOTS_AP_PASSWORD is the public demo password of the access-point simulator.",
            "Set OOTS_AP_PASSWORD to the WS-plugin user's password of your Domibus. " + _SECRET_HINT,
        )
    if settings.OOTS_BACKEND_PASSWORD and settings.OOTS_BACKEND_PASSWORD == demo_secrets.BACKEND_PASSWORD:
        yield _error(
            4,
            "OOTS_BACKEND_PASSWORD is the public demo password: anyone can push notifications to "
            "/oots/backend/.",
            "Set OOTS_BACKEND_PASSWORD to a secret shared with your Domibus only. " + _SECRET_HINT,
        )
    if settings.OOTS_DEV_LOGIN:
        yield _error(
            5,
            "OOTS_DEV_LOGIN is on: a login page hands out test identities without eIDAS.",
            "Unset OOTS_DEV_LOGIN.",
        )
    if settings.SECRET_KEY == demo_secrets.DEV_SECRET_KEY:
        yield _error(
            6,
            "SECRET_KEY is the development default, which is public: sessions and signed addresses can be "
            "forged.",
            "Set SECRET_KEY (python -c 'import secrets; print(secrets.token_urlsafe(50))'). " + _SECRET_HINT,
        )
    if settings.EIDAS_SP_GENERATE_KEYS:
        yield _error(
            7,
            "EIDAS_SP_GENERATE_KEYS is on: a missing SP key is replaced by a fresh self-signed one that the "
            "eIDAS node does not know, instead of stopping the login.",
            "Unset EIDAS_SP_GENERATE_KEYS and set EIDAS_SP_CERT / EIDAS_SP_KEY to the key pair registered "
            "with the node.",
        )
    if settings.OOTS_PREVIEW_ALLOW_LOOPBACK_HTTP:
        yield _error(
            8,
            "OOTS_PREVIEW_ALLOW_LOOPBACK_HTTP is on: preview and return addresses in plain http (to the "
            "citizen's own machine) are accepted.",
            "Unset OOTS_PREVIEW_ALLOW_LOOPBACK_HTTP: providers' preview addresses must be https.",
        )
    if settings.OOTS_BACKOFFICE_ALLOW_LOOPBACK_HTTP:
        yield _error(
            12,
            "OOTS_BACKOFFICE_ALLOW_LOOPBACK_HTTP is on: back-office webhooks in plain http (to this machine) "
            "are accepted.",
            "Unset OOTS_BACKOFFICE_ALLOW_LOOPBACK_HTTP: webhooks that carry applications must be https.",
        )
    if _is_plain_http(idp_metadata) and not settings.EIDAS_IDP_METADATA_CERT:
        yield _error(
            9,
            "EIDAS_IDP_METADATA is fetched over plain http with no signature check: whoever is on the path "
            "chooses the keys the eIDAS login trusts.",
            "Use an https address, or set EIDAS_IDP_METADATA_CERT to check the metadata's signature.",
        )
    if settings.OOTS_CS_API_VERSION == "2.0" and settings.OOTS_CS_SIGNATURE_MODE != "required":
        yield _error(
            10,
            f"OOTS_CS_SIGNATURE_MODE is {settings.OOTS_CS_SIGNATURE_MODE!r}: unsigned or forged Common "
            "Services answers (which providers to send citizens' requests to) are accepted.",
            "Set OOTS_CS_SIGNATURE_MODE=required and OOTS_CS_TRUSTED_CERTS.",
        )
    if not settings.OOTS_AP_VERIFY_TLS:
        yield _error(
            11,
            "OOTS_AP_VERIFY_TLS is off: the access point's certificate is not checked, so the plugin "
            "password and citizens' requests go to whoever answers.",
            "Set OOTS_AP_VERIFY_TLS=1 (give the access point a certificate the portal trusts).",
        )
    audit_key = settings.OOTS_AUDIT_SUBJECT_KEY
    if len(audit_key) < 32 or audit_key == demo_secrets.AUDIT_SUBJECT_KEY:
        yield _error(
            13,
            "OOTS_AUDIT_SUBJECT_KEY is missing, shorter than 32 characters or the public demo key: the audit "
            "trail cannot record who an exchange was about, or anyone can link its references to people.",
            "Set OOTS_AUDIT_SUBJECT_KEY to a random secret (python -c 'import secrets; "
            "print(secrets.token_urlsafe(48))') and never change it. " + _SECRET_HINT,
        )
    if not settings.OOTS_STAFF_OTP_REQUIRED:
        yield _warning(
            1,
            "OOTS_STAFF_OTP_REQUIRED is off: staff log in to /admin/ with a password alone.",
            "Set OOTS_STAFF_OTP_REQUIRED=1 and enrol each staff member (manage.py staff_totp_enrol USER), "
            "or protect /admin/ with a second factor in front of the portal.",
        )
    for name in ("OOTS_AP_URL", "OOTS_CS_EB_URL", "OOTS_CS_DSD_URL"):
        if _is_plain_http(str(getattr(settings, name))):
            yield _warning(
                2,
                f"{name} is plain http: what the portal sends and receives there can be read and changed "
                "on the way.",
                f"Use an https address for {name}.",
            )


@checks.register(checks.Tags.security, TAG, deploy=True)
def production_settings_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.DEBUG:
        return []
    return list(_production_problems())


def unsafe_start_errors() -> list[checks.CheckMessage]:
    """The errors of the production checks that are not silenced (what refuses a start)."""
    messages = checks.run_checks(tags=[TAG], include_deployment_checks=True)
    return [m for m in messages if m.is_serious(checks.ERROR) and not m.is_silenced()]


def refuse_unsafe_start(what: str) -> None:
    """Raise ``ImproperlyConfigured`` naming every unsafe setting; called as each server starts."""
    errors = unsafe_start_errors()
    if errors:
        listed = "\n".join(f"  {error}" for error in errors)  # each with its hint
        raise ImproperlyConfigured(
            f"{what} refuses to start with DEBUG off and these unsafe settings:\n{listed}\n"
            "(manage.py check --deploy lists them; SILENCED_SYSTEM_CHECKS=<id> accepts one deliberately)"
        )

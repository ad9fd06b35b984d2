"""Admin logins cannot be guessed: lockout per user and address, logged; staff confirm with a TOTP code
when ``OOTS_STAFF_OTP_REQUIRED`` is on (issue 16, point 3).

The review's finding: fifteen wrong passwords then the right one were all accepted without delay.
"""

from __future__ import annotations

import io
import logging

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_owner

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "owner-password-1234"


def _login(client: Client, username: str, password: str, **extra: str):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/", **extra})


def _in_admin(client: Client) -> bool:
    return client.get("/admin/").status_code == 200


def test_wrong_passwords_lock_the_user_out_from_that_address_and_the_lockout_is_logged(settings, caplog):
    cache.clear()  # the lockout is logged once per cool-off: no record left by an earlier run
    owner = make_owner(PASSWORD)
    attacker = Client(REMOTE_ADDR="203.0.113.5")
    with caplog.at_level(logging.WARNING, logger="accounts.lockout"):
        answers = [_login(attacker, owner.username, f"guess-{n}").status_code for n in range(15)]
    assert answers[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (
        settings.AXES_FAILURE_LIMIT - 1
    )  # form again
    assert set(answers[settings.AXES_FAILURE_LIMIT - 1 :]) == {429}
    locked = _login(attacker, owner.username, PASSWORD)  # the right password, too late
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert not _in_admin(attacker)
    [record] = [r for r in caplog.records if r.name == "accounts.lockout"]
    assert (record.username, record.client_address) == (owner.username, "203.0.113.5")


def test_the_lockout_does_not_keep_the_owner_out_from_their_own_address(settings):
    owner = make_owner(PASSWORD)
    attacker = Client(REMOTE_ADDR="203.0.113.5")
    for n in range(settings.AXES_FAILURE_LIMIT):
        _login(attacker, owner.username, f"guess-{n}")
    the_owner = Client(REMOTE_ADDR="198.51.100.20")
    _login(the_owner, owner.username, PASSWORD)
    assert _in_admin(the_owner)


def test_staff_need_a_code_from_their_authenticator_when_required(settings):
    settings.OOTS_STAFF_OTP_REQUIRED = True
    owner = make_owner(PASSWORD)
    device = TOTPDevice.objects.create(user=owner, name="phone", confirmed=True)

    password_only = Client()
    _login(password_only, owner.username, PASSWORD)
    assert not _in_admin(password_only)

    with_code = Client()
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    _login(with_code, owner.username, PASSWORD, otp_device=device.persistent_id, otp_token=code)
    assert _in_admin(with_code)

    wrong_code = Client()
    _login(wrong_code, owner.username, PASSWORD, otp_device=device.persistent_id, otp_token="000000")
    assert not _in_admin(wrong_code)


def test_a_session_logged_in_with_a_password_only_loses_the_admin_once_codes_are_required(settings):
    owner = make_owner(PASSWORD)
    client = Client()
    _login(client, owner.username, PASSWORD)
    assert _in_admin(client)
    settings.OOTS_STAFF_OTP_REQUIRED = True
    assert not _in_admin(client)


def test_staff_totp_enrol_gives_the_user_a_device_and_prints_its_address():
    owner = make_owner(PASSWORD)
    out = io.StringIO()
    call_command("staff_totp_enrol", owner.username, stdout=out)
    device = TOTPDevice.objects.get(user=owner)
    assert device.confirmed
    assert device.config_url in out.getvalue()
    assert out.getvalue().startswith(("\x1b", " ", "█", "▀", "▄"))  # the QR code comes first

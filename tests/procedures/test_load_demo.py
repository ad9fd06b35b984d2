"""``manage.py load_demo``: two authorities with an owner and a case worker each, their generated passwords
in ``var/demo-credentials.json`` (readable by its owner only), the procedures spread across the two."""

from __future__ import annotations

import io
import json
import stat

import pytest
from django.core.management import call_command

from accounts.models import User
from authorities.models import Authority, Membership, Role
from procedures.models import Procedure

pytestmark = pytest.mark.django_db


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def test_two_authorities_with_an_owner_and_a_case_worker_each(var_dir):
    call_command("load_demo", stdout=io.StringIO())
    path = var_dir / "demo-credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    credentials = json.loads(path.read_text())
    assert len(credentials) == 4
    authorities = {entry["authority"] for entry in credentials.values()}
    assert len(authorities) == 2
    for name in authorities:
        authority = Authority.objects.get(name=name)
        roles = sorted(Membership.objects.filter(authority=authority).values_list("role", flat=True))
        assert roles == sorted([Role.OWNER, Role.CASE_WORKER])
        assert authority.procedures.exists()
    for username, entry in credentials.items():
        user = User.objects.get(username=username)
        assert user.check_password(entry["password"])
        assert user.is_staff and not user.is_superuser
    assert Procedure.objects.values("authority").distinct().count() == 2


def test_running_it_again_keeps_the_passwords(var_dir):
    call_command("load_demo", stdout=io.StringIO())
    first = json.loads((var_dir / "demo-credentials.json").read_text())
    call_command("load_demo", stdout=io.StringIO())
    assert json.loads((var_dir / "demo-credentials.json").read_text()) == first
    assert Authority.objects.count() == 2

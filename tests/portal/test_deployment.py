"""The container image (Dockerfile, used by compose.yaml) carries every part of the project the portal
loads: an app missing from it would only show when the image starts."""

from __future__ import annotations

import re

from django.conf import settings

from tests.conftest import REPO_ROOT


def test_the_image_copies_every_local_app_and_the_folders_the_portal_reads():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    copied = set(re.findall(r"^COPY (\S+) \./", dockerfile, flags=re.MULTILINE))
    local_apps = {
        app.split(".")[0]
        # the simulators profile runs the same image
        for app in [*settings.INSTALLED_APPS, *settings.SIMULATOR_APPS]
        if (REPO_ROOT / app.split(".")[0]).is_dir()
    }
    assert {"exchanges", "procedures", "accounts", "simulators"} <= local_apps
    needed = local_apps | {"portal", "oots_client", "templates", "static", "locale", "scripts", "manage.py"}
    assert needed <= copied, f"not copied into the image: {sorted(needed - copied)}"


def test_the_image_installs_the_system_packages_the_portal_needs():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert "xmlsec1" in dockerfile  # python3-saml
    assert "fonts-dejavu-core" in dockerfile  # the receipt PDF's OOTS_RECEIPT_FONT


def test_the_image_prepares_the_receipt_fonts_once_for_all_its_containers():
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    assert re.search(r"^RUN .*manage\.py prepare_receipt_font$", dockerfile.replace("\\\n", ""), re.MULTILINE)

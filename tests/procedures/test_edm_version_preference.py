"""``OOTS_EDM_VERSION_PREFERENCE`` orders the EDM versions the portal asks a provider in (ADR 0008): the
provider's Directory entry says which it reads, the setting which of those comes first."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from oots_client.edm.versions import V1_0, V1_1, V1_2, V2_0
from procedures.request_content import edm_preference, preferred_edm_version

ROOT = Path(__file__).resolve().parents[2]


def test_by_default_a_provider_reading_1_2_and_2_0_is_asked_in_1_2_and_every_version_can_be_asked():
    assert edm_preference() == (V1_2, V2_0, V1_1, V1_0)
    assert preferred_edm_version(["oots-edm:v2.0", "oots-edm:v1.2"]) == V1_2
    for version in (V1_0, V1_1, V1_2, V2_0):
        assert preferred_edm_version([version.identifier]) == version


def test_the_setting_decides_which_of_a_providers_versions_comes_first(settings):
    settings.OOTS_EDM_VERSION_PREFERENCE = ["oots-edm:v2.0", "oots-edm:v1.2"]
    assert preferred_edm_version(["oots-edm:v1.2", "oots-edm:v2.0"]) == V2_0


def test_a_provider_reading_none_of_the_preferred_versions_cannot_be_asked(settings):
    settings.OOTS_EDM_VERSION_PREFERENCE = ["oots-edm:v1.2", "oots-edm:v2.0"]
    assert preferred_edm_version(["oots-edm:v1.0", "oots-edm:v1.1"]) is None


def _settings_with(value: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OOTS_EDM_VERSION_PREFERENCE": value}
    code = "import portal.settings as s; print(s.OOTS_EDM_VERSION_PREFERENCE)"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)


def test_the_setting_takes_short_or_full_names():
    loaded = _settings_with("2.0, v1.0,oots-edm:v1.2")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "['oots-edm:v2.0', 'oots-edm:v1.0', 'oots-edm:v1.2']"


@pytest.mark.parametrize("value", ["v1.2,v9.9", " , "])
def test_an_unknown_version_or_an_empty_list_refuses_to_start(value):
    loaded = _settings_with(value)
    assert loaded.returncode != 0
    assert "ImproperlyConfigured: OOTS_EDM_VERSION_PREFERENCE" in loaded.stderr

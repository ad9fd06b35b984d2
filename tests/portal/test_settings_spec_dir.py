"""OOTS_SPEC_DIR is an optional override of the packaged Schematron: unset by default, refused at start-up
when it names a folder without rules."""

import os
import subprocess
import sys

from tests.conftest import REPO_ROOT

_PRINT = "from portal import settings; print(settings.OOTS_SPEC_DIR)"


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k != "OOTS_SPEC_DIR"}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_no_spec_folder_is_assumed_by_default():
    result = _run(_PRINT)
    assert (result.returncode, result.stdout.strip()) == (0, "None"), result.stderr


def test_a_spec_folder_with_rules_is_taken(tmp_path):
    (tmp_path / "schematron" / "edm-v1.0").mkdir(parents=True)
    result = _run(_PRINT, OOTS_SPEC_DIR=str(tmp_path))
    assert (result.returncode, result.stdout.strip()) == (0, str(tmp_path)), result.stderr


def test_a_spec_folder_without_rules_is_refused_at_start_up(tmp_path):
    result = _run(_PRINT, OOTS_SPEC_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "has no schematron/ folder" in result.stderr

"""Settings refuse unsafe combinations at start-up, in a fresh interpreter as a server would."""

import os
import subprocess
import sys

from tests.conftest import REPO_ROOT


def _import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "OOTS_DEV_LOGIN"}}
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings"],
        cwd=REPO_ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_development_secret_key_is_refused_when_debug_is_off():
    result = _import_settings(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_a_real_secret_key_is_accepted_when_debug_is_off():
    assert _import_settings(DEBUG="0", SECRET_KEY="x" * 50).returncode == 0


def test_the_development_login_is_refused_when_debug_is_off():
    result = _import_settings(DEBUG="0", SECRET_KEY="x" * 50, OOTS_DEV_LOGIN="1")
    assert result.returncode != 0
    assert "OOTS_DEV_LOGIN is only allowed when DEBUG is on" in result.stderr


def test_a_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("y" * 50)
    result = subprocess.run(
        [sys.executable, "-c", "from portal import settings; print(settings.SECRET_KEY)"],
        cwd=REPO_ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "SECRET_KEY"},
            "DEBUG": "0",
            "SECRET_KEY_FILE": str(secret),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "y" * 50, result.stderr

"""A web worker loads its views, and the receipt's PDF library with them, while it boots (importing
``portal.wsgi``, as gunicorn does before it accepts a request), not during the first request."""

import os
import subprocess
import sys

from tests.conftest import REPO_ROOT

LOADED = "sorted(name for name in ('procedures.receipt_pdf', 'reportlab') if name in sys.modules)"
PROBE = f"import sys, portal.wsgi; print({LOADED})"


def test_a_web_worker_loads_the_receipt_pdf_library_when_it_boots(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO_ROOT,
        env={
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "x" * 50,
            "OOTS_AUDIT_SUBJECT_KEY": "k" * 40,
            "OOTS_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == "['procedures.receipt_pdf', 'reportlab']"

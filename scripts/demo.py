"""Run the portal, its Celery worker and beat in the foreground; Ctrl-C stops them all.

Started by ``make demo`` after migrations and demo data. The simulators are served by the portal
itself (``OOTS_SIMULATORS`` is on when ``DEBUG`` is), so there is nothing else to start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ADDRESS = os.environ.get("OOTS_DEMO_ADDRESS", "127.0.0.1:8000")


def commands(var_dir: Path) -> dict[str, list[str]]:
    return {
        "web": [sys.executable, "manage.py", "runserver", ADDRESS, "--noreload"],
        "worker": [str(BIN / "celery"), "-A", "portal", "worker", "--loglevel", "INFO", "--concurrency", "2"],
        "beat": [
            str(BIN / "celery"),
            "-A",
            "portal",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(var_dir / "celerybeat-schedule"),
        ],
    }


def main() -> int:
    os.environ.setdefault("DEBUG", "1")
    var_dir = Path(os.environ.get("OOTS_VAR_DIR", ROOT / "var"))
    var_dir.mkdir(parents=True, exist_ok=True)
    children: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, argv in commands(var_dir).items():
        # Each child in its own process group: the terminal's Ctrl-C reaches only this script,
        # which then stops the children in order.
        children[name] = subprocess.Popen(argv, cwd=ROOT, start_new_session=True)
    print(f"\nOOTS portal demo on http://{ADDRESS}/  (admin: http://{ADDRESS}/admin/) — Ctrl-C stops it.\n")

    exit_code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"{name} exited with status {child.returncode}; stopping the demo.", file=sys.stderr)
                exit_code = 1
                stopping = True
        time.sleep(0.5)

    for child in children.values():
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children.values():
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
    return exit_code


if __name__ == "__main__":
    sys.exit(main())

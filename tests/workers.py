"""Real Celery worker processes for tests: the portal's app on the test database and the run's broker.

A worker subprocess must see the pytest-django test database (``DATABASE_URL`` below), the same
``OOTS_VAR_DIR`` (media, file-system broker) and the live server's URLs; tests pass those in ``env``.
Workers are stopped with SIGTERM to the PID in their own pidfile, never by name.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

WAIT = 60.0  # bound of every wait (a worker starts in about a second)


def database_url() -> str:
    """The pytest-django test database, as the worker subprocess must see it."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"  # the file-based TEST NAME of tests/settings.py
    if connection.vendor != "postgresql":
        pytest.fail(f"no worker set-up for a {connection.vendor} database")
    credentials = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """One ``celery worker`` process of the portal's app; stopped by the PID in its own pidfile."""

    def __init__(self, name: str, folder: Path, env: dict[str, str]) -> None:
        self.name = name
        self.pidfile = folder / f"{name}.pid"
        self.logfile = folder / f"{name}.log"
        celery = Path(sys.executable).with_name("celery")
        argv = [str(celery), "-A", "portal", "worker", "--pool", "solo", "--loglevel", "INFO"]
        argv += ["--hostname", f"{name}@%h", "--pidfile", str(self.pidfile), "--without-mingle"]
        argv += ["--without-gossip", "--without-heartbeat"]
        with self.logfile.open("wb") as log:
            self.process = subprocess.Popen(
                argv, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).parents[1]
            )

    @property
    def pid(self) -> int:
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited early:\n{self.log()}")
            text = self.pidfile.read_text() if self.pidfile.exists() else ""
            if text.strip():
                return int(text)
            time.sleep(0.05)
        raise AssertionError(f"worker {self.name} wrote no pidfile:\n{self.log()}")

    def log(self) -> str:
        return self.logfile.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.process.wait(timeout=WAIT)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.kill(self.pid, signal.SIGTERM)  # warm shutdown, to this worker's own PID only
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=WAIT)

"""Real Celery worker processes for tests: the portal's app on the test database and the run's broker.

A worker subprocess must see the pytest-django test database (``DATABASE_URL`` below), the same
``OOTS_VAR_DIR`` (media, file-system broker) and the live server's URLs: :func:`worker_env` builds that
environment (and points the test process's own settings at the live server too). Workers are stopped with
SIGTERM (or killed with SIGKILL) to the PID in their own pidfile, never by name.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

WAIT = 60.0  # bound of every wait (a worker starts in about a second)

# What a worker logs (INFO) when a task run ends: "Task x[id] succeeded in 0.08s: …", "… retry: Retry in 2s".
_TASK_ENDED = re.compile(rb"\] (?:succeeded in |retry: |raised unexpected)")


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


def worker_env(live_server_url: str, settings: Any, **overrides: object) -> dict[str, str]:
    """The environment of worker subprocesses serving this test, with the simulators on the live server.

    ``settings`` is pytest-django's fixture: the test process (the live server's thread, and sweeps the test
    calls itself) gets the same values. ``overrides`` are further settings, given to both.
    """
    wiring: dict[str, object] = {
        "OOTS_SIMULATOR_BASE_URL": live_server_url,
        "OOTS_AP_URL": f"{live_server_url}/sim/ap/services/wsplugin",
        "OOTS_AP_SIM_BACKEND_URL": f"{live_server_url}/oots/backend/",
        "OOTS_AP_SIM_PUSH": True,
        "OOTS_EP_SIM_DEFAULT_SCENARIO": "immediate",
        **overrides,
    }
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": database_url(),
        "OOTS_VAR_DIR": str(settings.VAR_DIR),  # same media folder and file-system broker
        # Celery's Django fix-up runs the system checks at every worker start (importing every URLconf:
        # about 2 s of CPU); tests that start many workers skip them — the suite checks the project itself.
        "CELERY_SKIP_CHECKS": "1",
    }
    for name, value in wiring.items():
        setattr(settings, name, value)
        env[name] = ("1" if value else "0") if isinstance(value, bool) else str(value)
    return env


class Worker:
    """One ``celery worker`` process of the portal's app; stopped by the PID in its own pidfile."""

    def __init__(self, name: str, folder: Path, env: dict[str, str], queues: str | None = None) -> None:
        self.name = name
        self.pidfile = folder / f"{name}.pid"
        self.logfile = folder / f"{name}.log"
        celery = Path(sys.executable).with_name("celery")
        argv = [str(celery), "-A", "portal", "worker", "--pool", "solo", "--loglevel", "INFO"]
        argv += ["--hostname", f"{name}@%h", "--pidfile", str(self.pidfile), "--without-mingle"]
        argv += ["--without-gossip", "--without-heartbeat", *(["-Q", queues] if queues else [])]
        self._log_offset = 0
        self._tasks_ended = 0
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

    def ready(self) -> bool:
        """Whether it consumes tasks yet (Celery logs "<name>@<host> ready." once connected)."""
        return b" ready." in self.logfile.read_bytes()

    def tasks_ended(self) -> int:
        """How many task runs this worker finished (succeeded, retried or failed), from its log so far."""
        with self.logfile.open("rb") as log:
            log.seek(self._log_offset)
            chunk = log.read()
        complete = chunk.rfind(b"\n") + 1  # a line being written is counted on the next call
        self._tasks_ended += len(_TASK_ENDED.findall(chunk, 0, complete))
        self._log_offset += complete
        return self._tasks_ended

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

"""The process orchestration the benchmarks share: a throw-away PostgreSQL database, the portal under
gunicorn with its simulators, Celery workers on a Redis of the benchmark's own.

Everything runs on loopback. Children are started with their own pidfiles and logs and stopped with
SIGTERM to those PIDs (never by name); the database is dropped and the folder removed on the way out,
also when the benchmark is stopped by SIGTERM or Ctrl-C.

Used by ``bench/exchange.py`` and ``bench/journey.py``::

    with Stack.running(extra_env={...}, web_argv=[...]) as stack:
        stack.start_workers(2)
        stack.setup_django()      # this process now talks to the bench database
        ...
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"
# The access point's plugin user of the simulators' defaults: the control endpoints need it with DEBUG off.
AP_CREDENTIALS = ("portal", "portal-demo-password")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _admin_conninfo(url: str) -> tuple[str, str]:
    """(URL of the server's maintenance database, URL of a fresh bench database on the same server)."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        sys.exit("DATABASE_URL must name a PostgreSQL server (the benchmark is about PostgreSQL and Redis)")
    name = f"oots_bench_{os.getpid()}"
    return urlunsplit(parts._replace(path="/postgres")), urlunsplit(parts._replace(path=f"/{name}"))


def _sql(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def _require_empty_redis(url: str) -> None:
    """Refuse a given Redis database that holds anything: the benchmark flushes no data it did not make."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = int(client.dbsize())  # type: ignore[arg-type]
    finally:
        client.close()
    if keys:
        sys.exit(
            f"BENCH_REDIS_URL={url} holds {keys} keys: the benchmark needs a Redis database of its own and "
            "never flushes one it did not start. Name an empty database, or leave BENCH_REDIS_URL unset "
            "(the benchmark then starts a throw-away redis-server)."
        )


class Process:
    """A child process with its own pidfile and log; stopped with SIGTERM to that PID, never by name."""

    def __init__(
        self, name: str, argv: list[str], env: dict[str, str], folder: Path, pid_option: str = "--pidfile"
    ) -> None:
        self.name = name
        self.log_path = folder / f"{name}.log"
        self.pidfile = folder / f"{name}.pid"
        argv = [*argv, pid_option, str(self.pidfile)]
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)

    @property
    def pid(self) -> int:
        if self.pidfile.exists() and self.pidfile.read_text().strip():
            return int(self.pidfile.read_text())
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, pattern: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.log()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{self.name} did not start:\n{self.log()[-3000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.kill(self.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)


def proc_status(pid: int, field: str) -> int:
    """A ``/proc/<pid>/status`` memory field in bytes (VmRSS, VmHWM)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no {field} for {pid}")


@dataclass
class Stack:
    """The running portal of one benchmark run: its environment, address, folder and children."""

    env: dict[str, str]
    base_url: str
    folder: Path
    processes: list[Process] = field(default_factory=list)
    # The simulators' own server, when they are served apart from the portal (else the portal's address).
    simulator_url: str = ""

    def manage(self, *args: str, quiet: bool = False) -> None:
        output = subprocess.DEVNULL if quiet else None
        subprocess.run(
            [sys.executable, "manage.py", *args], env=self.env, cwd=ROOT, check=True, stdout=output
        )

    def start_web(
        self, extra_argv: list[str], *, base_url: str | None = None, name: str = "gunicorn"
    ) -> Process:
        base_url = base_url or self.base_url
        port = urlsplit(base_url).port
        argv = [str(BIN / "gunicorn"), "portal.wsgi:application", "-b", f"127.0.0.1:{port}", *extra_argv]
        web = Process(name, argv, self.env, self.folder, pid_option="--pid")
        self.processes.append(web)
        up_by = time.monotonic() + 60
        while not self._up(base_url):
            if time.monotonic() > up_by or web.process.poll() is not None:
                raise RuntimeError(f"{name} did not start:\n{web.log()[-3000:]}")
            time.sleep(0.1)
        return web

    @staticmethod
    def _up(base_url: str) -> bool:
        # Not /healthz: it probes the access point, maybe on this very server (its workers all busy).
        try:
            response = requests.get(f"{base_url}/sim/ap/control", auth=AP_CREDENTIALS, timeout=2)
        except requests.RequestException:
            return False
        return response.status_code == 200

    def start_worker(
        self, name: str, env: dict[str, str] | None = None, queue: str = "celery", track: bool = True
    ) -> Process:
        """A Celery worker (solo pool: one task at a time, as a process per core would)."""
        argv = [str(BIN / "celery"), "-A", "portal", "worker", "--pool", "solo", "--loglevel", "INFO"]
        argv += ["--hostname", f"{name}@%h", "-Q", queue, "--without-mingle", "--without-gossip"]
        worker = Process(name, argv, env or self.env, self.folder)
        if track:
            self.processes.append(worker)
        worker.wait_for_log(r"\bready\.", timeout=60)
        return worker

    @staticmethod
    def start_redis(folder: Path, env: dict[str, str]) -> tuple[Process, str]:
        """A throw-away redis-server on a free loopback port (no persistence, files in ``folder``), stopped
        with the other children: nothing of anyone else's Redis is read, written or flushed."""
        server = shutil.which("redis-server")
        if server is None:
            sys.exit("redis-server is not installed: install it, or name an empty Redis in BENCH_REDIS_URL")
        port = free_port()
        argv = [server, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"]
        argv += ["--dir", str(folder)]
        process = Process("redis", argv, env, folder)
        try:
            process.wait_for_log(r"Ready to accept connections", timeout=30)
        except RuntimeError:
            process.stop()
            raise
        return process, f"redis://127.0.0.1:{port}/0"

    def start_workers(self, count: int) -> list[Process]:
        return [self.start_worker(f"worker{n}") for n in range(1, count + 1)]

    def setup_django(self) -> None:
        """Point this process at the bench database (the driver reads and writes it directly)."""
        os.environ.update(self.env)
        import django

        django.setup()

    @classmethod
    @contextmanager
    def running(
        cls,
        *,
        extra_env: dict[str, str] | None = None,
        web_argv: list[str] | None = None,
        before_web: tuple[tuple[str, ...], ...] = (),
        simulator_web_argv: list[str] | None = None,
    ) -> Iterator[Stack]:
        """A migrated database ``oots_bench_<pid>`` and gunicorn serving the portal with its simulators.

        ``DATABASE_URL`` names the PostgreSQL server (default: the local one). Redis: a redis-server the
        benchmark starts and stops (default), or ``BENCH_REDIS_URL``, an empty database it then uses alone
        and leaves as it is (it refuses one holding anything; it flushes nothing). ``before_web``: management
        commands run after ``migrate``, before gunicorn starts.
        ``simulator_web_argv``: serve the simulators (eIDAS IdP, Common Services, access point, provider) from
        a gunicorn of their own with these options, as the remote parties they stand for; the portal then
        never waits on itself (a page calling the Common Services simulator on its own busy workers).
        """
        # Stopped from outside (timeout, kill): still stop the children and drop the database.
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(f"stopped by signal {signum}"))
        admin_url, bench_url = _admin_conninfo(os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL))
        given_redis = os.environ.get("BENCH_REDIS_URL", "")
        if given_redis:
            _require_empty_redis(given_redis)
        folder = Path(tempfile.mkdtemp(prefix="oots-bench-"))
        processes: list[Process] = []
        if given_redis:
            redis_url = given_redis
        else:
            redis_server, redis_url = cls.start_redis(folder, dict(os.environ))
            processes.append(redis_server)  # stopped last (the children are stopped in reverse order)
        base = f"http://127.0.0.1:{free_port()}"
        simulators = f"http://127.0.0.1:{free_port()}" if simulator_web_argv is not None else base
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": bench_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            "OOTS_VAR_DIR": str(folder / "var"),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "OOTS_AUDIT_SUBJECT_KEY": secrets.token_urlsafe(48),
            "SECURE_SSL_REDIRECT": "0",
            "OOTS_SIMULATORS": "1",
            "OOTS_PUBLIC_BASE_URL": base,
            "OOTS_SIMULATOR_BASE_URL": simulators,
            # The test IdP where the simulators are (by default the SP looks for it on its own host).
            **({"EIDAS_IDP_METADATA": f"{simulators}/sim/eidas/metadata/"} if simulators != base else {}),
            "OOTS_EP_SIM_DEFAULT_SCENARIO": "immediate",
            # A test deployment with DEBUG off: the simulators, their demo secrets and test IdP, generated SP
            # keys and http on loopback are what it is for (portal/checks.py would refuse them otherwise).
            "SILENCED_SYSTEM_CHECKS": "oots.E001,oots.E002,oots.E003,oots.E004,oots.E007,oots.E008,oots.E009",
            "LOG_LEVEL": "WARNING",
            # Every simulated citizen logs in from 127.0.0.1: the per-address login limit (issue 16 item 1)
            # would stop them all after 30 logins and measure nothing but refusals.
            "OOTS_LOGIN_RATE_LIMIT": "1000000",
            **(extra_env or {}),
        }
        database = urlsplit(bench_url).path[1:]
        stack = cls(env=env, base_url=base, folder=folder, processes=processes, simulator_url=simulators)
        created = False
        try:
            _sql(admin_url, f'CREATE DATABASE "{database}"')
            created = True
            stack.manage("migrate", "--no-input", "-v", "0")
            for command in before_web:
                stack.manage(*command, quiet=True)
            if simulator_web_argv is not None:
                stack.start_web(simulator_web_argv, base_url=simulators, name="gunicorn-simulators")
            stack.start_web(web_argv if web_argv is not None else ["-w", "3"])
            yield stack
        finally:
            for process in reversed(stack.processes):
                process.stop()
            if "django" in sys.modules:
                from django.conf import settings

                if settings.configured:
                    from django.db import connections

                    connections.close_all()
            if created:
                _sql(admin_url, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            shutil.rmtree(folder, ignore_errors=True)

"""A real DNS server on loopback for tests: Debian's ``dnsmasq`` answering NAPTR records we give it.

Each :class:`DnsServer` is its own ``dnsmasq`` process (no configuration file, no upstream, no hosts file) on
a free port of 127.0.0.1, authoritative for its test zone (``--local``: names of the zone without a record get
NXDOMAIN, as from a real zone). It is stopped with SIGTERM to its own process, never by name. ``restart``
serves other records on the same port (a zone that changed while a client had the old answer cached).
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import dns.exception
import dns.message
import dns.query
import dns.rcode
import pytest

ZONE = "oots.test"
WAIT = 10.0  # bound of the wait for a fresh dnsmasq to answer (it does in milliseconds)


@dataclass(frozen=True)
class Naptr:
    """One NAPTR record: ``name order preference flags service regexp [replacement]``."""

    name: str
    order: int
    preference: int
    flags: str
    service: str
    regexp: str
    replacement: str = ""

    def option(self) -> str:
        fields = [self.name, str(self.order), str(self.preference), self.flags, self.service, self.regexp]
        if self.replacement:
            fields.append(self.replacement)
        return "--naptr-record=" + ",".join(fields)


def dnsmasq_path() -> str:
    """The dnsmasq program (skipped unless OOTS_REQUIRE_DNS=1, as in CI, where its absence is a failure)."""
    found = shutil.which("dnsmasq") or next(
        (p for p in ("/usr/sbin/dnsmasq", "/sbin/dnsmasq") if Path(p).is_file()), None
    )
    if found is None:
        if os.environ.get("OOTS_REQUIRE_DNS") == "1":
            pytest.fail("OOTS_REQUIRE_DNS=1 but dnsmasq is not installed (Debian package dnsmasq-base)")
        pytest.skip("dnsmasq is not installed (Debian package dnsmasq-base): no test DNS server")
    return found


#: Where the test server's port is chosen: below the kernel's ephemeral range (``ip_local_port_range``,
#: 32768-60999 by default). In that range every process's client connections take TCP ports that a UDP
#: probe cannot see (on a busy test machine a UDP-free port there was TCP-busy about once in six), and one
#: could take the port while ``restart`` has dnsmasq down.
PORTS = range(20000, 32768)


def _free_port() -> int:
    """A port of :data:`PORTS` that dnsmasq can bind for both UDP and TCP (as it does, with SO_REUSEADDR
    on TCP); the first of a random sequence, so that concurrent test runs seldom try the same ones."""
    for port in random.sample(PORTS, 50):
        with (
            socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp,
            socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp,
        ):
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                udp.bind(("127.0.0.1", port))
                tcp.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    pytest.fail(f"no port of {PORTS} is free for both UDP and TCP on 127.0.0.1")


class DnsServer:
    def __init__(self, program: str, log_dir: Path) -> None:
        self.program = program
        self.log = log_dir / "dnsmasq.log"
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, records: list[Naptr], *, ttl: int = 300) -> None:
        assert self.process is None, "already running"
        self.log.write_bytes(b"")  # queries() counts what this run was asked
        command = [
            self.program,
            "--keep-in-foreground",
            "--conf-file=/dev/null",
            "--no-resolv",
            "--no-hosts",
            "--no-poll",
            "--pid-file=",
            "--listen-address=127.0.0.1",
            "--bind-interfaces",
            f"--port={self.port}",
            f"--local=/{ZONE}/",
            f"--local-ttl={ttl}",
            f"--log-facility={self.log}",
            "--log-queries",
            *(record.option() for record in records),
        ]
        if os.geteuid() == 0:
            command.append(
                "--user=root"
            )  # no privileges to drop on a test port; "nobody" may not write the log
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL)
        self._wait_until_answering()

    def _wait_until_answering(self) -> None:
        """Polls with a real query until dnsmasq answers (nothing else signals that it is ready)."""
        deadline = time.monotonic() + WAIT
        query = dns.message.make_query(f"ready.{ZONE}", "NAPTR")
        while True:
            assert self.process is not None
            if self.process.poll() is not None:
                pytest.fail(
                    f"dnsmasq exited with {self.process.returncode}: {self.log.read_text(errors='replace')}"
                )
            try:
                answer = dns.query.udp(query, "127.0.0.1", port=self.port, timeout=0.2)
                if answer.rcode() == dns.rcode.NXDOMAIN:
                    return
            except (dns.exception.Timeout, ConnectionRefusedError, OSError):
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"dnsmasq did not answer within {WAIT}s")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=WAIT)
        self.process = None

    def restart(self, records: list[Naptr], *, ttl: int = 300) -> None:
        self.stop()
        self.start(records, ttl=ttl)

    def queries(self, name: str) -> int:
        """How many times ``name`` was asked since the last start (from dnsmasq's query log)."""
        if not self.log.exists():
            return 0
        return sum(
            1 for line in self.log.read_text(errors="replace").splitlines() if f"query[NAPTR] {name} " in line
        )

"""Helpers for tests that drive the simulators for real: a Celery worker in a thread, a loopback
BackendService.

Used by tests/simulators/ and usable by the portal's own integration tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from oots_client.access_point import ebms, soap
from oots_client.access_point.model import AsMessage, PartyId
from oots_client.edm import EvidenceRequest, build_request


@contextmanager
def _sqlite_reads_without_table_locks() -> Iterator[None]:
    """Let readers through while the worker writes, on the test run's in-memory SQLite database.

    Django's in-memory test database is a *shared-cache* SQLite database, where a reader meets a writer's
    table lock at once (SQLITE_LOCKED, which no busy timeout waits for). ``read_uncommitted`` removes the
    readers' locks; two writers at the same time still collide, so tests keep their writes out of the
    worker's way.
    PostgreSQL (CI) needs none of this.
    """
    from django.db import connection
    from django.db.backends.signals import connection_created

    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return

    def enable(sender: object, connection: Any, **kwargs: object) -> None:
        connection.cursor().execute("PRAGMA read_uncommitted = 1")

    connection_created.connect(enable)
    connection.cursor().execute("PRAGMA read_uncommitted = 1")
    try:
        yield
    finally:
        connection_created.disconnect(enable)
        connection.cursor().execute("PRAGMA read_uncommitted = 0")


@contextmanager
def celery_worker() -> Iterator[Any]:
    """A real worker of the portal's Celery app, in a thread (solo pool), polling the broker quickly.

    Needs ``@pytest.mark.django_db(transaction=True)``: tasks are sent on commit and the worker reads what the
    test committed.
    """
    from celery import signals
    from celery.contrib.testing.worker import start_worker
    from django.db import connections

    from portal.celery import app

    def close_thread_connections(**_: object) -> None:
        # Worker processes keep their connection between tasks; this worker is a thread that ends with the
        # test, and a connection it kept would be left open for the garbage collector.
        connections.close_all()

    saved = app.conf.broker_transport_options
    # The embedded worker sets the root logger's level to its own (ERROR); the test process keeps its own.
    root_level = logging.getLogger().level
    if str(app.conf.broker_url).startswith("filesystem://"):
        # the file-system broker polls its folder; once a second is too slow for tests
        app.conf.broker_transport_options = {**(saved or {}), "polling_interval": 0.1}
    signals.task_postrun.connect(close_thread_connections, weak=False)
    try:
        with (
            _sqlite_reads_without_table_locks(),
            start_worker(app, perform_ping_check=False, pool="solo", shutdown_timeout=10.0) as worker,
        ):
            yield worker
    finally:
        signals.task_postrun.disconnect(close_thread_connections)
        app.conf.broker_transport_options = saved
        logging.getLogger().setLevel(root_level)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class LoopbackBackend:
    """A tiny HTTP server standing for the portal's BackendService; answers ``statuses`` in turn, then 200."""

    statuses: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    arrived: threading.Event = field(default_factory=threading.Event)
    url: str = ""

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length)
        self.received.append(Received(handler.path, dict(handler.headers.items()), body))
        status = self.statuses.pop(0) if self.statuses else 200
        if status == 200:
            operation = soap.body_element(soap.parse_envelope(body))
            reply = soap.envelope(operation.makeelement(f"{operation.tag}Response", nsmap=operation.nsmap))
        else:
            reply = b"down for maintenance\n"
        handler.send_response(status)
        handler.send_header("Content-Type", soap.SOAP_CONTENT_TYPE if status == 200 else "text/plain")
        handler.send_header("Content-Length", str(len(reply)))
        handler.end_headers()
        handler.wfile.write(reply)
        if status == 200:
            self.arrived.set()


@contextmanager
def loopback_backend(statuses: list[int] | None = None) -> Iterator[LoopbackBackend]:
    backend = LoopbackBackend(statuses=list(statuses or []))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            backend.answer(self)

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    backend.url = f"http://127.0.0.1:{server.server_address[1]}/oots/backend/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield backend
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def request_message(
    request: EvidenceRequest,
    version: str = "oots-edm:v1.2",
    *,
    conversation_id: str | None = None,
    message_id: str | None = None,
    to_party: str = "AP_DE_SIM_1",
    from_party: str = "AP_BE_01",
) -> AsMessage:
    """An ``ExecuteQueryRequest`` user message as the portal submits it (fresh ids unless given)."""
    if request.request_id == "urn:uuid:4ffb5281-179d-4578-adf2-39fd13ccc797":  # the examples' fixed id
        request = dataclasses.replace(request, request_id=f"urn:uuid:{uuid.uuid4()}")
    corners = ebms.Corners(
        sender_access_point=PartyId(from_party, ebms.PARTY_ID_TYPE),
        receiver_access_point=PartyId(to_party, ebms.PARTY_ID_TYPE),
        original_sender=PartyId(
            request.evidence_requester.identifier.value, request.evidence_requester.identifier.scheme_id
        ),
        final_recipient=PartyId(
            request.evidence_provider.identifier.value, request.evidence_provider.identifier.scheme_id
        ),
    )
    return ebms.oots_message(
        corners=corners,
        action=ebms.ACTION_REQUEST,
        conversation_id=conversation_id or str(uuid.uuid4()),
        regrep=build_request(request, version),
        regrep_cid=f"cid:{uuid.uuid4().hex}@portal.test",
        specification_id=version,
        message_id=message_id or f"{uuid.uuid4()}@portal.test",
        timestamp=dt.datetime.now(dt.UTC),
    )

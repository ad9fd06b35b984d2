"""Personal data never reaches the logs; uploaded documents go with the evidence after the retention period.

The journey test plays the whole immediate scenario (eIDAS login through the test IdP, locate, explicit
request, evidence through the access point and the provider simulator, submit, receipt) against the live
server with a real in-thread worker, every logger at DEBUG (but those the project's ``LOGGING`` deliberately
keeps higher, as ``LOG_LEVEL=DEBUG`` would), and looks for the persona in every record as the log handlers
would write it (message, arguments, extra fields, tracebacks).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import os
import re

import pytest
from django.core.management import call_command
from django.urls import get_resolver
from django.utils import timezone

from portal.logging import JsonFormatter
from procedures.models import Application, ApplicationFile, ApplicationStatus, Procedure
from procedures.tasks import purge_expired_data
from simulators.access_point.testing import celery_worker
from simulators.eidas_idp.personas import PERSONAS
from tests.factories import make_citizen, make_upload
from tests.journey_support import SAML_LIBRARIES_UTCNOW, procedure_with_requirements, wire_to_live_server

JAN = PERSONAS["be-jan"]


def _personal_data_patterns() -> dict[str, re.Pattern[str]]:
    born = dt.date.fromisoformat(JAN.date_of_birth)
    identifier = JAN.person_identifier
    return {
        "given name": re.compile(rf"\b{re.escape(JAN.given_name)}\b"),
        "family name": re.compile(rf"\b{re.escape(JAN.family_name)}\b", re.IGNORECASE),
        "person identifier": re.compile(re.escape(identifier.rsplit("/", 1)[-1])),
        "birth date (ISO)": re.compile(re.escape(born.isoformat())),
        "birth date (dd/mm/yyyy)": re.compile(re.escape(born.strftime("%d/%m/%Y"))),
        "birth date (dd.mm.yyyy)": re.compile(re.escape(born.strftime("%d.%m.%Y"))),
        "birth date (yyyymmdd)": re.compile(re.escape(born.strftime("%Y%m%d"))),
    }


def _pinned_by_the_project(name: str, config: dict[str, object]) -> bool:
    """A logger the project's ``LOGGING`` sets a level for (or a child of one): those levels are part of
    what is tested, as ``LOG_LEVEL=DEBUG`` would leave them."""
    pinned = config.get("loggers") or {}
    return any(name == logger or name.startswith(f"{logger}.") for logger in pinned)  # type: ignore[union-attr]


def _every_logger_at_debug(caplog: pytest.LogCaptureFixture, config: dict[str, object]) -> None:
    assert get_resolver().url_patterns  # imports every view, and so the libraries' loggers
    for name in list(logging.root.manager.loggerDict):
        if not _pinned_by_the_project(name, config):
            caplog.set_level(logging.DEBUG, logger=name)
    # The tests do not apply LOGGING (tests/settings.py): put its levels in place as production has them.
    for name, logger_config in (config.get("loggers") or {}).items():  # type: ignore[attr-defined]
        caplog.set_level(logger_config["level"], logger=name)
    caplog.set_level(logging.DEBUG)  # the root logger and the capture handler (last: it sets the handler)


def _everything_logged(records: list[logging.LogRecord]) -> list[str]:
    """Each record as the plain and the JSON handler would write it."""
    plain = logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    structured = JsonFormatter()
    return [f"{plain.format(record)}\n{structured.format(record)}" for record in records]


@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings(SAML_LIBRARIES_UTCNOW)
def test_a_whole_journey_logs_nothing_of_the_persons_identity(settings, live_server, caplog):
    wire_to_live_server(settings, live_server)
    procedure_with_requirements("T2")
    out = io.StringIO()
    with celery_worker():
        _every_logger_at_debug(caplog, settings.LOGGING)  # once the worker has set up its logging
        call_command(
            "oots_journey",
            "--procedure",
            "T2",
            "--country",
            "DE",
            "--scenario",
            "immediate",
            "--base-url",
            live_server.url,
            "--timeout",
            "30",
            stdout=out,
        )
    assert "journey ok" in out.getvalue()
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED
    logged = _everything_logged(caplog.records)
    assert len(logged) > 50  # the journey was logged, at DEBUG
    leaks = {
        what: [line[:300] for line in logged if pattern.search(line)]
        for what, pattern in _personal_data_patterns().items()
    }
    assert {what: lines for what, lines in leaks.items() if lines} == {}


@pytest.mark.django_db
def test_uploaded_documents_of_applications_closed_past_the_retention_period_are_purged(settings):
    settings.OOTS_EVIDENCE_RETENTION_DAYS = 90
    procedure = Procedure.objects.get(code="T2")
    citizen = make_citizen()
    files = {}
    for state, submitted_days_ago in (("old", 91), ("recent", 10), ("draft", None)):
        application = Application.objects.create(
            user=citizen,
            procedure=procedure,
            status=ApplicationStatus.DRAFT if submitted_days_ago is None else ApplicationStatus.SUBMITTED,
            submitted_at=None
            if submitted_days_ago is None
            else timezone.now() - dt.timedelta(days=submitted_days_ago),
        )
        stored = make_upload(application, "diploma", "diploma.pdf")
        files[state] = (stored.pk, stored.file.path)

    outcome = purge_expired_data()

    assert outcome["application_files"] == 1
    kept = set(ApplicationFile.objects.values_list("pk", flat=True))
    assert kept == {files["recent"][0], files["draft"][0]}
    assert not os.path.exists(files["old"][1])
    assert os.path.exists(files["recent"][1])

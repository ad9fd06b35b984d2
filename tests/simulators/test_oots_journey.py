"""``manage.py oots_journey`` against a live portal with its simulators and a real worker."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from procedures.models import Application, ApplicationStatus
from simulators.access_point.testing import celery_worker
from tests.journey_support import SAML_LIBRARIES_UTCNOW, procedure_with_requirements, wire_to_live_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.filterwarnings(SAML_LIBRARIES_UTCNOW)]


@pytest.fixture(autouse=True)
def _wired(settings, live_server):
    wire_to_live_server(settings, live_server)


def _run(live_server, *args: str) -> str:
    out = io.StringIO()
    try:
        with celery_worker():
            call_command("oots_journey", *args, "--base-url", live_server.url, "--timeout", "30", stdout=out)
    finally:
        print(out.getvalue())  # shown by pytest when the test fails
    return out.getvalue()


def test_the_runner_plays_t2_from_germany_with_the_directory_questions(live_server):
    procedure_with_requirements("T2")
    output = _run(live_server, "--procedure", "T2", "--country", "DE", "--scenario", "additional-input")
    assert "journey ok" in output
    assert "answered" in output
    lines = [line for line in output.splitlines() if " ok " in line]
    assert [line.split()[0] for line in lines][:2] == ["1", "start"]
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


def test_the_runner_shows_the_error_then_uploads_and_submits_when_nothing_is_found(live_server):
    procedure_with_requirements("R1")
    output = _run(live_server, "--procedure", "R1", "--country", "BE", "--scenario", "not-found")
    assert "error shown: No evidence found" in output
    assert "uploaded instead" in output
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


def test_the_runner_exits_non_zero_when_a_step_does_not_end_as_expected(live_server):
    procedure_with_requirements("R1")
    # No Data Service Directory question for the birth/residence evidence of Belgium.
    with pytest.raises(CommandError, match="locate"):
        _run(live_server, "--procedure", "R1", "--country", "BE", "--scenario", "additional-input")


def test_an_unfinished_draft_of_the_persona_is_deleted_first_with_discard_draft(live_server):
    procedure_with_requirements("R1")
    with pytest.raises(CommandError, match="locate"):  # stops after starting: Jan's draft is left behind
        _run(live_server, "--procedure", "R1", "--country", "BE", "--scenario", "additional-input")
    stale = Application.objects.get()  # its providers were chosen: the draft is past the evidence step

    with pytest.raises(CommandError, match="start"):
        _run(live_server, "--procedure", "R1", "--country", "BE", "--scenario", "immediate")
    output = _run(
        live_server, "--procedure", "R1", "--country", "BE", "--scenario", "immediate", "--discard-draft"
    )

    assert f"the unfinished draft {stale.short_reference} deleted" in output
    assert "journey ok" in output
    assert not Application.objects.filter(pk=stale.pk).exists()
    assert Application.objects.get().status == ApplicationStatus.SUBMITTED


def test_after_every_scenario_the_answers_hold_the_forms_fields_only(live_server):
    """What the citizen chose lives in rows (issue 14): ``Application.data`` keeps the form's keys only."""
    from simulators.runners.journey import SCENARIOS

    procedure_with_requirements("T2")
    procedure_with_requirements("R1")
    runs = {
        "immediate": ("R1", "BE"),
        "preview": ("R1", "FR"),
        "preview-refused": ("R1", "FR"),
        "preview-post": ("R1", "FR"),
        "not-found": ("R1", "BE"),
        "two-countries": ("R1", "AT"),
        "additional-input": ("T2", "DE"),
        "representative": ("R1", "BE"),
    }
    assert set(runs) == set(SCENARIOS)
    for scenario, (code, country) in runs.items():
        output = _run(live_server, "--procedure", code, "--country", country, "--scenario", scenario)
        assert "journey ok" in output, scenario
    applications = list(Application.objects.select_related("procedure"))
    assert len(applications) == len(runs)
    for application in applications:
        keys = set(application.procedure.form_fields.values_list("key", flat=True))
        assert set(application.data) <= keys, (application.procedure.code, application.data)
        assert application.requirement_choices.exists()

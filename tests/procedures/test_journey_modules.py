"""Issue 14: the journey's modules stay small enough to read (each under 400 lines)."""

from pathlib import Path

import pytest

PROCEDURES = Path(__file__).resolve().parents[2] / "procedures"
JOURNEY_MODULES = [
    "journey.py",
    "journey_services.py",
    "journey_views.py",
    "step_base.py",
    "steps.py",
    "steps_evidence.py",
    "locate.py",
    "evidence_cards.py",
    "evidence_views.py",
    "request_content.py",
]


@pytest.mark.parametrize("name", JOURNEY_MODULES)
def test_each_journey_module_is_under_400_lines(name):
    lines = (PROCEDURES / name).read_text(encoding="utf-8").count("\n")
    assert lines < 400, f"{name} has {lines} lines"

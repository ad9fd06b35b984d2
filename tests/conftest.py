"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def _spec_dir() -> Path | None:
    configured = os.environ.get("OOTS_SPEC_DIR")
    candidate = Path(configured) if configured else REPO_ROOT.parent / "shared" / "oots-spec"
    return candidate if (candidate / "DIGEST.md").is_file() else None


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    """The shared OOTS specification folder (samples, Schematron, code lists).

    A user's fresh clone may not have it: the tests that need it skip with a reason. CI sets
    ``OOTS_REQUIRE_SPEC=1`` so that a missing folder fails instead of silently skipping.
    """
    found = _spec_dir()
    if found is None:
        if os.environ.get("OOTS_REQUIRE_SPEC") == "1":
            pytest.fail("OOTS_REQUIRE_SPEC=1 but ../shared/oots-spec (or OOTS_SPEC_DIR) is missing")
        pytest.skip("../shared/oots-spec is not present (set OOTS_SPEC_DIR to run these tests)")
    return found

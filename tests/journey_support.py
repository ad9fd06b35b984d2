"""Shared set-up of the journey tests: a live portal wired to its own simulators (Common Services, access
point, Evidence Provider, eIDAS test IdP) and the requirements of the Common Services catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest

from procedures.demo import demo_requirements
from procedures.models import Procedure

# python3-saml and pysaml2 call datetime.utcnow() (deprecated in 3.12); the login goes through them.
SAML_LIBRARIES_UTCNOW = "ignore:datetime.datetime.utc:DeprecationWarning:(onelogin|saml2)"
RESULTS = Path(__file__).resolve().parent.parent / "test-results"


def wire_to_live_server(settings, live_server) -> None:  # type: ignore[no-untyped-def]
    url = live_server.url
    settings.OOTS_SIMULATOR_BASE_URL = url
    settings.OOTS_AP_URL = f"{url}/sim/ap/services/wsplugin"
    settings.OOTS_AP_SIM_BACKEND_URL = f"{url}/oots/backend/"
    settings.OOTS_AP_SIM_PUSH = True
    settings.OOTS_AP_SIM_PUSH_BACKOFF_SECONDS = 0.05
    settings.OOTS_EP_SIM_DEFAULT_SCENARIO = "immediate"
    settings.OOTS_SEND_BACKOFF_CAP_SECONDS = 1
    settings.OOTS_CS_EB_URL = f"{url}/sim/cs/eb"
    settings.OOTS_CS_DSD_URL = f"{url}/sim/cs/dsd"


def procedure_with_requirements(code: str) -> Procedure:
    demo_requirements()
    return Procedure.objects.get(code=code)


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"journey-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


__all__ = [
    "SAML_LIBRARIES_UTCNOW",
    "procedure_with_requirements",
    "pytest",
    "screenshot",
    "wire_to_live_server",
]

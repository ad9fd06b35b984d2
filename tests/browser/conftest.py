"""Playwright on Debian's Chromium (never a downloaded browser: ``playwright install`` fails here)."""

from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("OOTS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        message = f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("OOTS_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def login_as(live_server, client, context):
    """Log ``user`` into the browser context with a real session cookie from the portal."""

    def _login(user, loa: str | None = None) -> None:
        client.force_login(user)
        if loa is not None:  # as after an eIDAS login at that level (the journey's first task)
            import datetime as dt

            from django.utils import timezone

            from accounts.eidas.loa import SESSION_LOA_KEY
            from accounts.models import EidasIdentity

            EidasIdentity.objects.get_or_create(
                user=user,
                defaults={
                    "kind": EidasIdentity.Kind.NATURAL,
                    "country": "BE",
                    "nationality": "BE",
                    "person_identifier": f"BE/BE/{user.pk:011d}",
                    "given_name": "Jan",
                    "family_name": "Peeters",
                    "date_of_birth": dt.date(1985, 7, 31),
                    "loa": loa,
                    "authenticated_at": timezone.now(),
                },
            )
            session = client.session
            session[SESSION_LOA_KEY] = loa
            session.save()
        cookie = client.cookies["sessionid"]
        context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])

    return _login

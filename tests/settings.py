"""Test overlay on ``portal.settings``: the same module, with what only tests need changed.

``DEBUG`` is set before import so that the development login exists (pytest-django still runs
requests with ``DEBUG`` off, as Django's test runner does).
"""

import os

os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("OOTS_VAR_DIR", str(__import__("tempfile").mkdtemp(prefix="oots-test-var-")))
# Playwright's sync API runs an event loop in the test thread; the ORM calls made by the test body
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from portal.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never in production
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come from the finders in tests (no collectstatic run).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Real Celery workers run in threads beside the test's live server: on SQLite they need a file-based
# test database (the in-memory one is private to a connection and locks at once under concurrent writes).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}  # noqa: F405

# The suite logs in hundreds of times from 127.0.0.1: no per-address limit on eIDAS logins, except in the
# tests of that limit (tests/security/test_saml_acs.py), which set their own.
OOTS_LOGIN_RATE_LIMIT = 0

# In-thread test workers must not re-configure the test process's logging (pytest's caplog relies on it).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Logging is pytest's in the test process: Django's own configuration (re-applied when an in-thread Celery
# worker calls django.setup()) would replace the root handlers that pytest's log capture relies on.
LOGGING_CONFIG = None

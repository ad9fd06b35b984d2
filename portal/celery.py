"""The Celery application. Its configuration lives in ``portal.settings`` (``CELERY_*``)."""

from __future__ import annotations

import logging
import os

from celery import Celery, Task, signals
from django.conf import settings
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def _close_old_connections(task: Task | None = None, **_: object) -> None:
    """At each task boundary, what Django does at each request's: drop a connection that is broken or older
    than ``CONN_MAX_AGE``, and health-check the next one on first use.

    Celery's own Django fix-up would close the connection after every task (a new PostgreSQL connection
    per task, a few milliseconds each on the exchange's critical path); ``CELERY_DB_REUSE_MAX`` in settings
    makes it rare, and this keeps reuse safe.
    """
    if task is not None and task.request.is_eager:
        return  # run in the caller's process, maybe inside its transaction: its connection is not ours
    close_old_connections()


@signals.celeryd_init.connect
@signals.beat_init.connect
def _refuse_unsafe_settings(sender: object = None, **_: object) -> None:
    """``celery worker`` or ``celery beat`` with unsafe production settings stops before it takes any task
    (``portal.checks``). Workers embedded in a test process (``celery.contrib.testing``) do not send these.

    Celery logs and swallows exceptions raised by signal handlers; ``SystemExit`` is not one of them."""
    import django
    from django.apps import apps
    from django.core.exceptions import ImproperlyConfigured

    if not apps.ready:
        django.setup()
    from portal.checks import refuse_unsafe_start

    try:
        refuse_unsafe_start("Celery")
    except ImproperlyConfigured as exc:
        logging.getLogger(__name__).critical("%s", exc)
        raise SystemExit(f"ImproperlyConfigured: {exc}") from exc


def route_task(name: str, *_: object, **__: object) -> dict[str, str] | None:
    """``CELERY_TASK_ROUTES``: the simulators' tasks to ``OOTS_SIMULATOR_QUEUE``, read at each send (so that a
    test can change it); the portal's own to the default queue."""
    if name.startswith("simulators."):
        return {"queue": settings.OOTS_SIMULATOR_QUEUE}
    return None

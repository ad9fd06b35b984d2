from __future__ import annotations

from typing import Any

from django.apps import AppConfig, apps
from django.utils.translation import gettext_lazy as _


class ProceduresConfig(AppConfig):
    name = "procedures"
    verbose_name = _("Procedures")


def installed_contributions(hook: str) -> list[Any]:
    """What the installed apps contribute through ``hook``: each app whose ``AppConfig`` has a method of that
    name gives an iterable, in the order of ``INSTALLED_APPS``.

    How an optional app adds to the portal without the portal importing it: the simulators (installed with
    ``OOTS_SIMULATORS`` only) contribute ``oots_trusted_certificates`` (the Common Services simulator's
    signing certificate) and ``oots_demo_requirements`` (its catalogue's requirements, for the demo).
    """
    found: list[Any] = []
    for config in apps.get_app_configs():
        contribute = getattr(config, hook, None)
        if callable(contribute):
            found.extend(contribute())
    return found

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Back-office delivery")

    def ready(self) -> None:
        from procedures.signals import application_submitted

        application_submitted.connect(_on_submitted, dispatch_uid="registrations.deliveries_create")


def _on_submitted(sender: object, application: Any, **kwargs: Any) -> None:
    from registrations.services import deliveries_create

    deliveries_create(application=application)

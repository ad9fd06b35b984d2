from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from procedures.demo import DemoRequirement


class CommonServicesConfig(AppConfig):
    """The Common Services simulator; when installed, it contributes to the portal (``procedures.apps``) the
    certificate its answers are signed with and, for the demo, its catalogue's requirements."""

    name = "simulators.common_services"
    label = "sim_common_services"
    verbose_name = _("Common Services simulator")

    def oots_trusted_certificates(self) -> list[bytes]:
        from simulators.common_services.signing import certificate_pem

        return [certificate_pem()]

    def oots_demo_requirements(self) -> list[DemoRequirement]:
        from procedures.demo import DemoRequirement
        from simulators.common_services.catalogue import catalogue

        return [
            DemoRequirement(
                identifier=entry["id"], name=entry["names"]["EN"], procedures=frozenset(entry["procedures"])
            )
            for entry in catalogue().requirements
        ]

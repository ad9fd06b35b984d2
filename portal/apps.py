from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The wiring layer as an app, so that Django loads its system checks (``portal.checks``)."""

    name = "portal"
    label = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        from portal import checks  # noqa: F401 (registers the checks)

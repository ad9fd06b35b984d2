"""The simulators' URLs, mounted under ``/sim/`` (DESIGN.md §5 gives the paths testers rely on)."""

from django.urls import include, path

urlpatterns = [
    path("eidas/", include("simulators.eidas_idp.urls")),
    path("cs/", include("simulators.common_services.urls")),
    path("ap/", include("simulators.access_point.urls")),
    path("ep/", include("simulators.evidence_provider.urls")),
]

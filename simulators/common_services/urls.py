"""The Common Services simulator's URLs (DESIGN.md §5): ``/sim/cs/eb/rest/search``,
``/sim/cs/dsd/rest/search``."""

from django.urls import URLPattern, path

from simulators.common_services import views

app_name = "sim_common_services"

urlpatterns: list[URLPattern] = [
    path("eb/rest/search", views.eb_search, name="eb-search"),
    path("dsd/rest/search", views.dsd_search, name="dsd-search"),
    path("dsd/rest/codelists/<path:name>", views.dsd_codelist, name="dsd-codelist"),
    path("signing-certificate.pem", views.signing_certificate, name="signing-certificate"),
]

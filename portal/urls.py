from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from portal.health import healthz

admin.site.site_header = _("OOTS portal administration")
admin.site.site_title = _("OOTS portal")

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("", include("exchanges.urls")),
    path("backoffice/", include("registrations.urls")),
    path("accounts/", include("accounts.eidas.urls")),  # bare names: allauth reverses saml_acs etc.
    path("", include("procedures.urls")),
]
if settings.OOTS_SIMULATORS:
    urlpatterns.insert(0, path("sim/", include("simulators.urls")))

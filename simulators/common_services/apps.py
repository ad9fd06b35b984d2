from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonServicesConfig(AppConfig):
    name = "simulators.common_services"
    label = "sim_common_services"
    verbose_name = _("Common Services simulator")

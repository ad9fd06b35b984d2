from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccessPointConfig(AppConfig):
    name = "simulators.access_point"
    label = "sim_access_point"
    verbose_name = _("Access-point simulator")

from django.apps import AppConfig


class CommonServicesConfig(AppConfig):
    name = "simulators.common_services"
    label = "sim_common_services"
    verbose_name = "Common Services simulator"

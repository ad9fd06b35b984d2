from django.apps import AppConfig


class AccessPointConfig(AppConfig):
    name = "simulators.access_point"
    label = "sim_access_point"
    verbose_name = "Access-point simulator"

from django.apps import AppConfig


class RunnersConfig(AppConfig):
    name = "simulators.runners"
    label = "sim_runners"

from django.apps import AppConfig


class EidasIdpConfig(AppConfig):
    name = "simulators.eidas_idp"
    label = "sim_eidas_idp"
    verbose_name = "eIDAS test IdP"

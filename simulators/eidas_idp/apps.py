from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EidasIdpConfig(AppConfig):
    name = "simulators.eidas_idp"
    label = "sim_eidas_idp"
    verbose_name = _("eIDAS test IdP")

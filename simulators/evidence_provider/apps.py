from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceProviderConfig(AppConfig):
    name = "simulators.evidence_provider"
    label = "sim_evidence_provider"
    verbose_name = _("Evidence Provider simulator")

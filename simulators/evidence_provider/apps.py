from django.apps import AppConfig


class EvidenceProviderConfig(AppConfig):
    name = "simulators.evidence_provider"
    label = "sim_evidence_provider"
    verbose_name = "Evidence Provider simulator"

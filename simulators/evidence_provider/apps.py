from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceProviderConfig(AppConfig):
    name = "simulators.evidence_provider"
    label = "sim_evidence_provider"
    verbose_name = _("Evidence Provider simulator")

    def ready(self) -> None:
        # The provider sits behind the access-point simulator: it takes the requests the access point
        # delivers (the access point does not know it).
        from simulators.access_point.delivery import request_delivered
        from simulators.evidence_provider.services import request_delivered_receive

        request_delivered.connect(request_delivered_receive, dispatch_uid="sim_evidence_provider")

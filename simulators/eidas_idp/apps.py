from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EidasIdpConfig(AppConfig):
    name = "simulators.eidas_idp"
    label = "sim_eidas_idp"
    verbose_name = _("eIDAS test IdP")

    def oots_dev_personas(self) -> list[dict[str, Any]]:
        """The development login's test persons: this IdP's personas (one list, issue 16 item 7), each with
        the eIDAS attributes a login at the IdP would bring (``accounts.dev_login``)."""
        from simulators.eidas_idp.attribute_maps.eidas_uri import MAP
        from simulators.eidas_idp.personas import PERSONAS

        return [
            {
                "key": persona.key,
                "label": persona.label,
                "country": persona.country,
                "loa": persona.max_loa,
                "provider_scenario": persona.provider_scenario,
                "attributes": {MAP["to"][name]: [value] for name, value in persona.attributes().items()},
            }
            for persona in PERSONAS.values()
        ]

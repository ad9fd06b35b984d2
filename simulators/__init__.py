"""Simulators of every OOTS counterparty, for testers and the demo (never in production).

They speak the real protocols over real HTTP, so the portal's own code path is the production one:
the portal never calls a simulator in-process. Mounted under ``/sim/`` when ``OOTS_SIMULATORS`` is on.
"""

# Each simulator is a Django app of its own; settings install them and portal.urls mounts them only
# when OOTS_SIMULATORS is on.
SIMULATOR_APPS = [
    "simulators.eidas_idp",
    "simulators.common_services",
    "simulators.access_point",
    "simulators.evidence_provider",
]

"""Simulators of every OOTS counterparty, for testers and the demo (never in production).

They speak the real protocols over real HTTP, so the portal's own code path is the production one:
the portal never calls a simulator in-process. Mounted under ``/sim/`` when ``OOTS_SIMULATORS`` is on.

Each simulator is a Django app of its own, and so are the test runners (``simulators.runners``); settings
install them (``SIMULATOR_APPS``) and ``portal.urls`` mounts them only when ``OOTS_SIMULATORS`` is on. An app
here may contribute to the portal through its ``AppConfig`` (e.g. the Common Services simulator's signing
certificate, the demo's requirements): the portal asks its installed apps and never imports this package.
"""

"""The public secrets of the development and demo set-up.

They are in the source, so they protect nothing: ``portal.settings`` uses them as defaults only for
``DEBUG`` or the simulators, and ``portal.checks`` refuses them when ``DEBUG`` is off.
"""

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
AP_PASSWORD = "portal-demo-password"  # noqa: S105 (the access-point simulator's plugin user)
BACKEND_PASSWORD = "backend-demo-password"  # noqa: S105 (what the simulator pushes to /oots/backend/ with)
AUDIT_SUBJECT_KEY = "audit-subject-demo-key-public-do-not-use-in-production"

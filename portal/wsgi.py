"""WSGI entry point (gunicorn ``portal.wsgi``). Refuses to start with unsafe production settings
(``portal.checks``): a worker that cannot load this module never serves a request."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()

from portal.checks import refuse_unsafe_start  # noqa: E402 (needs the apps loaded above)

refuse_unsafe_start("The web server")

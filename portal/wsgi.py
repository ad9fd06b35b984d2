"""WSGI entry point (gunicorn ``portal.wsgi``). Refuses to start with unsafe production settings
(``portal.checks``): a worker that cannot load this module never serves a request."""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()
# The URLconf, and with it every view module and what they import (the receipt's PDF library: 0.15 s), is
# loaded while the worker boots, not during the first request a citizen waits for.
get_resolver().url_patterns  # noqa: B018

from portal.checks import refuse_unsafe_start  # noqa: E402 (needs the apps loaded above)

refuse_unsafe_start("The web server")

"""Response headers the portal adds to every page it makes (static files are served before this runs).

``Cache-Control: private, no-store`` unless the view chose its own caching: application pages, the
identity page, receipts, evidence and uploads carry personal data, and no browser cache (a shared
computer's) or intermediate cache may keep a copy. Public pages lose little by it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response

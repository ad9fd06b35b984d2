"""URLconf of ``bench/journey.py``: the portal's URLs plus the floor, a bare view with one database query
that goes through the same middleware as every page. Not in the production URLs."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def floor(request: HttpRequest) -> HttpResponse:
    from procedures.models import Procedure

    title = Procedure.objects.filter(code="T2").values_list("name", flat=True).first()
    return HttpResponse(title or "", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("", include("portal.urls")),
]

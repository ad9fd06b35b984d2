"""The engine's one endpoint: the access point's BackendService (push notifications). Its address is known to
the operators who configure Domibus: it stays ``/oots/backend/``."""

from django.urls import path

from exchanges.backend import backend_service

app_name = "exchanges"

urlpatterns = [
    path("oots/backend/", backend_service, name="backend"),
]

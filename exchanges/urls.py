from django.urls import path

from exchanges.backend import backend_service

app_name = "exchanges"

urlpatterns = [
    path("oots/backend/", backend_service, name="backend"),
]

from django.urls import path

from simulators.eidas_idp import views

app_name = "sim_eidas_idp"

urlpatterns = [
    path("metadata/", views.metadata, name="metadata"),
    path("sso/", views.sso, name="sso"),
    path("authenticate/", views.authenticate, name="authenticate"),
]

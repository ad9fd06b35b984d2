from django.urls import URLPattern

app_name = "sim_eidas_idp"

urlpatterns: list[URLPattern] = []

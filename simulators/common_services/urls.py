from django.urls import URLPattern

app_name = "sim_common_services"

urlpatterns: list[URLPattern] = []

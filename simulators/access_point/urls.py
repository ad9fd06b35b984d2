from django.urls import URLPattern

app_name = "sim_access_point"

urlpatterns: list[URLPattern] = []

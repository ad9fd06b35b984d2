from django.urls import URLPattern

app_name = "sim_evidence_provider"

urlpatterns: list[URLPattern] = []

from django.urls import path

from simulators.evidence_provider import views

app_name = "sim_evidence_provider"

urlpatterns = [
    path("preview/<str:token>/", views.preview, name="preview"),
    path("preview/<str:token>/document", views.preview_document, name="preview_document"),
    path("control/scenarios", views.scenario_overrides, name="scenarios"),
]

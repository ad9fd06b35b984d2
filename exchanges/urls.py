from django.urls import path

from exchanges import views
from exchanges.backend import backend_service

app_name = "exchanges"

urlpatterns = [
    path("oots/backend/", backend_service, name="backend"),
    path("applications/<uuid:reference>/evidence/status.json", views.status_json, name="status_json"),
    path("exchanges/<uuid:public_id>/preview/", views.preview_start, name="preview_start"),
    path("exchanges/<uuid:public_id>/retry/", views.exchange_retry, name="retry"),
    path("exchanges/return/<str:token>/", views.preview_return, name="preview_return"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
]

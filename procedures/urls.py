from django.urls import path

from procedures import evidence_views, journey_views, notify_views, views

app_name = "procedures"

urlpatterns = [
    path("", views.home, name="home"),
    path("procedures/<str:code>/", views.procedure_detail, name="procedure"),
    path("procedures/<str:code>/apply/", views.application_create, name="apply"),
    path("applications/", notify_views.application_list, name="applications"),
    path("applications/notifications/", notify_views.notification_consent, name="notification_consent"),
    path("applications/<uuid:reference>/", views.application_detail, name="application"),
    path("applications/<uuid:reference>/files/<slug:key>/", views.application_file, name="application_file"),
    path(
        "applications/<uuid:reference>/delete/", views.application_discard_confirm, name="application_discard"
    ),
    # The journey: one pattern for every step (procedures/steps.py); ``part`` is a requirement or an item.
    path("applications/<uuid:reference>/next/", journey_views.journey_next, name="journey"),
    path("applications/<uuid:reference>/step/<slug:slug>/", journey_views.journey_step, name="journey_step"),
    path(
        "applications/<uuid:reference>/step/<slug:slug>/<int:part>/",
        journey_views.journey_step,
        name="journey_step",
    ),
    path(
        "applications/<uuid:reference>/receipt.pdf",
        journey_views.application_receipt_pdf,
        name="application_receipt_pdf",
    ),
    # The exchanges of the journey (procedures/evidence_views.py); addresses kept from when they lived in
    # the exchanges app.
    path(
        "applications/<uuid:reference>/evidence/status.json",
        evidence_views.status_json,
        name="evidence_status_json",
    ),
    path("exchanges/<uuid:public_id>/preview/", evidence_views.preview_start, name="preview_start"),
    path("exchanges/<uuid:public_id>/retry/", evidence_views.exchange_retry, name="exchange_retry"),
    path("exchanges/return/<str:token>/", evidence_views.preview_return, name="preview_return"),
    path("evidence/<int:pk>/", evidence_views.evidence_file, name="evidence_file"),
]

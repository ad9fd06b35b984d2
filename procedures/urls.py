from django.urls import path

from procedures import views

app_name = "procedures"

urlpatterns = [
    path("", views.home, name="home"),
    path("procedures/<str:code>/", views.procedure_detail, name="procedure"),
    path("procedures/<str:code>/apply/", views.application_create, name="apply"),
    path("applications/", views.application_list, name="applications"),
    path("applications/<uuid:reference>/", views.application_detail, name="application"),
    path("applications/<uuid:reference>/files/<slug:key>/", views.application_file, name="application_file"),
]

from django.urls import path

from registrations import views

app_name = "registrations"

urlpatterns = [
    path("api/v1/applications/", views.api_list, name="api_list"),
    path("api/v1/applications/<uuid:reference>/", views.api_detail, name="api_detail"),
    path("api/v1/applications/<uuid:reference>/acknowledge/", views.api_acknowledge, name="api_acknowledge"),
    path("files/<str:token>/", views.signed_file, name="file"),
]

from django.urls import path

from simulators.access_point import views

app_name = "sim_access_point"

urlpatterns = [
    path("services/wsplugin", views.wsplugin, name="wsplugin"),
    path("control", views.control, name="control"),
    path("control/messages", views.message_log, name="messages"),
    path("control/inbox", views.inbox, name="inbox"),
]

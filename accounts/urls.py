from django.conf import settings
from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_choice, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("identity/", views.identity, name="identity"),
]
if settings.OOTS_DEV_LOGIN:
    urlpatterns.append(path("dev-login/", views.dev_login, name="dev_login"))

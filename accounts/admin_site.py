"""The admin site of procedure owners and operators: a password, and a TOTP code when required.

``OOTS_STAFF_OTP_REQUIRED`` (on unless ``DEBUG``) is read at each request: staff whose session was not
verified by one of their devices (django-otp) are treated as if they were not staff, and the login form
asks for the code from their authenticator app. Devices are enrolled with ``manage.py staff_totp_enrol``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpRequest
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


def _otp_required() -> bool:
    return bool(settings.OOTS_STAFF_OTP_REQUIRED)


class StaffAdminSite(AdminSite):
    @property  # type: ignore[override]
    def login_form(self) -> Any:
        return OTPAdminAuthenticationForm if _otp_required() else AdminAuthenticationForm

    @property  # type: ignore[override]
    def login_template(self) -> Any:
        return OTPAdminSite.login_template if _otp_required() else None

    def has_permission(self, request: HttpRequest) -> bool:
        if not super().has_permission(request):
            return False
        return not _otp_required() or bool(request.user.is_verified())  # type: ignore[union-attr]

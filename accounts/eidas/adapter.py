"""allauth's social-account adapter for eIDAS citizens: accounts created on first login, named from
the eIDAS identity, never with a usable password; failures shown on our own error page."""

from __future__ import annotations

import hashlib
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest

from accounts.eidas.errors import EidasLoginError
from accounts.models import User


def eidas_username(uid: str) -> str:
    # A hash, not the identifier itself: usernames show up in logs and the admin, and the
    # identifier is personal data (often a national number).
    return "eidas-" + hashlib.sha256(uid.encode()).hexdigest()[:24]


class EidasSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]) -> User:
        user: User = super().populate_user(request, sociallogin, data)
        user.username = eidas_username(sociallogin.account.uid)
        return user

    def save_user(self, request: HttpRequest, sociallogin: SocialLogin, form: Any = None) -> User:
        user: User = super().save_user(request, sociallogin, form)
        if user.has_usable_password():  # citizens authenticate with eIDAS only
            user.set_unusable_password()
            user.save(update_fields=["password"])
        return user

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        # A deactivated account must not get in, and allauth's own "inactive" page is not routed.
        if sociallogin.is_existing and not sociallogin.user.is_active:
            from accounts.eidas.views import login_error_response

            raise ImmediateHttpResponse(
                login_error_response(request, EidasLoginError("unknown_request", "inactive user"))
            )

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        from accounts.eidas.views import login_error_response

        raise ImmediateHttpResponse(
            login_error_response(request, EidasLoginError("invalid", f"allauth: {error}"))
        )

"""Back-office delivery in the admin: the owners' backends, keys and tokens; the deliveries with their state,
last error and "deliver again". Everything is limited to the user's authorities (``authorities.scope``):
owners configure, owners and case workers follow the deliveries; another authority's rows are not found.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from authorities.models import Role
from authorities.scope import ALL_ROLES, authorities_of, has_role, scope_to_authorities
from procedures.models import Procedure
from registrations.models import ApiToken, Delivery, RegistrationBackend, SigningKey
from registrations.services import deliveries_redeliver

OWNER_ONLY = (Role.OWNER,)


class _RoleScopedAdmin(admin.ModelAdmin):
    """Rows reached through ``authority_path``, which the admin site limits to the user's authorities for
    ``authority_roles`` (``authorities.admin_site``: another authority's row is a 404 on every URL); changed
    by the members of ``change_roles``."""

    authority_path = ""
    authority_roles: tuple[str, ...] = ALL_ROLES
    change_roles: tuple[str, ...] = OWNER_ONLY

    def _holds(self, request: HttpRequest, roles: tuple[str, ...]) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff) and any(has_role(user, role) for role in roles)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._holds(request, self.authority_roles)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._holds(request, self.authority_roles)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._holds(request, self.change_roles)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._holds(request, self.change_roles)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._holds(request, self.change_roles)

    def owned_authorities(self, request: HttpRequest) -> QuerySet[Any]:
        return authorities_of(request.user, roles=self.change_roles)


@admin.register(RegistrationBackend)
class RegistrationBackendAdmin(_RoleScopedAdmin):
    authority_path = "procedure__authority"
    authority_roles = OWNER_ONLY
    list_display = ["name", "procedure", "kind", "target", "enabled"]
    list_filter = ["kind", "enabled"]
    search_fields = ["name", "procedure__code", "procedure__name", "email_to", "webhook_url"]
    fields = ["procedure", "kind", "name", "email_to", "webhook_url", "enabled"]

    @admin.display(description=_("to"))
    def target(self, obj: RegistrationBackend) -> str:
        return obj.email_to or obj.webhook_url or "—"

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "procedure":
            kwargs["queryset"] = scope_to_authorities(
                request.user, Procedure.objects.all(), authority_path="authority", roles=OWNER_ONLY
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Delivery)
class DeliveryAdmin(_RoleScopedAdmin):
    authority_path = "application__procedure__authority"
    list_display = ["application", "backend", "state", "attempts", "error", "delivered_at", "next_attempt_at"]
    list_filter = ["state", "backend__kind"]
    search_fields = ["application__reference", "backend__name"]
    list_select_related = ["application__procedure", "backend"]
    readonly_fields = [
        "application",
        "backend",
        "state",
        "attempts",
        "next_attempt_at",
        "claimed_at",
        "delivered_at",
        "last_error",
        "created_at",
        "updated_at",
    ]
    fields = readonly_fields
    actions = ["deliver_again"]

    @admin.display(description=_("last error"))
    def error(self, obj: Delivery) -> str:
        return Truncator(obj.last_error).chars(80) if obj.last_error else "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created with the submission only

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # read-only; "deliver again" is the one thing to do

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record of what was handed on stays

    def has_redeliver_permission(self, request: HttpRequest) -> bool:
        return self._holds(request, ALL_ROLES)

    @admin.action(description=_("Deliver again"), permissions=["redeliver"])
    def deliver_again(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> None:
        count = deliveries_redeliver(delivery_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be made again.", "%(count)d deliveries will be made again.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )


class _IssuedSecretAdmin(_RoleScopedAdmin):
    """Keys and tokens: the authority is chosen once, the secret shown once on the page that answers the
    creation (never put in a message: messages may travel in a cookie), then only retired or revoked."""

    authority_path = "authority"
    authority_roles = OWNER_ONLY
    issued_title: Any = ""
    issued_advice: Any = ""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fixed = list(self.readonly_fields)
        return [*fixed, "authority"] if obj is not None else fixed

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "authority":
            kwargs["queryset"] = self.owned_authorities(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def issued_secret(self, obj: Any) -> str:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            request._issued_secret = self.issued_secret(obj)  # type: ignore[attr-defined]

    def response_add(
        self, request: HttpRequest, obj: Any, post_url_continue: str | None = None
    ) -> HttpResponse:
        secret = getattr(request, "_issued_secret", None)
        if secret is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": self.issued_title,
            "object": obj,
            "secret": secret,
            "advice": self.issued_advice,
            "list_url": reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"),
        }
        response = TemplateResponse(request, "registrations/admin/secret_issued.html", context)
        response["Cache-Control"] = "private, no-store"
        return response


@admin.register(SigningKey)
class SigningKeyAdmin(_IssuedSecretAdmin):
    list_display = ["key_id", "authority", "created_at", "retired_at"]
    list_filter = ["retired_at"]
    fields = ["authority", "key_id", "created_at", "retired_at"]
    readonly_fields = ["key_id", "created_at", "retired_at"]
    actions = ["retire"]
    issued_title = _("Webhook signing key created")
    issued_advice = _(
        "Give this secret to the back office now: it is not shown again. Webhooks are signed with every "
        "active key of the authority; retire the old key once the back office checks with this one."
    )

    def issued_secret(self, obj: SigningKey) -> str:
        return obj.secret

    @admin.action(description=_("Retire the selected keys"), permissions=["change"])
    def retire(self, request: HttpRequest, queryset: QuerySet[SigningKey]) -> None:
        count = queryset.filter(retired_at__isnull=True).update(retired_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d key retired.", "%(count)d keys retired.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(_IssuedSecretAdmin):
    list_display = ["name", "prefix", "authority", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    fields = ["authority", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke"]
    issued_title = _("Back-office API token created")
    issued_advice = _(
        "Give this token to the back office now: only its digest is kept, it cannot be shown again. The back "
        "office sends it as “Authorization: Bearer …”."
    )

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if not change:
            obj._clear_token = obj.set_new_token()  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def issued_secret(self, obj: ApiToken) -> str:
        return str(obj._clear_token)  # type: ignore[attr-defined]

    @admin.action(description=_("Revoke the selected tokens"), permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d token revoked.", "%(count)d tokens revoked.", count) % {"count": count},
            messages.SUCCESS,
        )

"""Authorities and their staff in the admin: operators (superusers) manage them; staff see their own."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin

from authorities.models import Authority, Membership
from authorities.services import membership_groups_sync


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


@admin.register(Authority)
class AuthorityAdmin(TranslationAdmin):
    list_display = ["name", "country", "requester_identifier", "requester_scheme", "contact_email"]
    list_filter = ["country"]
    search_fields = ["name", "requester_identifier"]
    fieldsets = [
        (None, {"fields": ["name", "country"]}),
        (_("Evidence Requester"), {"fields": [("requester_identifier", "requester_scheme")]}),
        (_("Contact"), {"fields": ["contact_email", "contact_phone", "contact_web"]}),
    ]
    inlines = [MembershipInline]
    # Staff see the authorities they work for (authorities.admin_site); only operators change them.
    authority_path = "pk"

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        # A membership added or removed here gives or takes the role's permission group.
        users = {m.user for m in form.instance.memberships.select_related("user")}
        for formset in formsets:
            users.update(obj.user for obj in getattr(formset, "deleted_objects", []))
        for user in users:
            membership_groups_sync(user=user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Who works for which authority, and which authority exists, is the operators' decision.
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Authority | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Authority | None = None) -> bool:
        return bool(request.user.is_superuser)

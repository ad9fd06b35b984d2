"""Authorities and their staff in the admin: operators (superusers) manage them; staff see their own."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from authorities.models import Authority, Membership
from authorities.scope import authorities_of


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "role", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["user"]


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "requester_identifier", "requester_scheme", "contact_email"]
    list_filter = ["country"]
    search_fields = ["name", "requester_identifier"]
    fieldsets = [
        (None, {"fields": ["name", "country"]}),
        (_("Evidence Requester"), {"fields": [("requester_identifier", "requester_scheme")]}),
        (_("Contact"), {"fields": ["contact_email", "contact_phone", "contact_web"]}),
    ]
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Authority]:
        return authorities_of(request.user, super().get_queryset(request))

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Who works for which authority, and which authority exists, is the operators' decision.
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Authority | None = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Authority | None = None) -> bool:
        return bool(request.user.is_superuser)

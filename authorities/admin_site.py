"""The admin site, limited to each staff user's authorities (issue 15, ADR 0009).

Every model registered on the site is classified when it is registered:

- a ``ModelAdmin`` that declares ``authority_path`` (the lookup from its model to ``Authority``) shows staff
  only the rows of their authorities, for the roles in ``authority_roles``; rows matching
  ``hidden_from_staff`` (drafts) are never shown to staff; an object outside that queryset answers 404 on
  every admin URL (change, history, delete), not the admin's redirect that would confirm it exists;
- any other ``ModelAdmin`` (users, groups, second factors, login attempts, …) is for superusers only.

So a model added to the admin later is hidden from staff until its admin says whose rows they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.admin import ModelAdmin
from django.contrib.admin.utils import unquote
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from accounts.admin_site import StaffAdminSite
from authorities.scope import ALL_ROLES, scope_to_authorities


class AuthorityScopedAdmin(ModelAdmin):  # type: ignore[type-arg]
    """Mixed in before the registered admin class of a model whose rows belong to an authority."""

    # ``authority_path``, ``authority_roles`` (all roles if absent) and ``hidden_from_staff`` are read from
    # the registered class (this mixin comes first in the MRO: no defaults here that would shadow them).

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return staff_queryset(self, request, super().get_queryset(request))

    def _get_obj_does_not_exist_redirect(self, request: HttpRequest, opts: Any, object_id: str) -> Any:
        # Another authority's object, or none: the same 404, which confirms nothing.
        raise Http404

    def _visible_or_404(self, request: HttpRequest, object_id: str) -> None:
        # Before the permission checks: an object the user may not see is a 404 on every URL, never the
        # 403 of a read-only admin's delete page that would confirm it exists.
        if self.get_object(request, unquote(object_id)) is None:
            raise Http404

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        self._visible_or_404(request, object_id)
        return super().change_view(request, object_id, *args, **kwargs)

    def history_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        self._visible_or_404(request, object_id)
        return super().history_view(request, object_id, *args, **kwargs)

    def delete_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        self._visible_or_404(request, object_id)
        return super().delete_view(request, object_id, *args, **kwargs)


def staff_queryset(model_admin: Any, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
    """``queryset`` as ``model_admin`` may show it to ``request.user``."""
    user = request.user
    if getattr(user, "is_superuser", False):
        return queryset
    hidden = getattr(model_admin, "hidden_from_staff", None)
    if hidden:
        queryset = queryset.exclude(**hidden)
    roles: Iterable[str] = getattr(model_admin, "authority_roles", ALL_ROLES)
    return scope_to_authorities(user, queryset, authority_path=model_admin.authority_path, roles=roles)


class SuperuserOnlyAdmin(ModelAdmin):  # type: ignore[type-arg]
    """Mixed in before the registered admin class of a model that belongs to no authority."""

    def _superuser_or_404(self, request: HttpRequest) -> None:
        if not request.user.is_superuser:
            raise Http404

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        self._superuser_or_404(request)
        return super().change_view(request, object_id, *args, **kwargs)

    def history_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        self._superuser_or_404(request)
        return super().history_view(request, object_id, *args, **kwargs)

    def delete_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        self._superuser_or_404(request)
        return super().delete_view(request, object_id, *args, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser) and super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser) and super().has_view_permission(request, obj)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return bool(request.user.is_superuser) and super().has_add_permission(request, *args)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return bool(request.user.is_superuser) and super().has_delete_permission(request, obj)


def is_authority_scoped(admin_class: type[Any]) -> bool:
    return isinstance(getattr(admin_class, "authority_path", None), str)


class AuthorityAdminSite(StaffAdminSite):
    def register(
        self,
        model_or_iterable: type[Model] | Iterable[type[Model]],
        admin_class: type[ModelAdmin] | None = None,  # type: ignore[type-arg]
        **options: Any,
    ) -> None:
        base = admin_class or ModelAdmin
        mixin = AuthorityScopedAdmin if is_authority_scoped(base) else SuperuserOnlyAdmin
        classified = type(base.__name__, (mixin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, classified, **options)

"""What a staff user may see: the objects of the authorities they work for, in the roles that need them.

The one place where staff visibility is decided. Every admin queryset, file download and export goes
through :func:`scope_to_authorities` with the lookup path from its model to ``Authority``; a superuser sees
everything, a user without a membership nothing (fail closed).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Model, QuerySet

from authorities.models import Authority, Membership, Role

ALL_ROLES: tuple[Role, ...] = (Role.OWNER, Role.CASE_WORKER)


def _authority_ids(user: Any, roles: Iterable[str]) -> QuerySet[Membership, Any]:
    return Membership.objects.filter(user_id=user.pk, role__in=list(roles)).values("authority_id")


def scope_to_authorities[M: Model](
    user: Any, queryset: QuerySet[M], *, authority_path: str, roles: Iterable[str] = ALL_ROLES
) -> QuerySet[M]:
    """``queryset`` limited to the rows whose ``authority_path`` leads to one of ``user``'s authorities
    (memberships in one of ``roles``); everything for a superuser, nothing for anyone else."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return queryset.none()
    if user.is_superuser:
        return queryset
    # A subquery, not a join: one row per object however many memberships lead to it.
    return queryset.filter(**{f"{authority_path}__in": _authority_ids(user, roles)})


def authorities_of(
    user: Any, queryset: QuerySet[Authority] | None = None, *, roles: Iterable[str] = ALL_ROLES
) -> QuerySet[Authority]:
    """The authorities ``user`` works for (every authority for a superuser)."""
    base = Authority.objects.all() if queryset is None else queryset
    return scope_to_authorities(user, base, authority_path="pk", roles=roles)


def has_role(user: Any, role: str) -> bool:
    """Whether ``user`` holds ``role`` in at least one authority (a superuser holds every role)."""
    if getattr(user, "is_superuser", False):
        return True
    return bool(user.pk) and Membership.objects.filter(user_id=user.pk, role=role).exists()

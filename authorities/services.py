"""Writes on authorities and memberships."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.db import transaction

from authorities.models import Authority, Membership, Role

#: The Django permission group each role's staff belong to (created by ``procedures`` migrations 0003, 0005).
ROLE_GROUPS: dict[str, str] = {Role.OWNER: "Procedure owners", Role.CASE_WORKER: "Case workers"}


def membership_add(*, user: Any, authority: Authority, role: str) -> Membership:
    """``user`` works for ``authority`` in ``role``: staff, in the role's permission group."""
    with transaction.atomic():
        membership, _ = Membership.objects.get_or_create(user=user, authority=authority, role=role)
        membership_groups_sync(user=user)
    return membership


def membership_groups_sync(*, user: Any) -> None:
    """The user's role groups and staff flag as their memberships say (an operator's own are kept)."""
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    for role, group_name in ROLE_GROUPS.items():
        group = Group.objects.filter(name=group_name).first()
        if group is None:
            continue
        if role in roles:
            user.groups.add(group)
        else:
            user.groups.remove(group)
    if roles and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])

"""Small factories for model objects used across the tests."""

from __future__ import annotations

import itertools

from django.contrib.auth.models import Group

from accounts.models import User
from procedures.models import FieldType, FormField, Procedure

_counter = itertools.count(1)


def make_citizen(username: str | None = None) -> User:
    user = User.objects.create(
        username=username or f"citizen{next(_counter)}", first_name="Ana", last_name="Test"
    )
    user.set_unusable_password()
    user.save()
    return user


def make_owner(password: str = "owner-password-1234") -> User:
    owner = User.objects.create_user(username=f"owner{next(_counter)}", password=password, is_staff=True)
    owner.groups.add(Group.objects.get(name="Procedure owners"))
    return owner


def add_field(
    procedure: Procedure,
    key: str,
    field_type: str = FieldType.TEXT,
    *,
    label: str | None = None,
    required: bool = True,
    choices: str = "",
) -> FormField:
    return FormField.objects.create(
        procedure=procedure,
        key=key,
        field_type=field_type,
        label=label or key.replace("_", " ").capitalize(),
        required=required,
        choices=choices,
        order=procedure.form_fields.count() * 10,
    )

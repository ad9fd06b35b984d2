"""The portal's user model.

A custom user model from the first migration, because eIDAS identities (person identifier, LoA)
will hang off it and swapping the model later is painful.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """A citizen or a procedure owner. Citizens have no usable local password."""

    def display_name(self) -> str:
        full = self.get_full_name()
        return full or self.get_username()

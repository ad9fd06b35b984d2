from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.services import DEV_PERSONAS


class DevLoginForm(forms.Form):
    persona = forms.ChoiceField(
        label=_("Test person"),
        choices=[(key, f"{first} {last}") for key, (first, last) in DEV_PERSONAS.items()],
        widget=forms.RadioSelect,
    )

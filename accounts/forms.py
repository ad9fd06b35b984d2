from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.services import dev_personas


class DevLoginForm(forms.Form):
    persona = forms.ChoiceField(label=_("Test person"), widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The test IdP's personas (one list): who each one is, and what the provider simulator does for them.
        self.fields["persona"].choices = [
            (
                key,
                f"{p['label']} ({p['country']})"
                + (f" — {p['provider_scenario']}" if p["provider_scenario"] else ""),
            )
            for key, p in dev_personas().items()
        ]

from __future__ import annotations

from typing import Any

from django import forms

from veche.accounts.actions import name_refusal


class DisplayNameForm(forms.Form):
    display_name = forms.CharField(
        max_length=150,
        strip=True,
        error_messages={"required": "The display name cannot be empty."},
        help_text="Shown with your comments instead of your user name.",
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_display_name(self) -> str:
        name: str = self.cleaned_data["display_name"]
        # Imported and reserved names stay reserved as display names too, else anyone
        # could post as "admin" or as an imported regular.
        refusal = name_refusal(name, exclude_user_id=self.user.pk)
        if refusal:
            raise forms.ValidationError(refusal)
        return name

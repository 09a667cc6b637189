"""How allauth creates and names accounts here."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.contrib.auth.models import Group

from veche.accounts.actions import name_refusal
from veche.accounts.models import Role


class AccountAdapter(DefaultAccountAdapter):
    def clean_username(self, username: str, shallow: bool = False) -> str:
        # Before allauth's own check, which would only say "already taken": an imported
        # name deserves the reason and the way to claim it.
        refusal = name_refusal(username)
        if refusal:
            raise forms.ValidationError(refusal)
        return super().clean_username(username, shallow=shallow)

    def save_user(self, request: Any, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            group, _ = Group.objects.get_or_create(name=Role.READER)
            user.groups.add(group)
        return user

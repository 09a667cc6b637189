"""Fixtures shared by every test package."""

from __future__ import annotations

import itertools

import pytest
from allauth.account.models import EmailAddress

from veche.accounts.models import User

pytest_plugins = ["tests.core.services"]

_counter = itertools.count(1)


@pytest.fixture
def make_user(db):
    """make_user(username=None, verified=True, **fields) -> a reader who may comment."""

    def make(username: str | None = None, *, verified: bool = True, password: str = "pw-Secret-123",
             **fields) -> User:
        username = username or f"reader{next(_counter)}"
        email = fields.pop("email", f"{username}@example.org")
        user = User.objects.create_user(username=username, email=email, password=password,
                                        **fields)
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
        return user

    return make

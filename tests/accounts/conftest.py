from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache

from veche.accounts.models import Role, User

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth keeps its rate-limit counters in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def make_role_user(make_user):
    def make(role: str, **fields) -> User:
        user = make_user(**fields)
        user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def moderator(make_role_user) -> User:
    return make_role_user(Role.MODERATOR)


def assert_in_layout_and_csp_clean(html: str) -> None:
    """Rendered inside base.html, with nothing the strict CSP would block."""
    assert 'class="masthead"' in html
    assert INLINE_SCRIPT.search(html) is None, INLINE_SCRIPT.search(html)
    assert " style=" not in html
    assert INLINE_HANDLER.search(html) is None

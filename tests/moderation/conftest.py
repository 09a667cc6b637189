"""Moderation tests: the test settings switch the new-account hold and flood limits off
for every other package; these tests switch them on where they test them."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from veche.moderation import versions


@pytest.fixture(autouse=True)
def _fresh_state():
    # Rate counters live in the cache and list versions in a per-process memo; a test
    # must not see another test's.
    cache.clear()
    versions.forget()
    yield
    cache.clear()
    versions.forget()


@pytest.fixture
def moderator(make_user):
    from django.contrib.auth.models import Group

    user = make_user("mod")
    user.groups.add(Group.objects.get_or_create(name="moderator")[0])
    return user


@pytest.fixture
def thread(db):
    from tests.discussion.factories import make_thread

    return make_thread("test:mod-thread", title="Moderated thread", url="/mod-thread/")

"""Fixtures of the API tests: an allowed site, a thread, readers and their tokens."""

from __future__ import annotations

import pytest

from veche.api.models import AllowedSite, TokenKind
from veche.api.tokens import issue_token
from veche.discussion import actions

SITE_ORIGIN = "https://blog.example.org"


@pytest.fixture(autouse=True)
def _api_settings(settings):
    settings.ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
    # Moderation's "first comments of a new account wait" would hold every post here;
    # held posts have their own test (a pre-moderated thread).
    settings.VECHE_NEW_USER_PREMOD_COUNT = 0
    settings.VECHE_POST_RATE = "1000/60"
    settings.VECHE_POST_RATE_IP = "1000/60"
    settings.VECHE_EDIT_RATE = "1000/60"


@pytest.fixture
def site(db):
    return AllowedSite.objects.create(name="Blog", origin=SITE_ORIGIN)


@pytest.fixture
def thread(site):
    return actions.get_or_create_thread(
        f"url:{SITE_ORIGIN}/post/42", title="Post 42", url=f"{SITE_ORIGIN}/post/42"
    )


@pytest.fixture
def reader(make_user):
    return make_user("alice")


@pytest.fixture
def other(make_user):
    return make_user("bob")


@pytest.fixture
def bearer():
    """bearer(user, kind=personal) -> {"HTTP_AUTHORIZATION": "Bearer ..."}."""

    def make(user, kind=TokenKind.PERSONAL):
        _, secret = issue_token(user, kind=kind)
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return make

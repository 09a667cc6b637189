from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The masthead is cached and the cache outlives each test's database rollback.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_url(settings) -> str:
    settings.VECHE_SITE_URL = "https://news.example.org"
    return settings.VECHE_SITE_URL


@pytest.fixture
def no_mfa(settings) -> None:
    # Superusers without 2FA are sent to the setup page; not what these tests are about.
    settings.VECHE_MFA_REQUIRED = False


@dataclass
class FakeDiscussion:
    html: SafeString
    jsonld_comments: list[dict]
    comment_count: int


@pytest.fixture
def fake_discussion(monkeypatch) -> list[dict]:
    """Stand in for discussion.web.render_discussion; returns the calls it got.

    Keeps the newsroom's own tests (head, JSON-LD) independent of the comment tree's
    rendering, which the discussion tests cover.
    """
    calls: list[dict] = []

    def render(request, thread, *, page=1, sort="oldest", base_url=None):
        calls.append({"thread": thread, "page": page, "sort": sort, "base_url": base_url,
                      "tz": timezone.get_current_timezone_name()})
        comments = [{
            "@type": "Comment",
            "author": {"@type": "Person", "name": "NEXUS"},
            "dateCreated": "2017-12-05T16:04:00+03:00",
            "text": "A reader's </script> view",
        }]
        html = mark_safe('<section class="discussion" id="comments">FAKE TREE</section>')
        return FakeDiscussion(html, comments, thread.comment_count)

    monkeypatch.setattr("veche.newsroom.views.render_discussion", render)
    return calls

"""The rendered comment tree kept per thread version: every visible change shows at
once, and the per-reader parts (votes, own controls, pending comments) stay per reader."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from tests.discussion.factories import add_comment, make_thread
from veche.core.lru import BoundedLRU
from veche.discussion import actions, web
from veche.discussion.models import CommentStatus, Thread
from veche.discussion.web import render_discussion

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[0, 8 * 1024 * 1024], ids=["shared-cache-only", "worker-copy"])
def tree_tiers(request, monkeypatch):
    """Trees in the shared cache only (SQLite's default), or also kept by the worker in
    front of it (with Redis): both must show every change at once."""
    monkeypatch.setattr(web, "_local_trees", BoundedLRU(request.param))
    return request.param


def render(thread, user=None, **kwargs) -> str:
    request = RequestFactory().get("/")
    request.user = user or AnonymousUser()
    # A Thread read before the change, as a caller holding an old object would pass it.
    return render_discussion(request, thread, **kwargs).html


def comment_queries(thread, user=None) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        html = render(thread, user)
    rows = [q for q in ctx.captured_queries if 'FROM "discussion_comment"' in q["sql"]]
    return len(rows), html


@pytest.fixture
def people(make_user):
    return [make_user(f"user{i}") for i in range(3)]


@pytest.fixture
def moderator(make_user):
    user = make_user("mod")
    user.groups.add(Group.objects.get_or_create(name="moderator")[0])
    return user


def test_second_render_reads_no_comments_and_gives_the_same_html(people, tree_tiers):
    t = make_thread()
    a = add_comment(t, people[0], "first")
    add_comment(t, people[1], "second", a)
    first_count, first = comment_queries(t)
    again_count, again = comment_queries(t)
    assert first_count >= 1 and again_count == 0
    assert again == first


@pytest.mark.parametrize("change", ["post", "edit", "delete", "vote", "reject", "thread"])
def test_every_visible_change_shows_at_once(people, moderator, change, tree_tiers):
    t = make_thread()
    a = add_comment(t, people[0], "original text")
    render(t)
    render(t, people[1])
    render(t, moderator)
    if change == "post":
        add_comment(t, people[1], "a brand new reply", a)
        fresh = ["a brand new reply"]
    elif change == "edit":
        actions.edit_comment(user=people[0], comment_id=a.pk, body="edited text")
        fresh = ["edited text", 'class="c__edited"']
    elif change == "delete":
        add_comment(t, people[1], "keeps the placeholder", a)
        render(t)
        actions.delete_comment(user=people[0], comment_id=a.pk)
        fresh = ["Comment deleted"]
    elif change == "vote":
        actions.vote_comment(user=people[1], comment_id=a.pk, value=1)
        fresh = ['aria-label="Score 1"']
    elif change == "reject":
        from veche.moderation import actions as moderation

        add_comment(t, people[1], "keeps the placeholder", a)
        render(t)
        moderation.reject_comment(a, actor=moderator, reason="Off topic")
        fresh = ["Comment removed"]
    else:
        actions.update_thread(t, is_open=False)
        fresh = ["This discussion is closed"]
    stale_object = t  # the test's Thread still has the old version
    for viewer in (None, people[2]):
        html = render(stale_object, viewer)
        for text in fresh:
            assert text in html, (change, viewer, text)
        if change in ("edit", "delete", "reject"):
            assert "original text" not in html
    assert Thread.objects.get(pk=t.pk).version > stale_object.version or change == "thread"


def test_per_reader_parts_are_filled_for_each_reader(people):
    t = make_thread()
    mine = add_comment(t, people[0], "by user0")
    theirs = add_comment(t, people[1], "by user1")
    actions.vote_comment(user=people[0], comment_id=theirs.pk, value=-1)
    anonymous = render(t)
    owner = render(t, people[0])
    other = render(t, people[2])
    # Anonymous: no forms, no controls.
    assert "c__vote" not in anonymous and "c__edit" not in anonymous
    assert "c__report" not in anonymous
    # The author: edit and delete on their own comment, a vote form and report on the other
    # one with their own vote pressed, and none on their own.
    own_box = re.search(rf'id="c{mine.pk}".*?</footer>', owner, re.S).group(0)
    other_box = re.search(rf'id="c{theirs.pk}".*?</footer>', owner, re.S).group(0)
    assert "c__edit" in own_box and "c__delete" in own_box and "c__vote" not in own_box
    assert "c__report" not in own_box
    assert 'class="c__vote-down" aria-pressed="true"' in other_box
    assert 'name="value" value="0" class="c__vote-down"' in other_box
    assert "c__report" in other_box and "c__edit" not in other_box
    # Another reader: votes on both, unpressed; no edit controls.
    assert other.count('class="c__vote"') == 2 and 'aria-pressed="true"' not in other
    assert "c__edit" not in other and "c__delete" not in other
    assert 'name="csrfmiddlewaretoken"' in other


def test_edit_link_only_within_the_window(people, settings):
    t = make_thread()
    add_comment(t, people[0], "mine")
    assert "c__edit" in render(t, people[0])
    settings.VECHE_EDIT_WINDOW_SECONDS = 0
    html = render(t, people[0])
    assert "c__edit" not in html and "c__delete" in html


def test_own_pending_comment_shows_only_to_its_author_and_moderators(people, moderator):
    t = make_thread()
    root = add_comment(t, people[1], "root")
    render(t)  # the shared tree is cached before the pending comments exist
    add_comment(t, people[0], "held reply", root, status=CommentStatus.PENDING)
    add_comment(t, people[0], "held root", status=CommentStatus.PENDING)
    for _ in range(2):  # rendered, then from the cache
        assert "held" not in render(t)
        assert "held" not in render(t, people[2])
        author = render(t, people[0])
        assert "held reply" in author and "held root" in author
        assert "awaiting moderation" in author
        assert "held reply" in render(t, moderator)


def test_rejection_reason_shows_to_the_author_only(people, moderator):
    from veche.moderation import actions as moderation

    t = make_thread()
    root = add_comment(t, people[0], "root")
    add_comment(t, people[1], "a reply keeps it as a placeholder", root)
    moderation.reject_comment(root, actor=moderator, reason="Please stay on topic")
    for _ in range(2):
        assert "Please stay on topic" in render(t, people[0])
        assert "Please stay on topic" not in render(t, people[1])
        assert "Please stay on topic" not in render(t)


def test_moderators_and_readers_get_their_own_trees(people, moderator):
    t = make_thread()
    root = add_comment(t, people[0], "root")
    add_comment(t, people[1], "gone text", root)
    child = add_comment(t, people[1], "grandchild holder", root)
    add_comment(t, people[2], "grandchild", child)
    actions.delete_comment(user=people[1], comment_id=child.pk)
    for _ in range(2):
        assert "grandchild holder" in render(t, moderator)
        assert "grandchild holder" not in render(t)


def test_stored_text_cannot_pose_as_a_slot(people):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL text cannot hold NUL, the slots' framing")
    t = make_thread()
    c = add_comment(t, people[0], "text")
    from veche.discussion.models import Comment

    # Names are stored as given: a NUL-framed "slot" in one must stay text.
    Comment.objects.filter(pk=c.pk).update(author_name=f"\x00vote:{c.pk}\x00")
    actions.vote_comment(user=people[1], comment_id=c.pk, value=1)  # bumps the version
    html = render(t, people[1])
    assert html.count('class="c__vote"') == 1


def test_presentation_settings_are_part_of_the_key(people, settings):
    t = make_thread()
    add_comment(t, people[0], "Ha :laughing:")
    settings.VECHE_SMILEYS = {":laughing:": "LOL-ONE"}
    assert "LOL-ONE" in render(t)
    settings.VECHE_SMILEYS = {":laughing:": "LOL-TWO"}
    assert "LOL-TWO" in render(t)


def test_out_of_range_pages_are_not_kept(people, settings):
    settings.VECHE_PAGE_SIZE = 2
    t = make_thread()
    for i in range(3):
        add_comment(t, people[0], f"root{i}")
    last = render(t, page=2)
    assert render(t, page=99) == last
    assert "root2" in last and "root0" not in last


def test_the_workers_copy_spares_the_shared_cache(people, monkeypatch):
    monkeypatch.setattr(web, "_local_trees", BoundedLRU(8 * 1024 * 1024))
    reads: list[str] = []
    shared_get = web.cache.get

    def counting_get(key, *args, **kwargs):
        if key.startswith("veche:tree:"):
            reads.append(key)
        return shared_get(key, *args, **kwargs)

    monkeypatch.setattr(web.cache, "get", counting_get)
    t = make_thread()
    add_comment(t, people[0], "kept by the worker")
    first = render(t)
    assert len(reads) == 1  # the miss
    assert render(t) == first and len(reads) == 1  # from the worker's copy
    web._local_trees.clear()
    assert render(t) == first and len(reads) == 2  # from the shared cache, copied again
    assert render(t) == first and len(reads) == 2

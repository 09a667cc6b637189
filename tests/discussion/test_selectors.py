"""The page of a thread a reader sees: nesting, numbering, paging, visibility."""

from __future__ import annotations

import pytest

from tests.discussion.factories import add_comment, grow_thread, make_thread
from veche.discussion import actions
from veche.discussion.models import Comment, CommentStatus
from veche.discussion.selectors import Viewer, get_continued_thread, get_thread_page, locate_comment

pytestmark = pytest.mark.django_db


def shape(nodes):
    """[(number, text, [children...])] of a page, for readable assertions."""
    return [
        (n.number, n.comment.body_markdown if n.shown else "<placeholder>", shape(n.children))
        for n in nodes
    ]


@pytest.fixture
def people(make_user):
    return [make_user(f"user{i}") for i in range(4)]


def test_tree_is_nested_and_numbered_per_level(people):
    t = make_thread()
    a = add_comment(t, people[0], "a")
    a1 = add_comment(t, people[1], "a1", a)
    add_comment(t, people[2], "a1x", a1)
    add_comment(t, people[3], "a2", a)
    add_comment(t, people[1], "b")
    page = get_thread_page(t, viewer=Viewer())
    assert shape(page.roots) == [
        (1, "a", [(1, "a1", [(1, "a1x", [])]), (2, "a2", [])]),
        (2, "b", []),
    ]


def test_deleted_comment_with_replies_becomes_placeholder_and_without_disappears(people):
    t = make_thread()
    a = add_comment(t, people[0], "a")
    add_comment(t, people[1], "reply to a", a)
    b = add_comment(t, people[0], "b")
    c = add_comment(t, people[2], "c")
    for comment in (a, b):
        actions.delete_comment(user=people[0], comment_id=comment.pk)
    page = get_thread_page(t, viewer=Viewer())
    assert shape(page.roots) == [(1, "<placeholder>", [(1, "reply to a", [])]), (2, "c", [])]
    assert c.pk in [n.comment.pk for n in page.roots]


def test_pending_comment_shows_to_its_author_and_moderators_only(people):
    t = make_thread()
    add_comment(t, people[1], "visible")
    add_comment(t, people[0], "held", status=CommentStatus.PENDING)
    everyone = get_thread_page(t, viewer=Viewer())
    author = get_thread_page(t, viewer=Viewer(user_id=people[0].pk))
    moderator = get_thread_page(t, viewer=Viewer(user_id=people[3].pk, is_moderator=True))
    assert [n.comment.body_markdown for n in everyone.roots] == ["visible"]
    assert [n.comment.body_markdown for n in author.roots] == ["visible", "held"]
    assert [n.comment.body_markdown for n in moderator.roots] == ["visible", "held"]


def test_pages_hold_whole_subtrees_and_number_on(people, settings):
    settings.VECHE_PAGE_SIZE = 4
    t = make_thread()
    for i in range(3):
        root = add_comment(t, people[0], f"root{i}")
        add_comment(t, people[1], f"reply{i}", root)
    first = get_thread_page(t, viewer=Viewer(), page=1)
    second = get_thread_page(t, viewer=Viewer(), page=2)
    assert first.page_count == 2
    assert shape(first.roots) == [
        (1, "root0", [(1, "reply0", [])]),
        (2, "root1", [(1, "reply1", [])]),
    ]
    assert shape(second.roots) == [(3, "root2", [(1, "reply2", [])])]


def test_a_subtree_bigger_than_a_page_shows_its_start_and_the_rest_on_demand(people, settings):
    settings.VECHE_PAGE_SIZE = 5
    t = make_thread()
    root = add_comment(t, people[0], "big")
    replies = [add_comment(t, people[1], f"r{i}", root) for i in range(7)]
    page = get_thread_page(t, viewer=Viewer())
    [node] = page.roots
    assert [c.comment.body_markdown for c in node.children] == ["r0", "r1", "r2", "r3"]
    assert node.more_replies == 3
    rest = get_continued_thread(root, viewer=Viewer(), after=node.more_after)
    assert [n.comment.body_markdown for n in rest.roots] == ["r4", "r5", "r6"]
    assert [n.number for n in rest.roots] == [5, 6, 7]
    kind, where, after = locate_comment(replies[5], viewer=Viewer())
    assert (kind, where) == ("continue", root.pk)
    assert replies[5].pk in [
        n.comment.pk for n in get_continued_thread(root, viewer=Viewer(), after=after).roots
    ]


def test_replies_beyond_the_visual_depth_continue_on_their_own_view(people, settings):
    settings.VECHE_VISUAL_DEPTH = 3
    t = make_thread()
    chain = [add_comment(t, people[0], "d0")]
    for depth in range(1, 6):
        chain.append(add_comment(t, people[depth % 4], f"d{depth}", chain[-1]))
    page = get_thread_page(t, viewer=Viewer())
    node = page.roots[0].children[0].children[0]
    assert node.comment.body_markdown == "d2" and node.children == [] and node.continues
    assert locate_comment(chain[4], viewer=Viewer())[:2] == ("continue", chain[2].pk)
    continued = get_continued_thread(chain[2], viewer=Viewer())
    assert shape(continued.roots) == [(1, "d3", [(1, "d4", [(1, "d5", [])])])]


def test_sort_orders(people):
    t = make_thread()
    old = add_comment(t, people[0], "old")
    new = add_comment(t, people[0], "new")
    for voter in people[1:]:
        actions.vote_comment(user=voter, comment_id=new.pk, value=1)
    actions.vote_comment(user=people[1], comment_id=old.pk, value=-1)
    texts = {
        sort: [
            n.comment.body_markdown for n in get_thread_page(t, viewer=Viewer(), sort=sort).roots
        ]
        for sort in ("oldest", "newest", "best")
    }
    assert texts == {"oldest": ["old", "new"], "newest": ["new", "old"], "best": ["new", "old"]}


def test_viewer_votes_are_marked(people):
    t = make_thread()
    c = add_comment(t, people[0], "x")
    actions.vote_comment(user=people[1], comment_id=c.pk, value=-1)
    page = get_thread_page(t, viewer=Viewer(user_id=people[1].pk))
    assert page.roots[0].my_vote == -1


def test_page_query_count_does_not_grow_with_the_thread(people, django_assert_max_num_queries):
    small, big = make_thread("test:small"), make_thread("test:big")
    grow_thread(small, people, 10, seed=3)
    grow_thread(big, people, 200, seed=3)
    viewer = Viewer(user_id=people[0].pk)
    for thread in (small, big):
        with django_assert_max_num_queries(3):
            page = get_thread_page(thread, viewer=viewer)
        assert page.roots
    total = sum(1 for _ in Comment.objects.filter(thread=big))
    assert total == 200

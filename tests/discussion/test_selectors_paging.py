"""Pages of a thread are bounded by the comments they show, not by top-level comments."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.discussion.factories import add_comment, grow_thread, make_thread
from veche.discussion.selectors import (
    Viewer,
    get_continued_thread,
    get_thread_page,
    locate_comment,
)

pytestmark = pytest.mark.django_db


def shown(nodes) -> int:
    return sum(1 + shown(n.children) for n in nodes)


def all_pages(thread, viewer=None):
    viewer = viewer or Viewer()
    first = get_thread_page(thread, viewer=viewer)
    return [first] + [
        get_thread_page(thread, viewer=viewer, page=n) for n in range(2, first.page_count + 1)
    ]


@pytest.fixture
def people(make_user):
    return [make_user(f"user{i}") for i in range(4)]


def test_every_page_but_the_last_is_nearly_full(people, settings):
    settings.VECHE_PAGE_SIZE = 20
    t = make_thread()
    grow_thread(t, people, 150, seed=5, max_depth=4)  # all above the visual depth
    pages = all_pages(t)
    assert len(pages) >= 7
    for page in pages[:-1]:
        assert 18 <= shown(page.roots) <= 20, page.number
    # Every comment is on a page or behind a "show more" link, none twice.
    seen = [n.comment.pk for p in pages for n in _walk(p.roots)]
    hidden_behind_links = sum(n.more_replies for p in pages for n in p.roots)
    assert len(seen) == len(set(seen))
    assert len(seen) + hidden_behind_links == 150


def _walk(nodes):
    for n in nodes:
        yield n
        yield from _walk(n.children)


def test_first_page_of_a_big_thread_is_the_size_of_a_small_ones(people, settings):
    settings.VECHE_PAGE_SIZE = 20
    small, big = make_thread("test:small"), make_thread("test:big")
    grow_thread(small, people, 40, seed=3)
    grow_thread(big, people, 400, seed=3)
    sizes = [shown(get_thread_page(t, viewer=Viewer()).roots) for t in (small, big)]
    assert all(18 <= size <= 20 for size in sizes), sizes


@pytest.mark.skipif(connection.vendor != "sqlite", reason="counts SQLite's own steps")
def test_reading_a_page_does_not_walk_the_rest_of_the_thread(people, settings):
    # Work is counted in SQLite's virtual-machine steps, which do not move with the
    # machine's load. A page's replies were once read along the whole thread's
    # (thread, path) index: ten times the comments, about ten times the steps.
    settings.VECHE_PAGE_SIZE = 20
    steps = {}
    for roots in (10, 100):
        thread = make_thread(f"test:{roots}")
        for i in range(roots):
            root = add_comment(thread, people[i % 4], f"Root {i}")
            add_comment(thread, people[(i + 1) % 4], f"Reply to {i}", root)
            add_comment(thread, people[(i + 2) % 4], f"Another reply to {i}", root)
        thread.refresh_from_db()  # its version, which names the page layout it keeps
        get_thread_page(thread, viewer=Viewer())
        steps[roots] = sqlite_steps(lambda t=thread: get_thread_page(t, viewer=Viewer()))
    assert steps[100] < 1.5 * steps[10], steps


def sqlite_steps(read) -> int:
    """How many hundred steps SQLite's virtual machine takes for read()."""
    counted = [0]

    def count() -> int:
        counted[0] += 1
        return 0  # go on

    connection.ensure_connection()
    connection.connection.set_progress_handler(count, 100)
    try:
        read()
    finally:
        connection.connection.set_progress_handler(None, 0)
    return counted[0]


def cut_page_thread(people):
    """Page size 10: "first" and 3 replies, "second" and 8 (cut after 5), "third"."""
    t = make_thread()
    first = add_comment(t, people[0], "first")
    for i in range(3):
        add_comment(t, people[1], f"f{i}", first)
    second = add_comment(t, people[0], "second")
    replies = [add_comment(t, people[2], f"s{i}", second) for i in range(8)]
    third = add_comment(t, people[0], "third")
    t.refresh_from_db()
    return t, (first, second, third), replies


def test_a_subtree_cut_at_the_end_of_a_page_continues_on_demand(people, settings):
    settings.VECHE_PAGE_SIZE = 10
    t, (first, second, third), replies = cut_page_thread(people)
    page1 = get_thread_page(t, viewer=Viewer())
    assert [n.comment.pk for n in page1.roots] == [first.pk, second.pk]
    assert shown(page1.roots) == 10
    cut = page1.roots[1]
    assert [n.comment.body_markdown for n in cut.children] == ["s0", "s1", "s2", "s3", "s4"]
    assert cut.more_replies == 3
    page2 = get_thread_page(t, viewer=Viewer(), page=2)
    assert [(n.number, n.comment.pk) for n in page2.roots] == [(3, third.pk)]
    rest = get_continued_thread(second, viewer=Viewer(), after=cut.more_after)
    assert [n.comment.body_markdown for n in rest.roots] == ["s5", "s6", "s7"]
    # Permalinks: a reply shown on the page goes to the page, a later one to the rest.
    assert locate_comment(replies[4], viewer=Viewer()) == ("page", 1, "")
    kind, head, after = locate_comment(replies[6], viewer=Viewer())
    assert (kind, head) == ("continue", second.pk)
    assert replies[6].pk in [
        n.comment.pk for n in get_continued_thread(second, viewer=Viewer(), after=after).roots
    ]
    assert locate_comment(third, viewer=Viewer()) == ("page", 2, "")


def test_a_page_ending_in_a_cut_subtree_reads_its_comments_in_one_query(people, settings):
    from django.test.utils import CaptureQueriesContext

    settings.VECHE_PAGE_SIZE = 10
    t, _, _ = cut_page_thread(people)
    get_thread_page(t, viewer=Viewer())  # the layout of this version, kept
    with CaptureQueriesContext(connection) as queries:
        page = get_thread_page(t, viewer=Viewer())
    comment_reads = [q["sql"] for q in queries.captured_queries
                     if "discussion_comment" in q["sql"] and "COUNT(" not in q["sql"]]
    assert len(comment_reads) == 1, comment_reads
    assert shown(page.roots) == 10 and page.roots[1].more_replies == 3


def test_a_cut_subtree_that_lost_replies_since_its_layout_shows_those_left(people, settings):
    settings.VECHE_PAGE_SIZE = 10
    t, (_, second, _), replies = cut_page_thread(people)
    get_thread_page(t, viewer=Viewer())  # the layout expects 5 of second's replies
    # Gone without a new thread version, as between a layout read and the rows' read.
    type(second).objects.filter(pk__in=[r.pk for r in replies[2:]]).delete()
    cut = get_thread_page(t, viewer=Viewer()).roots[1]
    assert [n.comment.pk for n in cut.children] == [r.pk for r in replies[:2]]
    assert cut.more_replies == 0


def test_a_subtree_that_would_be_cut_to_almost_nothing_moves_to_the_next_page(
    people, settings
):
    settings.VECHE_PAGE_SIZE = 10
    t = make_thread()
    first = add_comment(t, people[0], "first")
    for i in range(8):
        add_comment(t, people[1], f"f{i}", first)
    second = add_comment(t, people[0], "second")
    for i in range(4):
        add_comment(t, people[1], f"s{i}", second)
    page1, page2 = all_pages(t)
    assert [n.comment.pk for n in page1.roots] == [first.pk]
    assert [n.comment.pk for n in page2.roots] == [second.pk]
    assert page2.roots[0].more_replies == 0 and len(page2.roots[0].children) == 4


def test_replies_beyond_the_visual_depth_do_not_count_against_the_page(people, settings):
    settings.VECHE_PAGE_SIZE = 4
    settings.VECHE_VISUAL_DEPTH = 2
    t = make_thread()
    a = add_comment(t, people[0], "a")
    a1 = add_comment(t, people[1], "a1", a)
    for i in range(5):
        add_comment(t, people[2], f"deep{i}", a1)  # on a1's continue view
    b = add_comment(t, people[0], "b")
    add_comment(t, people[1], "b1", b)
    [page] = all_pages(t)
    assert [n.comment.pk for n in page.roots] == [a.pk, b.pk]
    assert page.roots[0].children[0].continues


def test_a_worker_keeps_the_page_layout_of_each_thread_version(people):
    from django.core.cache import cache
    from django.test.utils import CaptureQueriesContext

    def reads_the_roots() -> bool:
        thread.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            get_thread_page(thread, viewer=Viewer())
        return any('"depth" = 0' in q["sql"] for q in queries.captured_queries)

    thread = make_thread()
    for i in range(5):
        add_comment(thread, people[i % 4], f"Root {i}")
    assert reads_the_roots()
    cache.clear()  # the shared cache forgets; this worker's copy names the same version
    assert not reads_the_roots()
    add_comment(thread, people[0], "One more")  # a new version, a new layout
    assert reads_the_roots()


def test_the_count_behind_a_cut_subtree_is_read_once_per_thread_version(people, settings):
    from django.test.utils import CaptureQueriesContext

    def counts_read(viewer) -> tuple[int, int]:
        t.refresh_from_db()
        with CaptureQueriesContext(connection) as queries:
            page = get_thread_page(t, viewer=viewer)
        counts = [q for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
        return len(counts), page.roots[1].more_replies

    settings.VECHE_PAGE_SIZE = 10
    t, (_, second, _), _ = cut_page_thread(people)
    assert counts_read(Viewer()) == (1, 3)
    assert counts_read(Viewer()) == (0, 3)
    assert counts_read(Viewer(user_id=people[2].pk)) == (0, 3)  # the same for every reader
    add_comment(t, people[3], "a late reply", second)  # a new version
    assert counts_read(Viewer()) == (1, 4)
    assert counts_read(Viewer()) == (0, 4)

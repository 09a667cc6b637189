"""Loading page dumps into the database, through the apps' actions."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.importers import pages
from veche.accounts.models import User
from veche.discussion.models import Comment, Thread
from veche.discussion.text import normalise_for_match, plain_text
from veche.importers.page_import import (
    ImportResult,
    PageImportError,
    import_page_file,
    import_page_text,
    plain_to_markdown,
)
from veche.newsroom.models import Article, ArticleStatus, Author, Publication

MOSCOW = ZoneInfo("Europe/Moscow")
OSLO = ZoneInfo("Europe/Oslo")
MODELS = (Publication, Author, Article, Thread, Comment, User)


def key(comment: Comment, zone: ZoneInfo) -> str:
    return f"{comment.author_name}@{timezone.localtime(comment.created_at, zone):%Y-%m-%d %H:%M}"


def comments_by_key(article: Article, zone: ZoneInfo) -> dict[str, Comment]:
    comments = Comment.objects.filter(thread=article.thread).select_related(
        "parent", "quoted_comment", "author"
    )
    return {key(c, zone): c for c in comments}


def row_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def reference(db) -> ImportResult:
    return import_page_file(pages.REFERENCE)


@pytest.fixture
def harbour(db) -> ImportResult:
    return import_page_file(pages.HARBOUR, time_zone="Europe/Oslo")


def test_reference_article(reference):
    article = Article.objects.get(pk=reference.article.pk)
    assert reference.created
    assert article.title == pages.REF_TITLE
    assert article.slug == "caliphate-is-getting-closer-to-russia"
    assert article.author.name == pages.REF_AUTHOR
    assert article.is_exclusive is True
    assert article.status == ArticleStatus.PUBLISHED
    assert article.language == "en"
    assert article.import_key.startswith("page:") and len(article.import_key) == 5 + 64
    assert article.lead.startswith("Islamist terrorists are defeated")
    assert article.body_html.count("<p>") == pages.REF_BODY_PARAGRAPHS
    # No date in the dump: 09:00 Moscow on the day of the first comment (5 December).
    assert article.published_at == datetime(2017, 12, 5, 6, 0, tzinfo=UTC)
    assert article.thread is not None and article.is_live
    assert Publication.objects.get().name == "Military Review"
    assert Publication.objects.get().time_zone == "Europe/Moscow"


@pytest.mark.parametrize(
    ("fixture", "zone", "count", "roots", "max_depth", "parents", "descendants", "users"),
    [
        ("reference", MOSCOW, pages.REF_COMMENTS, pages.REF_TOP_LEVEL, pages.REF_MAX_DEPTH,
         pages.REF_PARENTS, pages.REF_DESCENDANTS, pages.REF_USERS),
        ("harbour", OSLO, pages.HARBOUR_COMMENTS, pages.HARBOUR_TOP_LEVEL,
         pages.HARBOUR_MAX_DEPTH, pages.HARBOUR_PARENTS, pages.HARBOUR_DESCENDANTS,
         pages.HARBOUR_USERS),
    ],
)
def test_comment_tree_and_counters(
    request, fixture, zone, count, roots, max_depth, parents, descendants, users
):
    result: ImportResult = request.getfixturevalue(fixture)
    assert (result.comments_created, result.users_created) == (count, users)
    by_key = comments_by_key(result.article, zone)
    assert len(by_key) == count
    assert {k: key(c.parent, zone) if c.parent else None for k, c in by_key.items()} == parents
    assert sum(c.parent is None for c in by_key.values()) == roots
    assert max(c.depth for c in by_key.values()) == max_depth
    thread = Thread.objects.get(pk=result.article.thread_id)
    assert thread.comment_count == count
    assert {k: c.descendant_count for k, c in by_key.items() if c.parent is None} == descendants
    for comment in by_key.values():
        assert comment.reply_count == sum(c.parent_id == comment.pk for c in by_key.values())
        assert comment.external_id.count(".") == comment.depth
        assert comment.author.public_name == comment.author_name


def test_reference_times_are_moscow(reference):
    by_key = comments_by_key(reference.article, MOSCOW)
    nexus = by_key["NEXUS@2017-12-05 16:04"]
    assert nexus.created_at == datetime(2017, 12, 5, 13, 4, tzinfo=UTC)
    assert by_key["serge siberian@2017-12-08 18:56"].created_at == datetime(
        2017, 12, 8, 15, 56, tzinfo=UTC
    )
    assert nexus.external_id == "1"
    assert by_key["Nyrobsky@2017-12-06 00:56"].external_id == "4.1.2"


@pytest.mark.parametrize(
    ("fixture", "zone", "expected"),
    [("reference", MOSCOW, pages.REF_QUOTES), ("harbour", OSLO, pages.HARBOUR_QUOTES)],
)
def test_stored_quotes(request, fixture, zone, expected):
    result: ImportResult = request.getfixturevalue(fixture)
    by_key = comments_by_key(result.article, zone)
    quoting = {k for k, c in by_key.items() if c.quoted_text}
    assert quoting == set(expected)
    for k, (source, quote_start, reply) in expected.items():
        comment = by_key[k]
        assert comment.quoted_text.startswith(quote_start), k
        text = plain_text(comment.body_html).strip()
        assert pages.reply_matches(" ".join(text.split()), " ".join(reply.split())), k
        assert normalise_for_match(comment.quoted_text) not in normalise_for_match(text), k
        if source == pages.ARTICLE:
            assert comment.quotes_target and comment.quoted_comment is None, k
            assert comment.quoted_author_name == result.article.title
        else:
            assert not comment.quotes_target, k
            assert key(comment.quoted_comment, zone) == source, k
            assert comment.quoted_author_name == comment.quoted_comment.author_name
            # As post_comment would have required of a reader's quote.
            assert normalise_for_match(comment.quoted_text) in normalise_for_match(
                plain_text(comment.quoted_comment.body_html)
            ), k


def test_harbour_quote_of_a_non_parent_and_zone(harbour):
    by_key = comments_by_key(harbour.article, OSLO)
    torvald = by_key["Torvald@2020-02-03 10:47"]
    assert torvald.quoted_comment != torvald.parent
    assert torvald.created_at == datetime(2020, 2, 3, 9, 47, tzinfo=UTC)
    # The first comment (08:15) came before nine: the article is dated at it.
    assert harbour.article.published_at == datetime(2020, 2, 3, 7, 15, tzinfo=UTC)
    assert harbour.article.author.name == pages.HARBOUR_AUTHOR
    assert Publication.objects.get().name == pages.HARBOUR_PUBLICATION
    assert Publication.objects.get().time_zone == "Europe/Oslo"


def test_bodies_render_as_the_dumps_text(reference, harbour):
    sigrid_key, sigrid_text = pages.HARBOUR_MULTI_PARAGRAPH
    sigrid = comments_by_key(harbour.article, OSLO)[sigrid_key]
    assert sigrid.body_html.count("<p>") == 3
    assert sigrid.body_markdown == sigrid_text
    skipper_key, skipper_text = pages.HARBOUR_LIST_COMMENT
    skipper = comments_by_key(harbour.article, OSLO)[skipper_key]
    assert "<li>" not in skipper.body_html and skipper.body_html.count("<br>") == 2
    assert plain_text(skipper.body_html).split() == skipper_text.split()
    michelson = comments_by_key(reference.article, MOSCOW)["M. Michelson@2017-12-06 05:37"]
    assert "<li>" not in michelson.body_html and "* prohibited" in michelson.body_html


def test_plain_to_markdown_escapes_what_markdown_would_act_on():
    assert plain_to_markdown("* a\n- b\n1. c\n16 November\n> d\n[x](y) _e_") == (
        "\\* a\n\\- b\n1\\. c\n16 November\n\\> d\n\\[x\\](y) \\_e\\_"
    )


def test_reimport_changes_nothing(reference):
    before = row_counts()
    ids = set(Comment.objects.values_list("pk", flat=True))
    thread = Thread.objects.get(pk=reference.article.thread_id)
    again = import_page_file(pages.REFERENCE)
    assert not again.created
    assert again.article.pk == reference.article.pk
    assert (again.comments_created, again.users_created) == (0, 0)
    assert row_counts() == before
    assert set(Comment.objects.values_list("pk", flat=True)) == ids
    assert Thread.objects.get(pk=thread.pk).version == thread.version


def test_reimport_ignores_line_endings_and_trailing_spaces(reference):
    text = pages.REFERENCE.read_text(encoding="utf-8").replace("\n", "  \r\n")
    assert not import_page_text(text).created


def test_imported_users(reference):
    users = User.objects.filter(is_imported=True)
    assert users.count() == pages.REF_USERS
    assert not any(u.has_usable_password() for u in users)
    assert User.objects.get(username="Same_lech").display_name == "Same lech"
    assert User.objects.get(username="M._Michelson").display_name == "M. Michelson"
    # Another page with the same readers: their accounts are reused, none made.
    text = pages.REFERENCE.read_text(encoding="utf-8").replace(
        pages.REF_TITLE, "Another article, the same readers"
    )
    other = import_page_text(text)
    assert other.created and other.users_created == 0
    assert User.objects.count() == pages.REF_USERS
    first = comments_by_key(reference.article, MOSCOW)
    second = comments_by_key(other.article, MOSCOW)
    assert {k: c.author_id for k, c in second.items()} == {
        k: c.author_id for k, c in first.items()
    }
    assert other.article.slug == "another-article-the-same-readers"
    assert Author.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["bad header", "skipped number",
                                  "indentation jumps two levels", "reply before any root",
                                  "reply older than its parent"])
def test_malformed_dump_stores_nothing(case, tmp_path):
    from tests.importers.test_page_dump import MALFORMED

    text, bad_line, message = MALFORMED[case]
    path = tmp_path / "page.txt"
    path.write_text(text, encoding="utf-8")
    before = row_counts()
    with pytest.raises(PageImportError, match=f"^line {pages.line_of(text, bad_line)}: ") as e:
        import_page_file(path)
    assert message in str(e.value)
    with pytest.raises(CommandError, match=f"line {pages.line_of(text, bad_line)}: "):
        call_command("import_page", str(path), stdout=StringIO())
    assert row_counts() == before == dict.fromkeys(before, 0)


@pytest.mark.django_db
def test_failure_after_the_first_rows_rolls_everything_back(monkeypatch):
    # The last comment fails to save: the article, users and other comments go too.
    from veche.importers import page_import

    real = page_import.do_create_comment

    def failing(**kwargs):
        if kwargs["external_id"] == "11":
            raise RuntimeError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(page_import, "do_create_comment", failing)
    with pytest.raises(RuntimeError):
        import_page_file(pages.REFERENCE)
    assert row_counts() == dict.fromkeys(row_counts(), 0)


@pytest.mark.django_db
def test_unknown_time_zone():
    with pytest.raises(PageImportError, match="unknown time zone 'Mars/Olympus'"):
        import_page_file(pages.HARBOUR, time_zone="Mars/Olympus")
    assert row_counts() == dict.fromkeys(row_counts(), 0)


@pytest.mark.django_db
def test_command_summary_then_already_imported():
    out = StringIO()
    call_command("import_page", str(pages.REFERENCE), stdout=out)
    summary = out.getvalue()
    assert pages.REF_TITLE in summary
    assert f"{pages.REF_COMMENTS} comments created" in summary
    assert f"{pages.REF_USERS} users created" in summary
    out = StringIO()
    call_command("import_page", str(pages.REFERENCE), stdout=out)
    assert "already imported" in out.getvalue()
    assert Comment.objects.count() == pages.REF_COMMENTS


@pytest.mark.django_db
def test_command_options():
    out = StringIO()
    call_command(
        "import_page", str(pages.HARBOUR), publication="Gazette", time_zone="Europe/Oslo",
        stdout=out,
    )
    assert Publication.objects.get().name == "Gazette"
    assert "11 comments created, 6 users created" in out.getvalue()
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_page", "/nonexistent/page.txt", stdout=StringIO())

"""`veche import` on a Disqus export (tests/importers/fixtures/disqus-export.xml)."""

from __future__ import annotations

from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.newsroom.factories import make_article
from veche.accounts.models import User
from veche.discussion.models import Comment, Thread
from veche.importers.detect import detect_format

FIXTURE = Path(__file__).parent / "fixtures" / "disqus-export.xml"

pytestmark = pytest.mark.django_db


def run_import(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import", str(path), "--no-progress", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def by_ext(ext: str) -> Comment:
    return Comment.objects.get(external_id=f"disqus:{ext}")


@pytest.fixture
def article():
    return make_article("The ferry returns", slug="ferry-returns")


def test_detects_the_format():
    assert detect_format(FIXTURE) == "disqus"


def test_imports_threads_comments_and_accounts(article):
    output = run_import(FIXTURE)

    # The thread whose link path is the article's URL is the article's thread.
    ferry = Thread.objects.get(pk=article.thread_id)
    budget = Thread.objects.get(
        target_key="url:https://old.harbour-gazette.example/2017/12/budget-vote/"
    )
    assert budget.title == "Council budget vote postponed"
    assert budget.url == "https://old.harbour-gazette.example/2017/12/budget-vote/"
    assert budget.is_open is False
    # Deleted thread (7003) and a thread without posts (7004) are not created.
    assert Thread.objects.count() == 2
    assert not Thread.objects.filter(target_key__contains="test-page").exists()
    assert not Thread.objects.filter(target_key__contains="about").exists()

    assert Comment.objects.filter(thread=ferry).count() == 7
    assert Comment.objects.filter(thread=budget).count() == 1
    statuses = {c.external_id: c.status for c in Comment.objects.all()}
    assert statuses == {
        "disqus:9001": "published",
        "disqus:9002": "published",
        "disqus:9003": "published",
        "disqus:9004": "pending",
        "disqus:9005": "spam",
        "disqus:9006": "deleted",
        "disqus:9007": "published",
        "disqus:9008": "published",
    }
    # Parents, including the reply that came before its parent in the file.
    assert by_ext("9001").parent is None
    assert by_ext("9002").parent == by_ext("9001")
    assert by_ext("9003").parent == by_ext("9002")
    assert by_ext("9004").parent == by_ext("9003")
    assert by_ext("9004").depth == 3
    assert by_ext("9004").root == by_ext("9001")
    assert by_ext("9004").path.startswith(by_ext("9001").path)
    # The deleted comment stays as a placeholder that keeps its reply.
    assert by_ext("9007").parent == by_ext("9006")
    assert by_ext("9006").reply_count == 1
    assert by_ext("9001").descendant_count == 3

    # Counters: published only.
    ferry.refresh_from_db()
    assert ferry.comment_count == 4
    assert ferry.last_comment_at == datetime(2017, 12, 5, 17, 30, tzinfo=UTC)

    # Dates stay UTC.
    assert by_ext("9001").created_at == datetime(2017, 12, 5, 13, 4, tzinfo=UTC)

    # Accounts: one per e-mail (Maria appears three times, once with other case).
    imported = User.objects.filter(is_imported=True).order_by("username")
    assert [(u.username, u.claim_email, u.imported_from) for u in imported] == [
        ("Cheap_Pills", "pills@spam.example", "disqus"),
        ("Maria_Ivanova", "maria.ivanova@example.com", "disqus"),
        ("Oleg_Petrov", "oleg@example.net", "disqus"),
    ]
    maria = User.objects.get(username="Maria_Ivanova")
    assert not maria.has_usable_password()
    assert set(Comment.objects.filter(author=maria).values_list("external_id", flat=True)) == {
        "disqus:9001", "disqus:9004", "disqus:9008",
    }
    # Guests: anonymous, and without an e-mail address.
    for ext, name in (("9003", "Passer-by"), ("9007", "Curious Reader")):
        assert by_ext(ext).author is None
        assert by_ext(ext).author_name == name
    assert by_ext("9001").ip_address == "203.0.113.7"
    assert by_ext("9002").ip_address is None  # "not-an-address"

    assert "Threads: 1 created, 1 existing used, 1 without comments not created" in output
    assert "Comments created: 8, deleted 1, pending 1, published 5, spam 1" in output
    assert "Accounts created: 3; comments by guests: 2" in output
    assert "Skipped: 1; in a thread deleted on Disqus: 1" in output


def test_sanitises_html(article):
    run_import(FIXTURE)
    body = by_ext("9002").body_html
    assert "<script" not in body
    assert "onclick" not in body
    assert "onerror" not in body
    assert "javascript:" not in body
    assert '<a href="https://example.org/timetable" rel="nofollow ugc noopener">here</a>' in body
    assert by_ext("9001").body_html == (
        "<p>Finally! Good news for the island.</p><p>Took them long enough.</p>"
    )
    assert by_ext("9001").body_markdown == (
        "Finally! Good news for the island.\n\nTook them long enough."
    )
    assert by_ext("9004").body_html == "<p>Yes, twice a day &amp; on Sundays.</p>"


def test_reimport_changes_nothing(article):
    run_import(FIXTURE)
    before = list(Comment.objects.order_by("pk").values())
    threads = list(Thread.objects.order_by("pk").values())
    users = User.objects.count()
    output = run_import(FIXTURE)
    assert list(Comment.objects.order_by("pk").values()) == before
    assert list(Thread.objects.order_by("pk").values()) == threads
    assert User.objects.count() == users
    assert "Comments created: 0" in output
    assert "Already imported (unchanged): 8" in output


def test_dry_run_stores_nothing(article):
    output = run_import(FIXTURE, "--dry-run")
    assert "dry run" in output
    assert "Comments created: 8" in output
    assert Comment.objects.count() == 0
    assert User.objects.filter(is_imported=True).count() == 0


def test_without_matching_article_every_thread_is_by_url():
    run_import(FIXTURE)
    assert set(Thread.objects.values_list("target_key", flat=True)) == {
        "url:https://www.harbour-gazette.example/articles/ferry-returns/",
        "url:https://old.harbour-gazette.example/2017/12/budget-vote/",
    }


HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">\n'
    '  <thread dsq:id="1"><link>https://x.example/a/</link><title>A</title></thread>\n'
)


def post(pid: int, *, thread: int = 1, parent: int | None = None) -> str:
    parent_el = f'<parent dsq:id="{parent}"/>' if parent else ""
    return (
        f'  <post dsq:id="{pid}"><message><![CDATA[<p>p{pid}</p>]]></message>'
        "<createdAt>2017-12-05T13:04:00Z</createdAt><isDeleted>false</isDeleted>"
        "<isSpam>false</isSpam><author><name>G</name><isAnonymous>true</isAnonymous>"
        f'</author><thread dsq:id="{thread}"/>{parent_el}</post>\n'
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (post(10) + post(11, thread=2), "line 5: comment disqus:11 refers to thread 2"),
        (post(10) + post(11, parent=99), "line 5: comment disqus:11 replies to disqus:99, "
         "which never appears"),
        (post(10) + "  <post dsq:id='12'><message>unclosed</post>\n",
         "line 5: the file is not well-formed XML"),
        (post(10).replace("2017-12-05T13:04:00Z", "yesterday"),
         "line 4: createdAt 'yesterday' is not a date"),
    ],
)
def test_malformed_file_names_the_line_and_stores_nothing(tmp_path, body, message):
    path = tmp_path / "bad.xml"
    path.write_text(HEAD + body + "</disqus>\n")
    with pytest.raises(CommandError) as info:
        run_import(path)
    assert message in str(info.value)
    assert Comment.objects.count() == 0
    assert Thread.objects.count() == 0
    assert User.objects.count() == 0


def test_unknown_xml_is_refused(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>\n')
    with pytest.raises(CommandError, match="neither a Disqus export"):
        run_import(path)


def test_entities_are_not_expanded(tmp_path):
    path = tmp_path / "bomb.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE disqus [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        + HEAD.split("\n", 1)[1]
        + post(10).replace("<p>p10</p>", "&b;")
        + "</disqus>\n"
    )
    run_import(path)
    assert "aaaaaaaaaa" not in by_ext("10").body_html


def test_admin_upload_is_staff_only_and_imports(client, make_user, article, settings):
    settings.VECHE_MFA_REQUIRED = False  # staff must otherwise set up a second factor
    reader = make_user("plainreader")
    client.force_login(reader)
    assert client.get("/admin/import/").status_code == 302  # to the admin login
    staff = make_user("staffer", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/import/").status_code == 200
    with FIXTURE.open("rb") as handle:
        response = client.post("/admin/import/", {"file": handle, "dry_run": "on"})
    assert response.status_code == 200
    assert "Comments created: 8" in response.content.decode()
    assert Comment.objects.count() == 0
    with FIXTURE.open("rb") as handle:
        response = client.post("/admin/import/", {"file": handle})
    assert Comment.objects.count() == 8

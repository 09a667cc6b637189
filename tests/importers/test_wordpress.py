"""`veche import` on a WordPress export (tests/importers/fixtures/wordpress-export.xml)."""

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

FIXTURE = Path(__file__).parent / "fixtures" / "wordpress-export.xml"

pytestmark = pytest.mark.django_db


def run_import(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("import", str(path), "--no-progress", "--time-zone", "Europe/Berlin", *args,
                 stdout=out, stderr=StringIO())
    return out.getvalue()


def by_ext(ext: str) -> Comment:
    return Comment.objects.get(external_id=f"wxr:{ext}")


@pytest.fixture
def article():
    return make_article("Tram line opens", slug="tram-line-opens")


def test_detects_the_format(tmp_path):
    assert detect_format(FIXTURE) == "wordpress"
    for version in ("1.1", "1.0"):
        old = tmp_path / f"wxr-{version}.xml"
        old.write_text(FIXTURE.read_text().replace("export/1.2/", f"export/{version}/"))
        assert detect_format(old) == "wordpress"


def test_imports_comments(article):
    output = run_import(FIXTURE)
    hello = Thread.objects.get(
        target_key="url:https://blog.harbour.example/2016/07/hello-harbour/"
    )
    assert hello.title == "Hello harbour"
    assert hello.is_open
    tram = Thread.objects.get(pk=article.thread_id)
    assert Thread.objects.count() == 2  # the About page had no comments
    assert {c.external_id: c.status for c in Comment.objects.all()} == {
        "wxr:21": "published",
        "wxr:22": "published",
        "wxr:23": "published",
        "wxr:24": "pending",
        "wxr:25": "spam",
        "wxr:26": "deleted",
        "wxr:27": "published",
        "wxr:41": "published",
    }
    assert by_ext("41").thread == tram
    assert by_ext("22").parent == by_ext("21")
    assert by_ext("23").parent == by_ext("22")  # came before its parent
    assert by_ext("23").depth == 2
    assert by_ext("24").parent == by_ext("21")
    assert by_ext("27").parent == by_ext("26")
    # GMT is used; CEST (+2) local time is ignored when GMT is there.
    assert by_ext("21").created_at == datetime(2016, 7, 14, 13, 30, tzinfo=UTC)
    # GMT 0000-00-00: the local time is read in the site's zone (CET, +1, in December).
    assert by_ext("24").created_at == datetime(2016, 12, 1, 9, 0, tzinfo=UTC)
    anna = User.objects.get(claim_email="anna@example.de")
    assert anna.is_imported and anna.imported_from == "wordpress"
    assert anna.display_name == "Anna Schmidt"
    assert list(Comment.objects.filter(author=anna).values_list("external_id", flat=True)
                .order_by("external_id")) == ["wxr:21", "wxr:22"]
    assert User.objects.filter(is_imported=True).count() == 3
    for ext in ("23", "27", "41"):
        assert by_ext(ext).author is None
    assert by_ext("23").author_name == "Klaus"
    # Paragraphs and breaks as WordPress shows them; the rest sanitised.
    body = by_ext("21").body_html
    assert body.startswith("<p>Welcome aboard!</p><p>Second paragraph<br>")
    for bad in ("<script", "onclick", "javascript:"):
        assert bad not in body
    assert "Skipped: 1; pingback (use --keep-pingbacks to keep): 1" in output
    assert "Comments created: 8, deleted 1, pending 1, published 5, spam 1" in output
    assert "Accounts created: 3; comments by guests: 3" in output


def test_keep_pingbacks(article):
    output = run_import(FIXTURE, "--keep-pingbacks")
    ping = by_ext("28")
    assert ping.author is None
    assert ping.author_name == "[pingback] Quay Watchers » Links of the week"
    assert ping.body_html.startswith("<p><em>Pingback</em></p>")
    assert "Skipped: 0" in output
    assert "Comments created: 9" in output


def test_reimport_changes_nothing(article):
    run_import(FIXTURE)
    before = list(Comment.objects.order_by("pk").values())
    output = run_import(FIXTURE)
    assert list(Comment.objects.order_by("pk").values()) == before
    assert "Already imported (unchanged): 8" in output


def test_bad_status_names_the_line_and_stores_nothing(tmp_path, article):
    text = FIXTURE.read_text()
    bad = text.replace("<wp:comment_approved><![CDATA[spam]]>", "<wp:comment_approved>maybe")
    path = tmp_path / "bad.xml"
    path.write_text(bad)
    line = next(n for n, s in enumerate(bad.splitlines(), 1) if "<wp:comment_id>25<" in s) - 1
    with pytest.raises(CommandError, match=f"line {line}: wp:comment_approved 'maybe'"):
        run_import(path)
    assert Comment.objects.count() == 0
    assert User.objects.filter(is_imported=True).count() == 0


def test_truncated_file_is_refused(tmp_path):
    path = tmp_path / "cut.xml"
    path.write_text(FIXTURE.read_text()[:6000])
    with pytest.raises(CommandError, match=r"line \d+: the file is not well-formed XML"):
        run_import(path)
    assert Comment.objects.count() == 0
    assert Thread.objects.count() == 0

"""Legal labels after the first mention, at render time only."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from tests.discussion.factories import add_comment
from veche.discussion.models import Comment
from veche.discussion.web import render_discussion
from veche.moderation.legal import label_html
from veche.moderation.models import DesignatedOrganisation

LABEL = "banned in the Russian Federation"


def org():
    return DesignatedOrganisation.objects.create(
        name="Islamic State", forms="IG\nISIS\nIslamic State\nИсламское государство\nИГИЛ",
    )


def test_label_once_per_comment_and_stored_html_unchanged(thread, make_user):
    org()
    text = "ISIS did it.\n\nThen the Islamic State said... ISIS again."
    comment = add_comment(thread, make_user(), text)
    stored = Comment.objects.get(pk=comment.pk).body_html
    other = add_comment(thread, make_user(), "Also **ISIS**.")
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    html = render_discussion(request, thread).html
    assert html.count(f"({LABEL})") == 2  # once in each comment
    assert f"ISIS ({LABEL}) did it." in html
    assert Comment.objects.get(pk=comment.pk).body_html == stored
    assert LABEL not in stored and LABEL not in Comment.objects.get(pk=other.pk).body_html


def test_russian_inflections_and_acronym_case(db):
    org()
    html = "<p>Боевики Исламского государства и ИГИЛ.</p><p>Запрещённое ИГ.</p>"
    out = label_html(html)
    assert out.count(LABEL) == 1
    assert f"Исламского государства ({LABEL})" in out
    assert label_html("<p>big ig word</p>") == "<p>big ig word</p>"
    assert label_html("<pre><code>ISIS</code></pre>") == "<pre><code>ISIS</code></pre>"


def test_article_page_labels_the_body(client, db):
    from tests.newsroom.factories import make_article

    org()
    article = make_article(body_markdown="A report on ISIS. ISIS again.")
    page = client.get(article.get_absolute_url()).content.decode()
    assert page.count(f"ISIS ({LABEL})") == 1
    article.refresh_from_db()
    assert LABEL not in article.body_html


def test_a_change_is_seen_at_once(db):
    o = org()
    assert LABEL in label_html("<p>ISIS</p>")
    o.label = "designated"
    o.save()
    assert "(designated)" in label_html("<p>ISIS</p>")
    o.delete()
    assert label_html("<p>ISIS</p>") == "<p>ISIS</p>"

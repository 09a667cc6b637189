"""Download my data, delete my account (both VECHE_ACCOUNT_DELETION_COMMENTS modes)."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress

from tests.discussion.factories import add_comment, make_thread
from veche.accounts.models import User
from veche.discussion import actions
from veche.discussion.models import CommentRevision, Thread, Vote

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(client, make_user):
    reader = make_user("leaver", display_name="Leaver")
    other = make_user("stayer")
    thread = make_thread("test:pd", title="Harbour news", url="/articles/harbour/")
    mine = add_comment(thread, reader, "My *words*")
    reply = add_comment(thread, other, "A reply to you", parent=mine,
                        quoted_comment=mine, quoted_text="words")
    theirs = add_comment(thread, other, "Their comment")
    actions.edit_comment(user=reader, comment_id=mine.pk, body="My *words*, edited")
    actions.vote_comment(user=reader, comment_id=theirs.pk, value=1)
    actions.vote_comment(user=other, comment_id=mine.pk, value=-1)
    client.force_login(reader)
    return reader, other, thread, mine, reply, theirs


def test_download_my_data(client, scene):
    _reader, _other, _thread, mine, _reply, theirs = scene
    response = client.get("/settings/my-data.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["username"] == "leaver"
    assert data["profile"]["display_name"] == "Leaver"
    assert data["email_addresses"] == [
        {"email": "leaver@example.org", "verified": True, "primary": True}
    ]
    assert [(c["id"], c["thread_title"], c["thread_url"], c["status"])
            for c in data["comments"]] == [(mine.pk, "Harbour news", "/articles/harbour/",
                                            "published")]
    assert data["comments"][0]["body_markdown"] == "My *words*, edited"
    assert [(v["comment_id"], v["value"]) for v in data["votes"]] == [(theirs.pk, 1)]
    assert "pw-" not in response.content.decode()


def test_settings_page_offers_both(client, scene):
    html = client.get("/settings/").content.decode()
    assert 'href="/settings/my-data.json"' in html
    assert 'action="/settings/delete/"' in html


def test_wrong_password_deletes_nothing(client, scene):
    reader = scene[0]
    response = client.post("/settings/delete/", {"password": "wrong"})
    assert response.status_code == 302
    assert User.objects.filter(pk=reader.pk).exists()
    assert Vote.objects.filter(user=reader).count() == 1


def test_get_is_not_allowed(client, scene):
    assert client.get("/settings/delete/").status_code == 405


def _delete(client):
    response = client.post("/settings/delete/", {"password": "pw-Secret-123"})
    assert response.status_code == 302
    return response


def test_delete_anonymises_comments(client, scene, settings):
    settings.VECHE_ACCOUNT_DELETION_COMMENTS = "anonymise"
    reader, _other, thread, mine, reply, theirs = scene
    count_before = Thread.objects.get(pk=thread.pk).comment_count
    _delete(client)
    assert not User.objects.filter(pk=reader.pk).exists()
    assert not EmailAddress.objects.filter(email="leaver@example.org").exists()
    mine.refresh_from_db()
    assert mine.author is None and mine.author_name == "deleted user"
    assert mine.status == "published"
    assert mine.body_markdown == "My *words*, edited"
    assert mine.ip_address is None
    reply.refresh_from_db()
    assert reply.quoted_author_name == "deleted user"
    theirs.refresh_from_db()
    assert (theirs.upvotes, theirs.score) == (0, 0)
    assert Thread.objects.get(pk=thread.pk).comment_count == count_before
    # The session is gone.
    assert client.get("/settings/").status_code == 302


def test_delete_removes_comments(client, scene, settings):
    settings.VECHE_ACCOUNT_DELETION_COMMENTS = "remove"
    reader, other, thread, mine, reply, theirs = scene
    count_before = Thread.objects.get(pk=thread.pk).comment_count
    assert "Your comments will be removed" in client.get("/settings/").content.decode()
    _delete(client)
    assert not User.objects.filter(pk=reader.pk).exists()
    mine.refresh_from_db()
    assert mine.status == "deleted"
    assert (mine.body_markdown, mine.body_html) == ("", "")
    assert mine.author is None and mine.author_name == "deleted user"
    assert not CommentRevision.objects.filter(comment=mine).exists()
    # The reply by someone else stays under the placeholder.
    reply.refresh_from_db()
    assert reply.parent_id == mine.pk and reply.status == "published"
    assert Thread.objects.get(pk=thread.pk).comment_count == count_before - 1
    theirs.refresh_from_db()
    assert theirs.upvotes == 0
    # Others' votes on the removed comment stay (it is a placeholder now).
    assert list(Vote.objects.values_list("user_id", "comment_id")) == [(other.pk, mine.pk)]

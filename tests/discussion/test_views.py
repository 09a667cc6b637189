"""The discussion's web endpoints: forms that keep typed text, clear 4xx, no 500s."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.discussion.factories import add_comment, make_thread
from veche.discussion import actions
from veche.discussion.models import Comment, CommentStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    return make_thread("test:views", title="Caliphate is getting closer", url="/t/views/")


@pytest.fixture
def reader(make_user):
    return make_user("reader")


@pytest.fixture
def signed_in(client, reader):
    client.force_login(reader)
    return client


def post_url(thread):
    return reverse("discussion:post", args=[thread.pk])


def test_posting_redirects_to_the_new_comment(signed_in, thread):
    response = signed_in.post(post_url(thread), {"body": "Well said", "client_token": "t1"})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("discussion:permalink", args=[comment.pk])
    follow = signed_in.get(response["Location"])
    assert follow.status_code == 302 and follow["Location"] == f"/t/views/#c{comment.pk}"


def test_double_submit_through_the_form_makes_one_comment(signed_in, thread):
    for _ in range(2):
        signed_in.post(post_url(thread), {"body": "Once only", "client_token": "same"})
    assert Comment.objects.count() == 1


def test_failed_post_gives_the_typed_text_back(signed_in, thread, settings):
    settings.VECHE_COMMENT_MAX_LENGTH = 10
    response = signed_in.post(post_url(thread), {"body": "This text is far too long"})
    assert response.status_code == 400
    assert b"This text is far too long" in response.content
    assert b"the limit is 10" in response.content
    assert Comment.objects.count() == 0


def test_anonymous_post_is_refused_with_text_kept(client, thread):
    response = client.post(post_url(thread), {"body": "Anonymous words"})
    assert response.status_code == 401
    assert b"Anonymous words" in response.content and b"Sign in" in response.content
    assert Comment.objects.count() == 0


def test_missing_csrf_token_is_403_and_keeps_text(reader, thread):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    response = client.post(post_url(thread), {"body": "Kept despite CSRF"})
    assert response.status_code == 403
    assert b"Kept despite CSRF" in response.content
    assert Comment.objects.count() == 0


def test_closed_thread_answers_403(signed_in, thread):
    actions.update_thread(thread, is_open=False)
    response = signed_in.post(post_url(thread), {"body": "Late"})
    assert response.status_code == 403 and b"closed" in response.content


def test_malformed_fields_are_400_not_500(signed_in, thread):
    response = signed_in.post(post_url(thread), {"body": "x", "parent": "not-a-number"})
    assert response.status_code == 400
    response = signed_in.post(post_url(thread), {"body": "x", "parent": "999999"})
    assert response.status_code == 400 and b"does not exist" in response.content
    assert Comment.objects.count() == 0


def test_unknown_thread_and_comment_are_404(signed_in, client):
    assert signed_in.post("/t/424242/post/", {"body": "x"}).status_code == 404
    # Before the malformed field, as JSON too, and before the refusal of a guest.
    assert signed_in.post("/t/424242/post/", {"body": "x", "parent": "no"},
                          HTTP_ACCEPT="application/json").status_code == 404
    assert client.post("/t/424242/post/", {"body": "x"}).status_code == 404
    assert signed_in.get("/c/424242/").status_code == 404
    assert signed_in.get("/c/424242/reply/").status_code == 404


def test_json_clients_get_201_and_machine_readable_errors(signed_in, thread):
    ok = signed_in.post(post_url(thread), {"body": "Hi"}, HTTP_ACCEPT="application/json")
    assert ok.status_code == 201 and ok.json()["status"] == "published"
    bad = signed_in.post(post_url(thread), {"body": ""}, HTTP_ACCEPT="application/json")
    assert bad.status_code == 400
    assert bad.json() == {"code": "empty", "message": "The comment is empty.", "field": "body"}


def test_reply_page_without_javascript_quotes_the_comment(signed_in, thread, make_user):
    nexus = make_user("NEXUS")
    source = add_comment(thread, nexus, "So let's see.")
    page = signed_in.get(reverse("discussion:reply", args=[source.pk]) + "?quote=1")
    assert page.status_code == 200
    assert b'name="parent" value="%d"' % source.pk in page.content
    assert b"So let&#x27;s see." in page.content or b"So let&#39;s see." in page.content
    response = signed_in.post(
        post_url(thread),
        {
            "body": "Agreed",
            "parent": source.pk,
            "quote_comment": source.pk,
            "quote_text": "let's see",
        },
    )
    assert response.status_code == 302
    reply = Comment.objects.get(parent=source)
    assert reply.quoted_comment_id == source.pk and reply.quoted_text == "let's see"


def test_vote_endpoint_json_and_errors(signed_in, thread, make_user, reader):
    other = add_comment(thread, make_user("other"), "Vote me")
    own = add_comment(thread, reader, "Mine")
    url = reverse("discussion:vote", args=[other.pk])
    first = signed_in.post(url, {"value": "1"}, HTTP_X_REQUESTED_WITH="fetch")
    assert first.status_code == 200 and first.json()["score"] == 1
    again = signed_in.post(url, {"value": "1"}, HTTP_X_REQUESTED_WITH="fetch")
    assert again.status_code == 409 and again.json()["code"] == "already_voted"
    mine = signed_in.post(reverse("discussion:vote", args=[own.pk]), {"value": "1"})
    assert mine.status_code == 403 and b"your own comment" in mine.content
    junk = signed_in.post(url, {"value": "7"}, HTTP_X_REQUESTED_WITH="fetch")
    assert junk.status_code == 400


def test_edit_and_delete_pages(signed_in, thread, reader, make_user):
    mine = add_comment(thread, reader, "Tyop")
    theirs = add_comment(thread, make_user("someone"), "Theirs")
    assert (
        signed_in.post(reverse("discussion:edit", args=[mine.pk]), {"body": "Typo"}).status_code
        == 302
    )
    mine.refresh_from_db()
    assert mine.body_markdown == "Typo"
    assert (
        signed_in.post(reverse("discussion:edit", args=[theirs.pk]), {"body": "x"}).status_code
        == 403
    )
    assert signed_in.post(reverse("discussion:delete", args=[theirs.pk])).status_code == 403
    assert signed_in.post(reverse("discussion:delete", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == CommentStatus.DELETED and theirs.status == CommentStatus.PUBLISHED


def test_user_text_is_escaped_everywhere(signed_in, thread, make_user):
    evil = make_user("evil", display_name="<img src=x onerror=alert(1)>")
    comment = add_comment(thread, evil, "<script>alert(1)</script> *fine*")
    signed_in.post(
        post_url(thread),
        {"body": "reply", "parent": comment.pk, "quote_comment": comment.pk, "quote_text": "fine"},
    )
    page = signed_in.get(reverse("discussion:continue", args=[comment.pk]))
    assert page.status_code == 200
    assert b"<script>alert(1)" not in page.content
    assert b"<img src=x onerror" not in page.content
    assert b"&lt;img src=x onerror=alert(1)&gt;" in page.content


def test_continue_view_rejects_foreign_position(client, thread, reader):
    comment = add_comment(thread, reader, "x")
    response = client.get(reverse("discussion:continue", args=[comment.pk]) + "?after=zzzzzz")
    assert response.status_code == 400

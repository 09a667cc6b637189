"""The JSON API: threads, comments, votes, the caller, tokens, errors."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.discussion.factories import add_comment
from veche.api.models import ApiToken
from veche.api.tokens import hash_token
from veche.discussion import actions, hooks
from veche.discussion.errors import ActionError
from veche.discussion.models import Comment, CommentStatus, ModerationMode

from .conftest import SITE_ORIGIN

pytestmark = pytest.mark.django_db
API = "/api/v1"


def post_json(client, url, data, **extra):
    return client.post(url, data, content_type="application/json", **extra)


# --- Threads ----------------------------------------------------------------------------


def test_thread_for_an_allowed_page_is_made_once(client, site):
    r = post_json(client, f"{API}/threads", {"origin": SITE_ORIGIN, "uri": "/post/7",
                                             "title": "Seven"})
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["url"] == f"{SITE_ORIGIN}/post/7"
    assert data["title"] == "Seven" and data["comment_count"] == 0
    again = post_json(client, f"{API}/threads", {"uri": "/post/7"}, HTTP_ORIGIN=SITE_ORIGIN)
    assert again.json()["id"] == data["id"]
    page = client.get(data["page"])
    assert page.status_code == 200 and b"Seven" in page.content


def test_thread_refused_for_a_site_not_allowed(client, site):
    r = post_json(client, f"{API}/threads", {"origin": "https://evil.example", "uri": "/x"})
    assert r.status_code == 403
    assert r.json() == {"code": "site_not_allowed", "field": "origin",
                        "message": "https://evil.example may not embed discussions."}
    site.enabled = False
    site.save()
    r = post_json(client, f"{API}/threads", {"origin": SITE_ORIGIN, "uri": "/x"})
    assert r.status_code == 403  # the cached allow-list was dropped on save


@pytest.mark.parametrize("uri", ["post/1", "//evil.example/x", "/a#b", "/a b", "/" + "x" * 300])
def test_thread_bad_uri_names_the_field(client, site, uri):
    r = post_json(client, f"{API}/threads", {"origin": SITE_ORIGIN, "uri": uri})
    assert r.status_code == 400
    assert r.json()["field"] == "uri"


def test_thread_of_an_article(client):
    from tests.newsroom.factories import make_article

    article = make_article("Big news")
    r = post_json(client, f"{API}/threads", {"article": article.pk})
    assert r.status_code == 200
    assert r.json()["id"] == article.thread_id
    r = post_json(client, f"{API}/threads", {"article": article.pk + 1000})
    assert r.status_code == 404 and r.json()["field"] == "article"


def test_counts_for_many_uris_in_one_request(client, thread, reader):
    add_comment(thread, reader, "one")
    add_comment(thread, reader, "two")
    r = post_json(
        client,
        f"{API}/threads/counts",
        {"uris": ["/post/42", f"{SITE_ORIGIN}/post/42", "/nothing", "not a path"]},
        HTTP_ORIGIN=SITE_ORIGIN,
    )
    assert r.status_code == 200
    assert r.json()["counts"] == {"/post/42": 2, f"{SITE_ORIGIN}/post/42": 2,
                                  "/nothing": 0, "not a path": 0}
    too_many = post_json(client, f"{API}/threads/counts", {"uris": ["/x"] * 101})
    assert too_many.status_code == 422 and too_many.json()["field"] == "uris"


# --- Reading ----------------------------------------------------------------------------


def test_list_nests_like_the_page(client, thread, reader, other):
    root = add_comment(thread, reader, "Root :smile:")
    reply = add_comment(thread, other, "A reply", parent=root)
    add_comment(thread, reader, "Second root")
    r = client.get(f"{API}/threads/{thread.pk}/comments")
    assert r.status_code == 200
    data = r.json()
    assert data["page"] == 1 and data["page_count"] == 1 and data["sort"] == "oldest"
    first, second = data["comments"]
    assert first["id"] == root.pk and first["number"] == 1 and second["number"] == 2
    assert "\U0001f604" in first["html"]  # presented, like the page
    assert first["author"]["name"] == "alice"
    assert first["author"]["profile"] == "/u/alice/"
    assert first["author"]["avatar"].endswith("avatar.svg")
    assert [c["id"] for c in first["replies"]] == [reply.pk]
    assert first["replies"][0]["parent"] == root.pk
    newest = client.get(f"{API}/threads/{thread.pk}/comments?sort=newest").json()
    assert newest["comments"][0]["id"] == second["id"]


def test_deleted_comment_with_replies_is_a_placeholder(client, thread, reader, other):
    root = add_comment(thread, reader, "Secret words")
    add_comment(thread, other, "A reply", parent=root)
    actions.delete_comment(user=reader, comment_id=root.pk)
    data = client.get(f"{API}/threads/{thread.pk}/comments").json()
    placeholder = data["comments"][0]
    assert placeholder["status"] == "deleted"
    assert placeholder["author"] is None and placeholder["html"] == ""
    assert "Secret" not in str(data)
    one = client.get(f"{API}/comments/{root.pk}").json()
    assert one["status"] == "deleted" and one["html"] == ""


def test_bad_query_is_422_naming_the_field(client, thread):
    r = client.get(f"{API}/threads/{thread.pk}/comments?sort=sideways")
    assert r.status_code == 422
    assert r.json()["field"] == "sort"
    assert client.get(f"{API}/threads/{thread.pk}/comments?page=0").json()["field"] == "page"
    assert client.get(f"{API}/threads/999999/comments").status_code == 404


# --- Writing ----------------------------------------------------------------------------


def test_post_reply_quote_with_a_token(client, thread, reader, other, bearer):
    root = add_comment(thread, other, "The sky is green today.")
    auth = bearer(reader)
    r = post_json(
        client,
        f"{API}/threads/{thread.pk}/comments",
        {"body": "I *disagree*", "parent": root.pk,
         "quote": {"comment_id": root.pk, "text": "sky is green"}},
        **auth,
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["parent"] == root.pk and data["status"] == "published"
    assert "<em>disagree</em>" in data["html"]
    assert data["quote"] == {"comment_id": root.pk, "of_target": False,
                             "text": "sky is green", "author_name": "bob"}
    assert Comment.objects.get(pk=data["id"]).author == reader
    tree = client.get(f"{API}/threads/{thread.pk}/comments", **auth).json()
    assert tree["comments"][0]["replies"][0]["id"] == data["id"]


def test_held_comment_is_202_and_seen_by_its_author_only(client, thread, reader, bearer):
    actions.update_thread(thread, moderation_mode=ModerationMode.PRE)
    auth = bearer(reader)
    r = post_json(client, f"{API}/threads/{thread.pk}/comments", {"body": "Wait for me"},
                  **auth)
    assert r.status_code == 202
    assert r.json()["status"] == "pending"
    cid = r.json()["id"]
    assert client.get(f"{API}/comments/{cid}", **auth).json()["status"] == "pending"
    assert client.get(f"{API}/comments/{cid}").status_code == 404
    assert client.get(f"{API}/threads/{thread.pk}/comments").json()["comments"] == []


def test_writes_need_sign_in(client, thread):
    r = post_json(client, f"{API}/threads/{thread.pk}/comments", {"body": "hi"})
    assert r.status_code == 401
    assert r.json()["code"] == "not_signed_in"
    bad = post_json(client, f"{API}/threads/{thread.pk}/comments", {"body": "hi"},
                    HTTP_AUTHORIZATION="Bearer vch_wrong")
    assert bad.status_code == 401
    assert client.get(f"{API}/threads/{thread.pk}/comments",
                      HTTP_AUTHORIZATION="Bearer vch_wrong").status_code == 401


def test_session_writes_need_csrf(thread, reader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    url = f"{API}/threads/{thread.pk}/comments"
    r = post_json(client, url, {"body": "no token"})
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    client.get(f"{API}/me")  # any page; the cookie comes from get_token below
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    r = post_json(client, url, {"body": "with token"},
                  HTTP_X_CSRFTOKEN=_mask_cipher_secret(secret))
    assert r.status_code == 201, r.content


def test_csrf_trusts_allowed_origins_only(thread, reader, site):
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    secret = _get_new_csrf_string()
    client.cookies["csrftoken"] = secret
    url = f"{API}/threads/{thread.pk}/comments"
    headers = {"HTTP_X_CSRFTOKEN": _mask_cipher_secret(secret)}
    evil = post_json(client, url, {"body": "x"}, HTTP_ORIGIN="https://evil.example", **headers)
    assert evil.status_code == 403
    ok = post_json(client, url, {"body": "x"}, HTTP_ORIGIN=SITE_ORIGIN, **headers)
    assert ok.status_code == 201


def test_action_errors_keep_status_and_field(client, thread, reader, other, bearer):
    auth = bearer(reader)
    url = f"{API}/threads/{thread.pk}/comments"
    empty = post_json(client, url, {"body": "   "}, **auth)
    assert empty.status_code == 400
    assert empty.json() == {"code": "empty", "message": "The comment is empty.", "field": "body"}
    gone = add_comment(thread, other, "gone")
    actions.delete_comment(user=other, comment_id=gone.pk)
    r = post_json(client, url, {"body": "reply", "parent": gone.pk}, **auth)
    assert r.status_code == 409 and r.json()["field"] == "parent"
    actions.update_thread(thread, is_open=False)
    assert post_json(client, url, {"body": "late"}, **auth).status_code == 403
    missing = post_json(client, url, {}, **auth)
    assert missing.status_code == 422 and missing.json()["field"] == "body"
    nul = post_json(client, url, {"body": "a\x00b"}, **auth)
    assert nul.status_code == 422 and nul.json()["field"] == "body"
    malformed = client.post(url, "{not json", content_type="application/json", **auth)
    assert 400 <= malformed.status_code < 500


def test_rate_limit_is_429_with_retry_after(client, thread, reader, bearer):
    def limit(draft):
        raise ActionError("rate_limited", "Slow down.", status=429, retry_after=42)

    with hooks.checks_registered(limit):
        r = post_json(client, f"{API}/threads/{thread.pk}/comments", {"body": "hi"},
                      **bearer(reader))
    assert r.status_code == 429
    assert r["Retry-After"] == "42"
    assert r.json()["code"] == "rate_limited"


def test_edit_delete_vote(client, thread, reader, other, bearer):
    mine = add_comment(thread, reader, "Frist")
    theirs = add_comment(thread, other, "Theirs")
    auth = bearer(reader)
    r = client.patch(f"{API}/comments/{mine.pk}", {"body": "First"},
                     content_type="application/json", **auth)
    assert r.status_code == 200 and "First" in r.json()["html"] and r.json()["edited"]
    r = client.patch(f"{API}/comments/{theirs.pk}", {"body": "Mine now"},
                     content_type="application/json", **auth)
    assert r.status_code == 403 and r.json()["code"] == "not_author"
    v = post_json(client, f"{API}/comments/{theirs.pk}/vote", {"value": 1}, **auth)
    assert v.status_code == 200 and v.json() == {"id": theirs.pk, "score": 1, "upvotes": 1,
                                                 "downvotes": 0, "my_vote": 1}
    assert client.get(f"{API}/comments/{theirs.pk}", **auth).json()["my_vote"] == 1
    assert post_json(client, f"{API}/comments/{theirs.pk}/vote", {"value": 1},
                     **auth).status_code == 409
    assert post_json(client, f"{API}/comments/{mine.pk}/vote", {"value": 1},
                     **auth).status_code == 403
    bad = post_json(client, f"{API}/comments/{theirs.pk}/vote", {"value": 5}, **auth)
    assert bad.status_code == 422 and bad.json()["field"] == "value"
    assert client.delete(f"{API}/comments/{theirs.pk}", **auth).status_code == 403
    assert client.delete(f"{API}/comments/{mine.pk}", **auth).status_code == 204
    assert Comment.objects.get(pk=mine.pk).status == CommentStatus.DELETED
    assert client.delete(f"{API}/comments/{mine.pk}", **auth).status_code == 409
    assert client.delete(f"{API}/comments/999999", **auth).status_code == 404


# --- The caller and tokens --------------------------------------------------------------


def test_me(client, reader, make_user):
    assert client.get(f"{API}/me").status_code == 401
    client.force_login(reader)
    data = client.get(f"{API}/me").json()
    assert data["username"] == "alice" and data["can_participate"] is True
    client.force_login(make_user("carol", verified=False))
    data = client.get(f"{API}/me").json()
    assert data["can_participate"] is False and "e-mail" in data["refusal"]


def test_tokens_are_shown_once_stored_hashed_and_revocable(client, reader):
    client.force_login(reader)
    r = post_json(client, f"{API}/me/tokens", {"name": "my script"})
    assert r.status_code == 201
    secret = r.json()["token"]
    stored = ApiToken.objects.get(pk=r.json()["id"])
    assert stored.key_hash == hash_token(secret) and secret not in str(stored.__dict__)
    listed = client.get(f"{API}/me/tokens").json()
    assert [t["name"] for t in listed] == ["my script"] and "token" not in listed[0]
    anon = Client()
    assert anon.get(f"{API}/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    assert client.delete(f"{API}/me/tokens/{stored.pk}").status_code == 204
    assert anon.get(f"{API}/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert client.delete(f"{API}/me/tokens/{stored.pk}").status_code == 404


def test_embed_tokens_cannot_manage_tokens_and_sign_out(client, reader, bearer):
    from veche.api.models import TokenKind

    auth = bearer(reader, TokenKind.EMBED)
    assert client.get(f"{API}/me/tokens", **auth).status_code == 403
    assert client.post(f"{API}/me/signout", **auth).status_code == 204
    assert client.get(f"{API}/me", **auth).status_code == 401


# --- CORS -------------------------------------------------------------------------------


def test_cors_follows_the_allow_list(client, site):
    pre = client.options(f"{API}/threads/counts", HTTP_ORIGIN=SITE_ORIGIN,
                         HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
                         HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type")
    assert pre.status_code == 204
    assert pre["Access-Control-Allow-Origin"] == SITE_ORIGIN
    assert pre["Access-Control-Allow-Credentials"] == "true"
    assert "content-type" in pre["Access-Control-Allow-Headers"].lower()
    evil = client.options(f"{API}/threads/counts", HTTP_ORIGIN="https://evil.example",
                          HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST")
    assert "Access-Control-Allow-Origin" not in evil
    r = client.get(f"{API}/openapi.json", HTTP_ORIGIN=SITE_ORIGIN)
    assert r["Access-Control-Allow-Origin"] == SITE_ORIGIN
    site.delete()
    r = client.get(f"{API}/openapi.json", HTTP_ORIGIN=SITE_ORIGIN)
    assert "Access-Control-Allow-Origin" not in r


# --- Docs -------------------------------------------------------------------------------


def test_docs_are_served_offline_without_inline_script(client):
    r = client.get(f"{API}/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "cdn" not in html.lower()
    assert "<script>" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css"):
        assert client.get(f"{API}/docs/assets/{asset}").status_code == 200
    assert client.get(f"{API}/docs/assets/..%2Fsecret").status_code == 404
    schema = client.get(f"{API}/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    create = schema["paths"]["/api/v1/threads/{thread_id}/comments"]["post"]["responses"]
    assert {"201", "202", "400", "401", "403", "409", "422", "429"} <= set(create)

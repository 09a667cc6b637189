"""Posting reads its author's row in the query of the author's facts and the thread
(accounts.session_user), and still obeys everything Django's own user loading does: a
session from before a password change, a disabled account, a deleted one, a guest, and
the second factor staff must set up first."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.discussion.factories import make_thread
from veche.accounts.models import Role, User
from veche.discussion.models import Comment

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def thread():
    return make_thread("test:session-user", title="A thread", url="/t/session-user/")


def post(client, thread, body="A fair point", **extra):
    return client.post(reverse("discussion:post", args=[thread.pk]), {"body": body},
                       **JSON, **extra)


def user_table_reads(queries) -> list[str]:
    table = connection.ops.quote_name(User._meta.db_table)
    return [q["sql"] for q in queries if table in q["sql"]]


def test_a_post_reads_the_author_s_row_once_with_the_facts(client, make_user, thread):
    client.force_login(make_user("reader"))
    with CaptureQueriesContext(connection) as queries:
        response = post(client, thread)
    assert response.status_code == 201
    comment = Comment.objects.get(pk=response.json()["id"])
    assert comment.author.username == "reader" and comment.author_name == "reader"
    reads = user_table_reads(queries.captured_queries)
    assert len(reads) == 1, reads  # the facts and the thread, no read of its own
    assert "LEFT JOIN" in reads[0]


def test_other_pages_still_read_the_user_before_the_view(client, make_user):
    client.force_login(make_user("reader"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/u/reader/").status_code == 200
    assert user_table_reads(queries.captured_queries)


def test_a_session_from_before_a_password_change_posts_nothing(client, make_user, thread):
    user = make_user("reader")
    client.force_login(user)
    user.set_password("a-New-password-7")
    user.save()
    response = post(client, thread)
    assert response.status_code == 401
    assert response.json()["code"] == "not_signed_in"
    assert not Comment.objects.exists()
    assert "_auth_user_id" not in client.session  # flushed, as Django does


@pytest.mark.parametrize("change", ["disabled", "deleted"])
def test_a_disabled_or_deleted_account_posts_nothing(client, make_user, thread, change):
    user = make_user("reader")
    client.force_login(user)
    if change == "disabled":
        User.objects.filter(pk=user.pk).update(is_active=False)
    else:
        user.delete()
    response = post(client, thread)
    assert response.status_code == 401
    assert response.json()["code"] == "not_signed_in"
    assert not Comment.objects.exists()


def test_a_guest_posts_nothing(client, thread):
    response = post(client, thread)
    assert response.status_code == 401 and response.json()["code"] == "not_signed_in"
    assert not Comment.objects.exists()


@pytest.mark.parametrize("flag", [{"is_staff": True}, {"role": Role.MODERATOR}])
def test_staff_without_a_second_factor_are_sent_to_set_it_up_first(
    client, make_user, make_role_user, thread, settings, flag
):
    settings.VECHE_MFA_REQUIRED = True
    role = flag.pop("role", None)
    user = make_role_user(role) if role else make_user(**flag)
    client.force_login(user)
    response = post(client, thread)
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert not Comment.objects.exists()
    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={})
    assert post(client, thread).status_code == 201
    assert Comment.objects.count() == 1


def test_a_reader_posts_when_second_factors_are_required_of_staff(
    client, make_user, thread, settings
):
    settings.VECHE_MFA_REQUIRED = True
    client.force_login(make_user("reader"))
    with CaptureQueriesContext(connection) as queries:
        assert post(client, thread).status_code == 201
    assert len(user_table_reads(queries.captured_queries)) == 1


def test_a_missing_thread_is_404_and_the_author_is_read_as_usual(client, make_user):
    client.force_login(make_user("reader"))
    response = client.post("/t/424242/post/", {"body": "x"}, **JSON)
    assert response.status_code == 404

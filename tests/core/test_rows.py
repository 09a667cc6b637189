"""by_pk reads one row as the ORM would, from a SELECT planned once per model."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.discussion.factories import make_thread
from veche.core.rows import by_pk
from veche.discussion.models import Thread

pytestmark = pytest.mark.django_db


def test_the_row_comes_back_with_the_orms_values_and_types():
    thread = make_thread("page:rows", title="Rows")
    Thread.objects.filter(pk=thread.pk).update(
        closes_at=timezone.now() + timedelta(days=2), is_open=False, comment_count=7)
    expected = Thread.objects.get(pk=thread.pk)
    found = by_pk(Thread, thread.pk)
    assert found is not None and found.pk == expected.pk
    for field in Thread._meta.concrete_fields:
        ours, theirs = getattr(found, field.attname), getattr(expected, field.attname)
        assert (ours, type(ours)) == (theirs, type(theirs)), field.name
    assert not found._state.adding and found._state.db == "default"
    found.title = "Saved back"
    found.save(update_fields=["title"])
    assert Thread.objects.get(pk=thread.pk).title == "Saved back"


def test_a_missing_or_malformed_key_finds_nothing():
    assert by_pk(Thread, 987654) is None
    assert by_pk(Thread, "not-a-number") is None


def test_a_users_primary_key_lookup_reads_one_row_and_misses_as_django_does(make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from veche.accounts.models import User

    user = make_user("rowreader", display_name="Row Reader")
    with CaptureQueriesContext(connection) as queries:
        found = User.objects.get(pk=user.pk)
    assert len(queries) == 1 and "LIMIT" not in queries[0]["sql"]  # by_pk, not get()
    assert (found.pk, found.username, found.display_name, found.password) == (
        user.pk, "rowreader", "Row Reader", user.password)
    assert User.objects.get(id=user.pk) == found
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=user.pk + 1000)
    assert User.objects.get(username="rowreader") == found  # other lookups as before


def test_extra_columns_come_in_the_same_select_as_attributes():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    thread = make_thread("page:rows-extras", title="Extras")
    table = connection.ops.quote_name(Thread._meta.db_table)
    extras = {
        "title_matches": (f"{table}.{connection.ops.quote_name('title')} = %s", ["Extras"]),
        "plus": ("%s + %s", [2, 3]),
    }
    with CaptureQueriesContext(connection) as queries:
        found = by_pk(Thread, thread.pk, extras)
    assert len(queries) == 1
    assert bool(found.title_matches) and found.plus == 5 and found.title == "Extras"
    assert by_pk(Thread, 987654, extras) is None


def test_partial_rows_load_the_fields_asked_for_and_defer_the_rest(make_user):
    from tests.discussion.factories import add_comment
    from veche.discussion.models import Comment
    from veche.discussion.selectors import COMMENT_FIELDS

    author = make_user("partial", display_name="Partial P.")
    thread = make_thread("page:partial")
    root = add_comment(thread, author, "Root *text*")
    reply = add_comment(thread, author, "A reply", root)
    every = {f.attname for f in Comment._meta.concrete_fields}
    own = {name for name in COMMENT_FIELDS if "__" not in name}
    shapes = [  # a queryset, and the fields its instances must leave deferred
        (Comment.objects.select_related("author", "quoted_comment").only(*COMMENT_FIELDS),
         every - own),
        (Comment.objects.defer("body_markdown", "ip_address"), {"body_markdown", "ip_address"}),
        (Comment.objects.only("path"), every - {"id", "path"}),
        (Comment.objects.all(), set()),
    ]
    for queryset, deferred in shapes:
        for ours in queryset.filter(pk__in=[root.pk, reply.pk]).order_by("pk"):
            assert ours.get_deferred_fields() == deferred
            whole = Comment.objects.get(pk=ours.pk)
            assert {n: ours.__dict__[n] for n in every - deferred} == {
                n: getattr(whole, n) for n in every - deferred}
            assert not ours._state.adding and ours._state.db == "default"
    loaded = shapes[0][0].get(pk=reply.pk)
    assert loaded.author.get_deferred_fields() == {
        f.attname for f in type(author)._meta.concrete_fields
        if f.attname not in ("id", "username", "display_name")}
    assert loaded.author.public_name == "Partial P."
    assert loaded.body_markdown == "A reply"  # a deferred field still loads on access

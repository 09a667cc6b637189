"""A new comment's row, and the rows stored with it, are the rows Model.save() writes:
the statements are written once per shape instead of compiled by the ORM each time."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from tests.discussion.factories import make_thread
from veche.discussion import actions, inserting
from veche.discussion.models import Comment, CommentRevision
from veche.moderation.classifier.models import ClassifierState


def _columns(instance) -> dict:
    fields = {f.attname for f in type(instance)._meta.concrete_fields if not f.primary_key}
    return {name: getattr(instance, name) for name in sorted(fields)}


@pytest.mark.django_db
def test_a_row_inserted_once_planned_reads_back_as_the_row_save_writes(make_user):
    thread = make_thread()
    author = make_user()
    first = actions.post_comment(author=author, thread=thread, body="First.").comment
    fields = {k: v for k, v in model_to_dict(first).items() if k not in ("id", "seq", "path")}
    by_save = Comment(**{**fields, "thread_id": thread.pk, "author_id": author.pk,
                         "seq": 900, "path": "zz0", "parent": None,
                         "quoted_comment": None, "root_id": None, "thread": thread,
                         "author": author})
    by_insert = Comment(**{**fields, "thread_id": thread.pk, "author_id": author.pk,
                           "seq": 901, "path": "zz1", "parent": None,
                           "quoted_comment": None, "root_id": None, "thread": thread,
                           "author": author})
    by_save.save(force_insert=True)
    inserting.insert_row(by_insert)
    assert by_insert.pk is not None and by_insert.pk != by_save.pk
    assert not by_insert._state.adding
    saved, inserted = (Comment.objects.get(pk=c.pk) for c in (by_save, by_insert))
    assert {**_columns(inserted), "seq": 0, "path": ""} == {**_columns(saved), "seq": 0,
                                                             "path": ""}


@pytest.mark.django_db
def test_a_companion_row_gets_its_automatic_fields_as_save_gives_them(make_user):
    comment = actions.post_comment(author=make_user(), thread=make_thread(),
                                   body="Scored later.").comment
    ClassifierState.objects.filter(comment=comment).delete()
    state = ClassifierState(comment=comment, state=ClassifierState.State.UNSCORED)
    inserting.insert_row(state)
    stored = ClassifierState.objects.get(pk=state.pk)
    assert stored.comment_id == comment.pk
    assert stored.updated_at is not None  # auto_now, as save() sets it
    assert stored.attempts == 0


@pytest.mark.django_db
def test_a_row_that_breaks_a_constraint_is_refused(make_user):
    from django.db import IntegrityError, transaction

    comment = actions.post_comment(author=make_user(), thread=make_thread(),
                                   body="Kept.").comment
    broken = CommentRevision(comment=comment, body_markdown="x", body_html="",
                             created_at=None, replaced_at=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        inserting.insert_row(broken)
    assert not CommentRevision.objects.filter(comment=comment, body_markdown="x").exists()

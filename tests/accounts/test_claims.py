"""Verifying an e-mail address claims the imported account with that address."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.test import RequestFactory

from tests.discussion.factories import add_comment, make_thread
from veche.accounts.actions import create_imported_user
from veche.accounts.models import User
from veche.discussion.models import Comment, Vote

pytestmark = pytest.mark.django_db


def confirm(user: User, email: str) -> None:
    address = EmailAddress.objects.create(user=user, email=email, verified=True)
    email_confirmed.send(sender=EmailAddress, request=RequestFactory().get("/"),
                         email_address=address)


def test_verified_address_claims_imported_comments_and_votes(make_user):
    thread = make_thread("test:claims")
    imported = create_imported_user("Maria Ivanova", source="disqus",
                                     email="maria@example.com")
    person = make_user("maria2024", email="m.other@example.org")
    other = make_user("other")
    first = add_comment(thread, imported, "Old comment")
    second = add_comment(thread, imported, "Another old one")
    by_person = add_comment(thread, person, "New comment")
    by_other = add_comment(thread, other, "Someone else")
    # Votes by the imported account (e.g. from a Veche export): one duplicates the
    # person's own vote, one is on what becomes the person's own comment.
    Vote.objects.create(comment=by_other, user=imported, value=1)
    Vote.objects.create(comment=by_other, user=person, value=-1)
    Vote.objects.create(comment=by_person, user=imported, value=1)
    Vote.objects.create(comment=first, user=other, value=1)

    confirm(person, "Maria@Example.com")

    assert set(Comment.objects.filter(author=person).values_list("pk", flat=True)) == {
        first.pk, second.pk, by_person.pk,
    }
    first.refresh_from_db()
    assert first.author_name == "Maria Ivanova"  # the name it was posted under
    assert not Vote.objects.filter(user=imported).exists()
    assert list(Vote.objects.filter(user=person).values_list("comment_id", "value")) == [
        (by_other.pk, -1)
    ]
    by_other.refresh_from_db()
    by_person.refresh_from_db()
    assert (by_other.upvotes, by_other.downvotes, by_other.score) == (0, 1, -1)
    assert (by_person.upvotes, by_person.score) == (0, 0)
    assert Vote.objects.filter(comment=first, user=other).exists()
    imported.refresh_from_db()
    assert not imported.is_active
    assert imported.is_imported  # the name stays reserved
    assert imported.claim_email == "" and imported.email == ""
    assert imported.imported_from == f"disqus (claimed by #{person.pk})"


def test_other_addresses_claim_nothing(make_user):
    thread = make_thread("test:claims2")
    imported = create_imported_user("Oleg", source="disqus", email="oleg@example.net")
    comment = add_comment(thread, imported, "Mine")
    person = make_user("someone")
    confirm(person, "someone-else@example.net")
    comment.refresh_from_db()
    assert comment.author == imported
    imported.refresh_from_db()
    assert imported.is_active and imported.claim_email == "oleg@example.net"


def test_the_owner_of_an_imported_address_signs_up_with_it_and_claims_the_comments(
    client, db, mailoutbox
):
    from tests.discussion.factories import add_comment, make_thread

    imported = create_imported_user("Maria", source="disqus", email="maria@example.com")
    comment = add_comment(make_thread(), imported, "Posted long ago elsewhere")
    response = client.post("/accounts/signup/", {
        "email": "maria@example.com", "username": "maria_now",
        "password1": "Long-Enough-42", "password2": "Long-Enough-42",
    })
    assert response.status_code == 302  # not refused as an address already in use
    [message] = mailoutbox
    key_url = next(line for line in message.body.splitlines() if "/confirm-email/" in line)
    path = key_url[key_url.index("/accounts/"):].strip()
    client.post(path)
    comment.refresh_from_db()
    assert comment.author.username == "maria_now"
    imported.refresh_from_db()
    assert not imported.is_active and imported.is_imported

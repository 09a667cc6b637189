from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from veche.accounts.actions import create_imported_user
from veche.accounts.models import User
from veche.accounts.policy import participation_refusal

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-42"


def signup(client, username: str, email: str | None = None):
    return client.post(
        reverse("account_signup"),
        {
            "username": username,
            "email": email or f"{username.lower()}@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )


def test_signup_mails_a_link_that_verifies_the_address(client):
    response = signup(client, "newreader")
    assert response.status_code == 302
    user = User.objects.get(username="newreader")
    address = EmailAddress.objects.get(user=user)
    assert not address.verified
    assert participation_refusal(user)[0] == "email_not_verified"
    assert user.groups.filter(name="reader").exists()

    assert len(mail.outbox) == 1
    match = re.search(r"https?://\S+/accounts/confirm-email/(\S+?)/", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    url = reverse("account_confirm_email", args=[match.group(1)])

    # ACCOUNT_CONFIRM_EMAIL_ON_GET is off: a GET only shows the form.
    page = client.get(url)
    assert page.status_code == 200
    assert b"<form" in page.content
    address.refresh_from_db()
    assert not address.verified

    assert client.post(url).status_code == 302
    address.refresh_from_db()
    assert address.verified
    assert participation_refusal(user) is None


@pytest.mark.parametrize("name", ["admin", "Moderator", "VECHE", "root", "support", "staff"])
def test_reserved_names_are_refused(client, name):
    response = signup(client, name, email="someone@example.org")
    assert response.status_code == 200
    assert "That name is reserved" in response.content.decode()
    assert not User.objects.filter(username__iexact=name).exists()
    assert mail.outbox == []


@pytest.mark.parametrize("attempt", ["Same_lech", "same_lech", "SAME_LECH"])
def test_names_of_imported_accounts_are_refused(client, attempt):
    imported = create_imported_user("Same lech", source="old-forum")
    response = signup(client, attempt, email="claimer@example.org")
    assert response.status_code == 200
    assert "That name belongs to an imported account" in response.content.decode()
    assert list(User.objects.filter(username__iexact="same_lech")) == [imported]


def test_taken_name_still_refused_by_allauth(client, make_user):
    make_user("taken")
    response = signup(client, "Taken", email="other@example.org")
    assert response.status_code == 200
    assert User.objects.filter(username__iexact="taken").count() == 1


@pytest.mark.parametrize("login_with", ["username", "email"])
def test_sign_in_by_username_or_email(client, make_user, login_with):
    user = make_user("signer", password=PASSWORD)
    login = user.username if login_with == "username" else user.email
    response = client.post(reverse("account_login"), {"login": login, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_does_not_sign_in(client, make_user):
    make_user("signer2", password=PASSWORD)
    response = client.post(reverse("account_login"), {"login": "signer2", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_sign_out(client, make_user):
    client.force_login(make_user())
    assert client.post(reverse("account_logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_mail_is_sent(client, make_user):
    user = make_user("forgetful")
    response = client.post(reverse("account_reset_password"), {"email": user.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body

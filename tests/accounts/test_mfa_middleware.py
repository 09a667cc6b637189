from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.messages import get_messages
from django.urls import reverse

from veche.accounts.models import Role


@pytest.fixture(autouse=True)
def _mfa_required(settings):
    settings.VECHE_MFA_REQUIRED = True


def is_sent_to_totp_setup(response) -> bool:
    return response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", [Role.MODERATOR, Role.EDITOR, Role.ADMIN])
def test_powerful_role_without_totp_is_sent_to_setup(client, make_role_user, role):
    client.force_login(make_role_user(role))
    response = client.get("/")
    assert is_sent_to_totp_setup(response)
    assert "two-factor" in " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.mark.parametrize("flag", ["is_staff", "is_superuser"])
def test_staff_and_superusers_without_totp_are_sent_to_setup(client, make_user, flag):
    client.force_login(make_user(**{flag: True}))
    assert is_sent_to_totp_setup(client.get("/u/someone/"))


def test_moderator_with_totp_is_let_through(client, moderator):
    Authenticator.objects.create(user=moderator, type=Authenticator.Type.TOTP, data={})
    client.force_login(moderator)
    assert not is_sent_to_totp_setup(client.get("/"))


def test_reader_and_guest_are_let_through(client, make_role_user):
    assert not is_sent_to_totp_setup(client.get("/"))
    client.force_login(make_role_user(Role.READER))
    assert not is_sent_to_totp_setup(client.get("/"))


@pytest.mark.parametrize(
    "path", ["/accounts/2fa/", "/accounts/logout/", "/static/veche/site.css", "/health"]
)
def test_setup_logout_static_and_health_stay_reachable(client, moderator, path):
    client.force_login(moderator)
    assert not is_sent_to_totp_setup(client.get(path))


def test_switch_off(client, moderator, settings):
    settings.VECHE_MFA_REQUIRED = False
    client.force_login(moderator)
    assert not is_sent_to_totp_setup(client.get("/"))


def _users_needing_setup(make_user, make_role_user):
    """Every kind of account, with whether it must set up a second factor."""
    with_totp = make_role_user(Role.MODERATOR)
    Authenticator.objects.create(user=with_totp, type=Authenticator.Type.TOTP, data={})
    staff_with_totp = make_user(is_staff=True)
    Authenticator.objects.create(user=staff_with_totp, type=Authenticator.Type.TOTP, data={})
    return [
        (make_role_user(Role.READER), False),
        (make_user(), False),
        (make_role_user(Role.MODERATOR), True),
        (make_role_user(Role.EDITOR), True),
        (make_role_user(Role.AUTHOR), False),
        (make_user(is_staff=True), True),
        (make_user(is_superuser=True), True),
        (with_totp, False),
        (staff_with_totp, False),
    ]


def test_the_answer_read_with_the_user_s_row_is_the_one_the_queries_give(
        make_user, make_role_user):
    from veche.accounts.mfa_policy import NEEDS_SETUP, needs_mfa_setup
    from veche.accounts.models import User

    for user, expected in _users_needing_setup(make_user, make_role_user):
        asked = User.objects.filter(pk=user.pk).first()  # no answer read with it
        assert not hasattr(asked, NEEDS_SETUP)
        assert needs_mfa_setup(asked) is expected, user
        read = User.objects.get(pk=user.pk)  # the auth backend's lookup
        assert bool(getattr(read, NEEDS_SETUP)) is expected, user
        assert needs_mfa_setup(read) is expected, user


def test_a_signed_in_request_costs_no_query_for_the_check(client, make_role_user, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_role_user(Role.READER))
    counts = {}
    for required in (False, True):
        settings.VECHE_MFA_REQUIRED = required
        client.get("/u/someone/")  # warm: the same page twice
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/u/someone/").status_code in (200, 404)
        counts[required] = len(queries)
        assert not any("mfa_authenticator" in q["sql"] and "accounts_user\"" not in q["sql"]
                       for q in queries.captured_queries)
    assert counts[True] == counts[False]

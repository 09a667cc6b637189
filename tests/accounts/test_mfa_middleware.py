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

"""Every allauth page we use renders inside the site layout and is CSP-clean."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.urls import reverse

from tests.accounts.conftest import assert_in_layout_and_csp_clean

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "name", ["account_login", "account_signup", "account_reset_password",
             "account_reset_password_done", "account_email_verification_sent"]
)
def test_guest_pages(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_in_layout_and_csp_clean(response.content.decode())


@pytest.mark.parametrize(
    "name",
    ["account_logout", "account_change_password", "account_email", "mfa_index",
     "account_reauthenticate", "mfa_activate_totp"],
)
def test_signed_in_pages(client, make_user, name):
    client.force_login(make_user())
    response = client.get(reverse(name), follow=True)
    assert response.status_code == 200
    assert_in_layout_and_csp_clean(response.content.decode())


def test_totp_activation_page_after_reauthentication(client, make_user, settings):
    settings.VECHE_MFA_REQUIRED = False
    user = make_user("twofactor")
    client.force_login(user)
    # allauth asks for the password again before MFA changes, even right after sign-in.
    reauth = client.post(reverse("account_reauthenticate"), {"password": "pw-Secret-123"})
    assert reauth.status_code == 302
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Activate Authenticator App" in html
    assert 'src="data:image/svg+xml' in html  # the QR code, allowed by img-src data:
    assert_in_layout_and_csp_clean(html)


def test_email_confirmation_page(client, make_user):
    user = make_user(verified=False)
    key = EmailConfirmationHMAC(EmailAddress.objects.get(user=user)).key
    response = client.get(reverse("account_confirm_email", args=[key]))
    assert response.status_code == 200
    assert_in_layout_and_csp_clean(response.content.decode())


def test_title_carries_page_and_publication(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "<title>" in html and "Sign In" in html.split("</title>")[0]


def test_csp_header_is_sent(client):
    response = client.get(reverse("account_login"))
    assert "script-src 'self'" in response["Content-Security-Policy"]


@pytest.fixture
def totp_user(make_user, settings):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    settings.VECHE_MFA_REQUIRED = False
    user = make_user("secured")
    TOTP.activate(user, generate_totp_secret())
    RecoveryCodes.activate(user)
    return user


@pytest.mark.parametrize(
    "name",
    ["mfa_index", "mfa_view_recovery_codes", "mfa_generate_recovery_codes",
     "mfa_deactivate_totp"],
)
def test_mfa_management_pages(client, totp_user, name):
    client.force_login(totp_user)
    client.post(reverse("account_reauthenticate"), {"password": "pw-Secret-123"})
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_in_layout_and_csp_clean(response.content.decode())


def test_sign_in_with_totp_asks_for_the_code_in_our_layout(client, totp_user):
    response = client.post(
        reverse("account_login"), {"login": "secured", "password": "pw-Secret-123"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert_in_layout_and_csp_clean(response.content.decode())

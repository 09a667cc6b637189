"""The embed's pages: the script, the frame's framing policy, the pop-up's opener policy,
SSO verification, and Veche's own page of an external thread."""

from __future__ import annotations

import time

import pytest

from veche.api.models import AllowedSite
from veche.api.sso import sign_sso, verify_sso
from veche.discussion.errors import ActionError
from veche.discussion.models import Thread

from .conftest import SITE_ORIGIN

pytestmark = pytest.mark.django_db


def test_embed_js_is_served(client):
    r = client.get("/embed.js")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/javascript")
    assert b"data-veche-count" in r.content


def test_frame_may_be_framed_by_its_site_only(client, site):
    r = client.get("/embed/thread", {"uri": "/post/9", "origin": SITE_ORIGIN, "title": "Nine"})
    assert r.status_code == 200
    assert f"frame-ancestors {SITE_ORIGIN}" in r["Content-Security-Policy"]
    assert "X-Frame-Options" not in r
    assert Thread.objects.get(target_key=f"url:{SITE_ORIGIN}/post/9").title == "Nine"
    refused = client.get("/embed/thread", {"uri": "/x", "origin": "https://evil.example"})
    assert refused.status_code == 403
    assert "frame-ancestors 'none'" in refused["Content-Security-Policy"]


def test_popup_flow_keeps_its_opener(client, make_user):
    make_user("alice", password="pw-Secret-123")
    assert client.get("/accounts/login/")["Cross-Origin-Opener-Policy"] == "same-origin"
    start = client.get("/embed/login")
    assert start.status_code == 302 and "next=/embed/signed-in" in start["Location"]
    assert client.get("/accounts/login/")["Cross-Origin-Opener-Policy"] == "unsafe-none"
    client.post("/accounts/login/", {"login": "alice", "password": "pw-Secret-123"})
    done = client.get("/embed/signed-in")
    assert done.status_code == 200
    assert done["Cross-Origin-Opener-Policy"] == "unsafe-none"
    assert b'"type": "veche:signed-in"' in done.content and b"vch_" in done.content
    assert "no-store" in done["Cache-Control"] or "max-age=0" in done["Cache-Control"]
    # The flow is over: the site's pages are back to same-origin.
    assert client.get("/accounts/login/")["Cross-Origin-Opener-Policy"] == "same-origin"


def test_sso_checks_signature_and_expiry(site):
    now = time.time()
    claims = {"id": "7", "username": "u", "exp": int(now) + 60}
    assert verify_sso(site, sign_sso(site.sso_secret, claims), now=now)["id"] == "7"
    for token, code in [
        (sign_sso("wrong secret", claims), "sso_invalid"),
        (sign_sso(site.sso_secret, {**claims, "exp": int(now) - 1}), "sso_expired"),
        (sign_sso(site.sso_secret, {**claims, "exp": int(now) + 10**6}), "sso_invalid"),
        (sign_sso(site.sso_secret, {"username": "no id", "exp": int(now) + 60}), "sso_invalid"),
        ("not-a-token", "sso_invalid"),
    ]:
        with pytest.raises(ActionError) as caught:
            verify_sso(site, token, now=now)
        assert caught.value.code == code and caught.value.status == 401


def test_sso_exchange_makes_an_account_that_may_post(client, site, make_user):
    make_user("taken", email="shared@example.org")
    token = sign_sso(site.sso_secret, {"id": "42", "username": "b", "name": "Blog Reader",
                                       "email": "shared@example.org",
                                       "exp": int(time.time()) + 60})
    r = client.post("/api/v1/sso", {"origin": SITE_ORIGIN, "token": token},
                    content_type="application/json")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["user"]["username"] == f"site:{site.pk}:42"
    assert data["user"]["name"] == "Blog Reader" and data["user"]["can_participate"]
    from allauth.account.models import EmailAddress

    assert EmailAddress.objects.get(user__username=f"site:{site.pk}:42").email.endswith(
        "@sso.invalid"
    )
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {data['token']}")
    assert me.json()["username"] == f"site:{site.pk}:42"
    other = AllowedSite.objects.create(name="Other", origin="https://other.example")
    wrong_site = client.post("/api/v1/sso", {"origin": other.origin, "token": token},
                             content_type="application/json")
    assert wrong_site.status_code == 401


def test_own_page_of_an_external_thread(client, thread):
    r = client.get(f"/t/{thread.pk}/")
    assert r.status_code == 200 and b"Post 42" in r.content
    assert client.get("/t/999999/").status_code == 404

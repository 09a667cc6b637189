"""Sessions in the database (no Redis): what Django's own engine stores and answers,
each request's row read by primary key."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from veche.core.sessions import SessionStore

pytestmark = pytest.mark.django_db


def test_a_saved_session_is_read_back():
    store = SessionStore()
    store["reader"] = "alice"
    store.save()
    again = SessionStore(store.session_key)
    assert again["reader"] == "alice"
    assert again.session_key == store.session_key


def test_an_expired_session_is_no_session():
    store = SessionStore()
    store["reader"] = "alice"
    store.save()
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    again = SessionStore(store.session_key)
    assert again.get("reader") is None
    assert again.session_key is None


def test_an_unknown_key_is_no_session():
    again = SessionStore("nosuchsessionkey0123456789abcdef")
    assert again.load() == {}
    assert again.session_key is None


def test_a_signed_in_reader_stays_signed_in_until_signing_out(client, django_user_model):
    user = django_user_model.objects.create_user("reader", "r@example.org", "pw-Secret-123")
    client.force_login(user)
    key = client.cookies["sessionid"].value
    assert SessionStore(key).get("_auth_user_id") == str(user.pk)
    client.logout()
    assert SessionStore(key).load() == {}


def test_the_site_keeps_sessions_with_this_engine_unless_redis_caches_them():
    from django.conf import settings

    with_redis = settings.CACHES["default"]["BACKEND"].endswith("RedisCache")
    engine = "django.contrib.sessions.backends.cached_db" if with_redis else (
        "veche.core.sessions")
    in_use = settings.SESSION_ENGINE
    assert in_use == engine

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from veche.accounts.actions import create_imported_user

URL = "/settings/"


@pytest.fixture
def reader(client, make_user):
    user = make_user("settler", display_name="Settler")
    client.force_login(user)
    return user


def messages_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_url_name():
    assert reverse("accounts:settings") == URL


@pytest.mark.django_db
def test_guests_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_page_links_account_management(client, reader):
    html = client.get(URL).content.decode()
    assert 'value="Settler"' in html
    assert "csrfmiddlewaretoken" in html
    for name in ("account_change_password", "account_email", "mfa_index"):
        assert f'href="{reverse(name)}"' in html


def test_display_name_is_saved_stripped(client, reader):
    response = client.post(URL, {"display_name": "  New Name  "})
    assert response.status_code == 302
    reader.refresh_from_db()
    assert reader.display_name == "New Name"


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_display_name_is_refused_and_nothing_changes(client, reader, value):
    response = client.post(URL, {"display_name": value})
    assert response.status_code == 200
    assert "not changed" in messages_of(response)
    assert "cannot be empty" in response.content.decode()
    reader.refresh_from_db()
    assert reader.display_name == "Settler"


def test_overlong_display_name_is_refused(client, reader):
    response = client.post(URL, {"display_name": "x" * 151})
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.display_name == "Settler"


@pytest.mark.parametrize("value", ["Admin", "Old Timer"])
def test_reserved_display_names_are_refused(client, reader, value):
    create_imported_user("Old Timer", source="old-forum")
    response = client.post(URL, {"display_name": value})
    assert response.status_code == 200
    reader.refresh_from_db()
    assert reader.display_name == "Settler"


def test_csrf_is_enforced(reader):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(reader)
    assert strict.post(URL, {"display_name": "Sneaky"}).status_code == 403

from __future__ import annotations

import pytest
from django.urls import reverse

from veche.accounts.actions import create_imported_user
from veche.accounts.avatars import avatar_url, identicon_svg
from veche.accounts.views import comment_url
from veche.discussion.actions import do_create_comment, get_or_create_thread

pytestmark = pytest.mark.django_db


def comment(user, status: str, text: str = "hello"):
    thread = get_or_create_thread("test:1", title="T")
    return do_create_comment(
        thread=thread,
        author=user,
        author_name=user.public_name,
        body_markdown=text,
        body_html=f"<p>{text}</p>",
        status=status,
    )


def test_profile_counts_and_lists_only_published_comments(client, make_user):
    user = make_user("talker", display_name="The Talker")
    shown = comment(user, "published", "visible words")
    for status in ("pending", "removed", "deleted", "spam"):
        comment(user, status, f"secret {status}")
    response = client.get(reverse("accounts:profile", args=["talker"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The Talker" in html
    assert "1 comment<" in html
    assert "visible words" in html
    assert "secret" not in html
    assert f'href="{comment_url(shown.pk)}"' in html
    assert ">T</a>" in html
    assert avatar_url("talker") in html


def test_profile_shows_twenty_most_recent(client, make_user):
    user = make_user("prolific")
    for n in range(25):
        comment(user, "published", f"number{n}x")
    html = client.get(reverse("accounts:profile", args=["prolific"])).content.decode()
    assert "25 comments" in html
    assert "number24x" in html and "number5x" in html
    assert "number4x" not in html


def test_unknown_profile_is_a_clear_404(client):
    response = client.get(reverse("accounts:profile", args=["nobody-here"]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "No such reader" in html
    assert 'class="masthead"' in html


def test_imported_profile_says_unclaimed(client):
    user = create_imported_user("Old Timer", source="old-forum")
    html = client.get(reverse("accounts:profile", args=[user.username])).content.decode()
    assert "Imported, unclaimed" in html
    assert "Old Timer" in html


def test_avatar_is_a_cacheable_svg(client):
    response = client.get(reverse("accounts:avatar", args=["whoever-guest"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "max-age=31536000" in response["Cache-Control"]
    assert response.content.decode() == identicon_svg("whoever-guest")


def test_avatar_is_deterministic_and_differs_per_name():
    assert identicon_svg("alice") == identicon_svg("alice")
    assert identicon_svg("alice") != identicon_svg("bob")
    assert len({identicon_svg(f"user{n}") for n in range(20)}) == 20


def test_avatar_is_a_mirrored_grid():
    svg = identicon_svg("mirror")
    cells = set()
    for part in svg.split("<rect ")[2:]:
        x = int(part.split('x="')[1].split('"')[0])
        y = int(part.split('y="')[1].split('"')[0])
        cells.add((x, y))
    assert cells
    assert cells == {(60 - 10 - x, y) for x, y in cells}


def test_avatar_carries_nothing_of_the_name(client):
    name = '<script>alert(1)</script>"'
    response = client.get(avatar_url(name))
    assert response.status_code == 200
    assert b"script" not in response.content
    assert b"alert" not in response.content


def test_avatar_url_for_odd_names():
    assert avatar_url("bob") == "/u/bob/avatar.svg"
    assert avatar_url("a/b").endswith("/avatar.svg")
    assert avatar_url("Имя Фамилия").startswith("/u/")

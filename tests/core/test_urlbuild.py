"""url_maker builds the same URLs as reverse(), for ids and for awkward usernames."""

from __future__ import annotations

import pytest
from django.urls import reverse

from veche.core.urlbuild import url_maker


@pytest.mark.parametrize("value", [1, 42, 9_007_199_254_740_991])
def test_int_routes_match_reverse(value):
    assert url_maker("discussion:permalink")(value) == reverse(
        "discussion:permalink", args=[value]
    )


@pytest.mark.parametrize("username", ["NEXUS", "Same_lech", "a.b+c@d-e", "Вадим", "x y", "%20"])
def test_str_routes_quote_like_reverse(username):
    assert url_maker("accounts:profile")(username) == reverse("accounts:profile", args=[username])

"""present_many: present_html of many comments, checked a batch at a time."""

from __future__ import annotations

import random

import pytest

from veche.api import presentation
from veche.api.presentation import present_many
from veche.core.presentation import present_html
from veche.moderation.models import DesignatedOrganisation

PLAIN = [
    "<p>Nothing to change here, just words.</p>",
    '<p>A <a href="https://example.org/x" rel="nofollow">link</a>: see it.</p>',
    "<blockquote><p>quoted</p></blockquote>\n<p>answer &amp; more</p>",
    "plain text without tags",
]
CHANGING = [
    "<p>Smile :smile: please</p>",
    "<p>the Acme Front again, and AFR</p>",
    "<p>two text nodes: <em>Acme Front</em> and Acme Front</p>",
    "Acme Front at the very start",
    "ends with Acme Front",
]
# Change in a whole batch's text, not in a text node: present_html leaves them alone.
LOOK_ALIKE = [
    "<pre><code>:wink: Acme Front</code></pre>",
    '<p><a href="https://example.org/:smile:/">no smile in the text</a></p>',
    "<p>Acme<em>Front</em> split by a tag</p>",
]


@pytest.fixture
def organisation(db):
    return DesignatedOrganisation.objects.create(name="Acme Front", forms="Acme Front\nAFR")


@pytest.mark.parametrize("share", [0.0, 0.01, 0.1, 0.5, 1.0])
def test_same_as_present_html_whatever_the_share_that_changes(organisation, share):
    rng = random.Random(int(share * 100))
    htmls = [
        rng.choice(CHANGING) if rng.random() < share else rng.choice(PLAIN + LOOK_ALIKE)
        for _ in range(700)
    ]
    assert present_many(htmls) == [present_html(h) for h in htmls]


def test_labels_count_per_comment_not_per_batch(organisation):
    # One label per text node, as present_html gives: a batch check that labelled only
    # the batch's first mention must not pass the others through unchanged.
    htmls = ["<p>Acme Front</p>"] * 40
    out = present_many(htmls)
    assert out == [present_html(h) for h in htmls]
    assert all("(banned in the Russian Federation)" in h for h in out)


def test_unchanged_comments_are_checked_in_batches(db, monkeypatch):
    calls = []

    def counting(html):
        calls.append(html)
        return present_html(html)

    monkeypatch.setattr(presentation, "present_html", counting)
    htmls = PLAIN * 250
    assert present_many(htmls) == htmls
    assert len(calls) < 20  # batches growing to LARGEST_BATCH, not one call a comment


def test_empty_and_single(db):
    assert present_many([]) == []
    assert present_many(["<p>:smile:</p>"]) == ["<p>\U0001f604</p>"]

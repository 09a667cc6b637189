"""The demo: the reference page imported and shown as a reader sees it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from veche.newsroom.models import Article

pytestmark = pytest.mark.django_db
REFERENCE = Path(__file__).resolve().parents[2] / "demo" / "military-review-article.txt"


def test_reference_article_page_shows_the_whole_discussion_nested(client):
    call_command("import_page", str(REFERENCE), publication="Military Review", verbosity=0)
    article = Article.objects.get()
    html = client.get(article.get_absolute_url()).content.decode()
    assert len(re.findall(r'<li class="c c--d', html)) == 24
    # Nesting depth classes as on the page: Vadim237 is five levels down (1.1.1.1.1).
    vadim = re.search(r'<li class="c c--d(\d)"[^>]*data-author="Vadim237"', html)
    assert vadim and vadim.group(1) == "4"
    assert html.count('class="c c--d0"') == 11
    assert "Quote: <a" in html and ">NEXUS</a>" in html
    assert "especially for" in html and "Oleg Chuvakin" in html
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    data = json.loads(ld)
    assert data["commentCount"] == 24 and len(data["comment"]) == 11
    assert data["comment"][0]["author"]["name"] == "NEXUS"
    assert data["comment"][0]["comment"][0]["author"]["name"] == "stas"

"""The live site in a real browser: health, the front page, and no CSP violations."""

from __future__ import annotations

import json

import pytest

from veche.core.site import forget_publication
from veche.newsroom.models import Publication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_health_answers_ok(live_server, page):
    response = page.goto(live_server.url + "/health")
    assert response is not None and response.status == 200
    assert json.loads(page.locator("body").inner_text())["status"] == "ok"


def test_front_page_has_publication_title_and_no_csp_errors(live_server, page):
    Publication.objects.create(name="Smoke Test Gazette", tagline="All the news")
    forget_publication()
    try:
        response = page.goto(live_server.url + "/")
        assert response is not None and response.status < 400, response and response.status
        page.wait_for_load_state("load")
        assert "Smoke Test Gazette" in page.title()
        csp = [text for text in page.console_errors if "Content Security Policy" in text]
        assert not csp, csp
        assert not page.console_errors, (page.console_errors, page.failed_responses)
    finally:
        forget_publication()

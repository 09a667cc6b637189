from __future__ import annotations


import pytest
from django.core.cache import cache



@pytest.fixture(autouse=True)
def _fresh_cache():
    # The masthead is cached and the cache outlives each test's database rollback.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def site_url(settings) -> str:
    settings.VECHE_SITE_URL = "https://news.example.org"
    return settings.VECHE_SITE_URL


@pytest.fixture
def no_mfa(settings) -> None:
    # Superusers without 2FA are sent to the setup page; not what these tests are about.
    settings.VECHE_MFA_REQUIRED = False

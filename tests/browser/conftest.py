"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API.

Every test under tests/browser/ is marked ``browser`` and gets a transactional database
(the pages are served by pytest-django's ``live_server`` in another thread). Without
/usr/bin/chromium the tests are skipped, or fail when CI=true. Playwright never
downloads a browser here: ``playwright install`` is not used.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("VECHE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
HERE = Path(__file__).resolve().parent


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Mark this directory's tests ``browser`` and transactional, before ``-m`` selects."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            if not item.get_closest_marker("browser"):
                item.add_marker(pytest.mark.browser)
            if not item.get_closest_marker("django_db"):
                item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="package")
def _playwright():
    """Playwright for this package's tests only.

    Its sync API keeps an asyncio loop "running" in the main thread while it is started,
    and Django refuses ORM calls there ("SynchronousOnlyOperation") unless
    DJANGO_ALLOW_ASYNC_UNSAFE is set. So the variable is set while Playwright runs and
    both end with this package: the other tests keep Django's guard (and subprocesses
    such as ``check --deploy`` do not inherit the variable).
    """
    if not os.access(CHROMIUM, os.X_OK):
        reason = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if in_ci():
            pytest.fail(f"{reason} (CI=true: browser tests must run)", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(_playwright):
    """One headless Chromium for tests/browser/, with a fresh temporary profile."""
    profile = tempfile.mkdtemp(prefix="veche-chromium-")
    context = _playwright.chromium.launch_persistent_context(
        profile,
        executable_path=str(CHROMIUM),
        headless=True,
        args=CHROMIUM_ARGS,
    )
    try:
        yield context
    finally:
        context.close()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser):
    """A new tab; cookies are cleared first so each test starts signed out.

    ``page.console_errors`` lists the console messages of type "error" (CSP violations
    among them) seen so far; ``page.failed_responses`` lists "STATUS URL" of responses
    with status 400 or more.
    """
    browser.clear_cookies()
    tab = browser.new_page()
    tab.set_default_timeout(15_000)
    errors: list[str] = []
    tab.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    failed: list[str] = []
    tab.on(
        "response",
        lambda resp: failed.append(f"{resp.status} {resp.url}") if resp.status >= 400 else None,
    )
    tab.console_errors = errors
    tab.failed_responses = failed
    try:
        yield tab
    finally:
        tab.close()

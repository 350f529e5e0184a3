"""A headless Chromium (Debian's, at /usr/bin/chromium) driven by Playwright, for the inspector's browser tests;
they skip, saying why, where either is missing (``make test`` installs Debian's chromium when it runs as root)."""
from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM = os.environ.get("SANDBOX_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
WAIT_MS = 10_000  # every wait on the page is bounded


@pytest.fixture(scope="session")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests need Playwright's Python package (pip install -e '.[test]')")
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        except Exception as exc:  # noqa: BLE001 (any reason the browser cannot start is a reason to skip)
            pytest.skip(f"chromium at {CHROMIUM} does not start: {str(exc).splitlines()[0]}")
        yield launched
        launched.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})  # a laptop's width
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    yield opened
    context.close()

"""Browser tests: Debian's Chromium driven by Playwright against Django's live server.

Skipped when Chromium is absent or MOTCUA_SKIP_BROWSER is set (the PostgreSQL pass of CI).
Screenshots go to test-artifacts/screenshots/ and are kept as CI artifacts.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("MOTCUA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    reason = None
    if os.environ.get("MOTCUA_SKIP_BROWSER"):
        reason = "MOTCUA_SKIP_BROWSER is set"
    elif not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM}"
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if reason:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between
    # page actions are ordinary synchronous calls. Only for the browser tests' duration.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield instance
        instance.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
    )
    context.set_default_timeout(15000)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on(
        "response",
        lambda r: (
            errors.append(f"HTTP {r.status} {r.url}")
            if r.status >= 500 or (r.status == 404 and "/static/" in r.url)
            else None
        ),
    )
    pg.base = live_server.url  # type: ignore[attr-defined]
    pg.console_errors = errors  # type: ignore[attr-defined]
    yield pg
    context.close()


@pytest.fixture
def shot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def demo(transactional_db, settings):
    from motcua.demo.loader import load_demo

    settings.MOTCUA_DEMO_SIGNED_RESULTS = 5  # a quarter of a second each, for every test that loads the demo
    load_demo(verbose=False)


def login(page, username: str, password: str) -> None:
    page.goto(page.base + "/can-bo/dang-nhap/")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")

"""Browser tests: Playwright driving Debian's Chromium (never a downloaded browser)
against a live server. Screenshots go to tests/e2e/screenshots/ for people to look at."""

import contextlib
import os
from pathlib import Path

import pytest

from tests.conftest import PASSWORD, needs

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are ordinary synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    needs(Path(CHROMIUM).exists(), f"không có {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        needs(False, "chưa cài gói playwright")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page_for(browser, live_server):
    """A signed-in page for a user, at a viewport ('desktop' or 'phone')."""
    contexts = []
    violations: list[str] = []

    def watch(message):
        text = message.text
        if "Content Security Policy" in text or "Refused to" in text:
            violations.append(text)

    def open_page(user, viewport: str = "desktop"):
        context = browser.new_context(
            viewport=PHONE if viewport == "phone" else DESKTOP, locale="vi-VN"
        )
        contexts.append(context)
        page = context.new_page()
        page.on("console", watch)
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(user.username)
        page.get_by_label("Mật khẩu").fill(PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield open_page
    for context in contexts:
        # Parts of pages load after them (the dashboard's panels, htmx): let the server
        # answer what the browser asked before the database is emptied for the next test.
        # A page that polls may never be idle (TimeoutError): it has had its chance.
        for page in context.pages:
            with contextlib.suppress(Exception):
                page.wait_for_load_state("networkidle", timeout=10_000)
        context.close()
    # Every page must work under the Content-Security-Policy: no refused script or style.
    assert not violations, violations


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

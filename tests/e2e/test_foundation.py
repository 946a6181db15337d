import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_reviewer_signs_in_and_reads_the_plan(page_for, reviewer, plan, live_server):
    page = page_for(reviewer)
    expect(page.get_by_role("heading", name="Thẩm định báo cáo")).to_be_visible()
    screenshot(page, "foundation-home-reviewer")
    page.get_by_role("link", name="Kế hoạch", exact=True).click()
    page.wait_for_url(f"{live_server.url}/ke-hoach/112-KH-TU/")
    expect(page.get_by_role("heading", name="Kế hoạch số 112-KH/TU")).to_be_visible()
    assert page.locator("#muc-dich li").count() == 4
    assert page.locator("#nhiem-vu .accordion-item").count() == 7
    assert page.locator("#to-chuc-thuc-hien .card").count() == 3
    page.get_by_role("button", name="Nhiệm vụ 3.").click()
    page.locator("#task-body-3").wait_for(state="visible")
    assert "đảng viên nữ" in page.locator("#task-body-3").inner_text()
    screenshot(page, "foundation-plan-desktop")


def test_plan_page_fits_a_phone(page_for, reporter, plan, live_server):
    page = page_for(reporter, viewport="phone")
    page.goto(f"{live_server.url}/ke-hoach/112-KH-TU/")
    # Nothing but the matrix (which scrolls inside its own box) is wider than the screen.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    expect(page.locator("button.navbar-toggler")).to_be_visible()
    screenshot(page, "foundation-plan-phone")

"""The dashboard and the rollup in a real browser: charts drawn, pages fit a phone."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect

from reports.services.reports import report_accept, report_return, report_submit
from tests.e2e.conftest import screenshot
from tests.reports.factories import full_content, make_cycle, make_report, saved_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST = "T1_POLITICAL_THEORY_TRAINED"
LEVELS = ["good", "fair", "average", "poor"]

# Elements wider than the screen, except inside boxes that scroll on their own.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("body *")]
    .filter((el) => !el.closest(".table-responsive"))
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .map((el) => el.tagName + "." + el.className)
    .slice(0, 10);
}"""


def submit(cycle, organisation, actor, when, *, figure, shift=0, accept=False):
    with time_machine.travel(when, tick=False):
        report = make_report(cycle, organisation, actor)
        content = full_content(report)
        content.figures[FIRST] = Decimal(figure)
        for i, section in enumerate(content.sections.values()):
            section.level = LEVELS[(i + shift) % len(LEVELS)]
        report = report_submit(report=report, content=content, version=report.version, actor=actor)
        if accept:
            report = report_accept(report=report, actor=actor)
    return report


@pytest.fixture
def two_years(plan, reviewer, organisations):
    """2025 with most districts accepted; 2026 (due 15/11, already past) under way."""
    old = make_cycle(plan, reviewer, year=2025)
    new = make_cycle(plan, reviewer, year=2026, due=dt.date(2026, 11, 15))
    codes = ["TV-TPTV", "TV-TXDH", "TV-HCL", "TV-HCT", "TV-HCK", "TV-HTC", "TV-HCN", "TV-DUKCQ"]
    for i, code in enumerate(codes):
        day = dt.datetime(2025, 12, 5 + 2 * i, 10, tzinfo=ZONE)
        submit(old, organisations[code], reviewer, day, figure=30 + 7 * i, shift=i, accept=True)
    for i, code in enumerate(codes[:6]):
        day = dt.datetime(2026, 11, 8 + 2 * i, 10, tzinfo=ZONE)  # the last two are late
        submit(
            new,
            organisations[code],
            reviewer,
            day,
            figure=40 + 9 * i,
            shift=i + 1,
            accept=i % 2 == 0,
        )
    returned = submit(
        new,
        organisations["TV-DUKCQ"],
        reviewer,
        dt.datetime(2026, 11, 14, 9, tzinfo=ZONE),
        figure=25,
    )
    report_return(report=returned, comment="Bổ sung số liệu.", actor=reviewer)
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, tzinfo=ZONE), tick=False):
        saved_report(new, organisations["TV-HCN"], reviewer)
    return old, new


def charts_drawn(page) -> int:
    page.wait_for_function("() => window.Chart && Object.keys(Chart.instances).length > 0")
    return page.evaluate("Object.keys(Chart.instances).length")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_reviewer_reads_the_dashboard_with_its_charts(
    page_for, reviewer, two_years, live_server, viewport
):
    _old, new = two_years
    page = page_for(reviewer, viewport)
    page.goto(f"{live_server.url}/ky-bao-cao/{new.pk}/theo-doi/")
    expect(page.get_by_role("heading", name="Bảng theo dõi báo cáo năm 2026")).to_be_visible()
    assert page.locator("canvas[data-chart]").count() == 2
    assert charts_drawn(page) == 2
    # The heat map and the history come after the page, on their own (htmx).
    expect(page.locator(".heatmap td.heat-good").first).to_be_visible()
    expect(page.get_by_role("heading", name="Báo cáo qua các năm")).to_be_visible()
    # Every placeholder replaced: the heat map, the history and the sub-plans.
    expect(page.locator(".dashboard-panel")).to_have_count(0)
    expect(page.get_by_role("heading", name="Kế hoạch thực hiện của các đơn vị")).to_be_visible()
    if viewport == "phone":
        assert page.evaluate(OVERFLOWING) == []
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, f"dashboard-{viewport}")


def test_dashboard_filters_the_table(page_for, reviewer, two_years, live_server):
    _old, new = two_years
    page = page_for(reviewer)
    page.goto(f"{live_server.url}/ky-bao-cao/{new.pk}/theo-doi/")
    page.select_option("#loc-trang-thai", "missing")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url("**trang_thai=missing**")
    expect(page.get_by_text("Bỏ lọc")).to_be_visible()
    assert page.locator("#tinh-hinh-don-vi ~ .table-responsive tbody tr.table-danger").count() > 0


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_leader_reads_the_rollup_with_its_charts(
    page_for, leader, two_years, live_server, plan, viewport
):
    page = page_for(leader, viewport)
    page.goto(f"{live_server.url}/tong-hop/{plan.code}/")
    expect(page.get_by_text("Số liệu tính trên các báo cáo đã được tiếp nhận.")).to_be_visible()
    assert page.locator("canvas[data-chart]").count() == 4
    assert charts_drawn(page) == 4
    if viewport == "phone":
        assert page.evaluate(OVERFLOWING) == []
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, f"rollup-{viewport}")


def test_leader_switches_the_basis_and_the_indicator(
    page_for, leader, two_years, live_server, plan
):
    page = page_for(leader)
    page.goto(f"{live_server.url}/tong-hop/{plan.code}/")
    page.get_by_role("link", name="Tính cả báo cáo đã gửi nhưng chưa tiếp nhận").click()
    expect(
        page.get_by_text("Số liệu tính trên các báo cáo đã tiếp nhận và đã gửi (chưa tiếp nhận).")
    ).to_be_visible()
    page.select_option("#chon-chi-tieu", "T1_PARTY_WORK_TRAINED")
    page.get_by_role("button", name="Xem", exact=True).click()
    page.wait_for_url("**chi_tieu=T1_PARTY_WORK_TRAINED**")
    assert "tinh_ca_chua_duyet=1" in page.url
    assert charts_drawn(page) == 4
    page.locator("#so-sanh").scroll_into_view_if_needed()
    screenshot(page, "rollup-switched")

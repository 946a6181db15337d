import datetime as dt

import pytest
from playwright.sync_api import expect

from organisations.models import Organisation, OrganisationChange
from reports.models import CycleStatus, ReportingCycle
from reports.notifications.reminders import unsubmitted_organisations
from reports.services.reports import report_accept
from tests.e2e.conftest import screenshot
from tests.reports.factories import make_cycle, submitted_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def accepted(cycle, organisation, reviewer):
    return report_accept(report=submitted_report(cycle, organisation, reviewer), actor=reviewer)


def test_administrator_merges_two_district_committees(
    page_for, admin_user, reporter, reviewer, leader, plan, organisations, live_server
):
    # A closed year in which the two committees and a third one reported.
    past = make_cycle(plan, reviewer, year=2024)
    for code in ("TV-HCL", "TV-HCT", "TV-HCK"):
        accepted(past, organisations[code], reviewer)
    ReportingCycle.objects.filter(pk=past.pk).update(status=CycleStatus.CLOSED)

    page = page_for(admin_user)
    page.goto(f"{live_server.url}/quan-tri/organisations/organisation/")
    page.get_by_role("link", name="Sắp xếp: Hợp nhất, sáp nhập").click()
    page.get_by_label("Các tổ chức được hợp nhất").fill("TV-HCL, TV-HCT")
    page.get_by_label("Mã tổ chức mới").fill("TV-HCLCT")
    page.get_by_label("Tên tổ chức mới").fill("Huyện ủy Càng Long - Châu Thành")
    page.get_by_label("Loại tổ chức mới").select_option("district_committee")
    page.get_by_label("Có hiệu lực từ ngày").fill("01/07/2025")
    page.get_by_label("Số quyết định").fill("1234-QĐ/TU")
    page.get_by_label("Ngày quyết định").fill("30/06/2025")
    page.get_by_label("Cơ quan ban hành").fill("Ban Thường vụ Tỉnh ủy")
    page.get_by_role("button", name="Xem trước").click()

    expect(page.get_by_role("heading", name="Xác nhận thay đổi")).to_be_visible()
    people = page.locator("#phan-cong")
    expect(people).to_contain_text("reporter")
    expect(people).to_contain_text("Người báo cáo")
    expect(people).to_contain_text("chuyển sang TV-HCLCT")
    expect(page.locator("ul.closed")).to_contain_text("Huyện ủy Châu Thành (TV-HCT)")
    screenshot(page, "restructuring-confirm")
    assert not OrganisationChange.objects.exists()

    page.get_by_role("button", name="Xác nhận và thực hiện").click()
    page.wait_for_url(f"{live_server.url}/to-chuc/TV-HCLCT/")
    changes = page.locator("#thay-doi-to-chuc")
    expect(changes).to_contain_text("Hợp nhất, sáp nhập")
    expect(changes).to_contain_text("1234-QĐ/TU")
    expect(changes).to_contain_text("Ban Thường vụ Tỉnh ủy")
    changes.get_by_role("link", name="Huyện ủy Càng Long", exact=True).click()
    page.wait_for_url(f"{live_server.url}/to-chuc/TV-HCL/")
    expect(page.get_by_text("Tổ chức kế thừa")).to_be_visible()
    screenshot(page, "restructuring-old-organisation")
    assert Organisation.objects.get(code="TV-HCL").successor.code == "TV-HCLCT"
    assert reporter.memberships.get().organisation.code == "TV-HCLCT"

    # The next cycle expects the successor only, and its history carries the
    # predecessors' year under the names they reported under.
    nxt = make_cycle(plan, reviewer, year=2026, due=dt.date(2026, 12, 15))
    merged = Organisation.objects.get(code="TV-HCLCT")
    laggards = set(unsubmitted_organisations(nxt).values_list("code", flat=True))
    assert "TV-HCLCT" in laggards
    assert not {"TV-HCL", "TV-HCT"} & laggards  # reminders stop for the closed ones
    page = page_for(reviewer)
    page.goto(f"{live_server.url}/ky-bao-cao/{nxt.pk}/theo-doi/")
    table = page.locator("table", has_text="Huyện ủy Cầu Kè").first
    expect(table).to_contain_text("Huyện ủy Càng Long - Châu Thành")
    expect(table).not_to_contain_text("Huyện ủy Châu Thành")
    history = page.locator("section[aria-labelledby='lich-su-cac-nam']")
    row = history.locator("tr", has_text="Huyện ủy Càng Long - Châu Thành")
    expect(row).to_contain_text("(Huyện ủy Càng Long)")
    expect(row).to_contain_text("(Huyện ủy Châu Thành)")
    screenshot(page, "restructuring-next-dashboard")

    # The rollup compares like with like: two reports now against the same two bodies'
    # three reports of 2024, mapped to their successors, not a collapse of the figures.
    accepted(nxt, merged, reviewer)
    accepted(nxt, organisations["TV-HCK"], reviewer)
    page = page_for(leader)
    page.goto(f"{live_server.url}/tong-hop/{plan.code}/")
    expect(page.get_by_text("Tổng hợp").first).to_be_visible()
    screenshot(page, "restructuring-rollup")
    body = page.locator("main").inner_text()
    assert "năm nay mới có" not in body  # both years cover the same organisations

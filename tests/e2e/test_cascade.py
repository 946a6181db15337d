"""Reporting that cascades, as its people do it: a đảng ủy xã reports to its huyện ủy,
whose Ban Tổ chức returns and then accepts it; the huyện ủy's own report starts from its
grassroots' figures and goes up to the province, which reads the "tổng hợp từ …" note;
another district's reviewer reaches none of it."""

import pytest
from playwright.sync_api import expect

from reports.models import AnnualReport, ReportStatus
from tests.e2e.conftest import screenshot
from tests.e2e.test_report_journey import fill_report
from tests.reports.factories import make_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_texts(page, report):
    """Every section's text and the signature, leaving the figures as they are."""
    for section in report.sections.select_related("task"):
        n = section.task.number
        page.fill(f"[name=s{n}-results]", f"Kết quả thực hiện nhiệm vụ {n} của Đảng bộ huyện.")
        page.select_option(f"[name=s{n}-level]", "good")
    if report.asks_leadership:
        page.fill("[name=leadership]", "Ban Thường vụ quán triệt, ban hành kế hoạch thực hiện.")
    page.fill("[name=overall_assessment]", "Các tổ chức cơ sở đảng triển khai nghiêm túc.")
    page.fill("[name=signer_name]", "Nguyễn Văn An")
    page.fill("[name=signer_position]", "Bí thư Huyện ủy")


def test_a_grassroots_report_goes_up_through_its_district_to_the_province(
    page_for,
    grassroots_reporter,
    district_reviewer,
    reporter,
    reviewer,
    other_district_reviewer,
    plan,
    live_server,
):
    cycle = make_cycle(plan, reviewer)
    url = live_server.url

    # 1. The đảng ủy xã writes and submits its report; it goes to the huyện ủy.
    xa = page_for(grassroots_reporter)
    xa.goto(f"{url}/ky-bao-cao/{cycle.pk}/don-vi/TV-HCL-XANTRUONG/")
    xa.get_by_role("button", name="Tạo báo cáo và bắt đầu soạn").click()
    xa.wait_for_url("**/soan/")
    child = AnnualReport.objects.get(cycle=cycle, organisation__code="TV-HCL-XANTRUONG")
    assert child.reports_to.code == "TV-HCL"
    figures = fill_report(xa, child)
    xa.get_by_role("button", name="Gửi báo cáo").click()
    xa.wait_for_url(f"**/bao-cao/{child.pk}/")

    # 2. The huyện ủy's Ban Tổ chức finds it in its inbox and returns it.
    huyen = page_for(district_reviewer)
    huyen.goto(f"{url}/bao-cao/")
    huyen.get_by_role("link", name="Đảng ủy xã An Trường").click()
    huyen.fill("[name=comment]", "Đề nghị bổ sung số đảng viên mới là người dân tộc.")
    huyen.get_by_role("button", name="Trả lại báo cáo").click()
    expect(huyen.get_by_text("Đã trả lại báo cáo")).to_be_visible()

    # 3. The xã resubmits; the huyện ủy accepts.
    xa.goto(f"{url}/bao-cao/{child.pk}/soan/")
    xa.fill("[name=s3-results]", "Kết nạp 12 đảng viên, trong đó 3 người dân tộc Khmer.")
    xa.get_by_role("button", name="Gửi báo cáo").click()
    xa.wait_for_url(f"**/bao-cao/{child.pk}/")
    huyen.goto(f"{url}/bao-cao/{child.pk}/")
    huyen.get_by_role("button", name="Tiếp nhận báo cáo").click()
    expect(huyen.get_by_text("Đã tiếp nhận báo cáo")).to_be_visible()
    child.refresh_from_db()
    assert child.status == ReportStatus.ACCEPTED

    # 4. The huyện ủy's own report starts from its grassroots' accepted figures.
    district = page_for(reporter)
    district.goto(f"{url}/ky-bao-cao/{cycle.pk}/don-vi/TV-HCL/")
    district.get_by_role("button", name="Tạo báo cáo và bắt đầu soạn").click()
    district.wait_for_url("**/soan/")
    own = AnnualReport.objects.get(cycle=cycle, organisation__code="TV-HCL")
    code, value = next(iter(figures.items()))
    assert district.locator(f"[name=i-{code}]").input_value() == str(int(value))
    expect(district.get_by_text("tổng hợp từ 1/").first).to_be_visible()
    screenshot(district, "cascade-district-prefilled")
    fill_texts(district, own)
    district.get_by_role("button", name="Gửi báo cáo").click()
    district.wait_for_url(f"**/bao-cao/{own.pk}/")
    own.refresh_from_db()
    assert own.status == ReportStatus.SUBMITTED
    assert own.reports_to.code == "TV-TU"

    # 5. The province reads the district's report with the note; it reads the xã's report
    #    but does not act on it (that is the huyện ủy's).
    tinh = page_for(reviewer)
    tinh.goto(f"{url}/bao-cao/{own.pk}/")
    expect(tinh.get_by_text("tổng hợp từ 1/").first).to_be_visible()
    expect(tinh.get_by_role("button", name="Tiếp nhận báo cáo")).to_be_visible()
    screenshot(tinh, "cascade-province-reads-district")
    tinh.goto(f"{url}/bao-cao/{child.pk}/")
    expect(tinh.get_by_text("An Trường").first).to_be_visible()
    assert tinh.get_by_role("button", name="Tiếp nhận báo cáo").count() == 0

    # 6. Another district's reviewer reaches none of it.
    other = page_for(other_district_reviewer)
    for path in (
        f"/bao-cao/{child.pk}/",
        f"/bao-cao/{own.pk}/",
        f"/ky-bao-cao/{cycle.pk}/theo-doi/?don_vi=TV-HCL",
    ):
        response = other.goto(f"{url}{path}")
        assert response.status == 404, path

"""The heart of the product, as its users do it: a district reports, Ban Tổ chức reviews."""

import pytest
from playwright.sync_api import expect

from reports.models import AnnualReport, ReportStatus
from tests.e2e.conftest import screenshot
from tests.reports.factories import PDF, make_cycle, valid_figures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fill_report(page, report, *, women: int | None = None):
    figures = valid_figures(report)
    for section in report.sections.select_related("task"):
        n = section.task.number
        page.fill(f"[name=s{n}-results]", f"Kết quả thực hiện nhiệm vụ {n} của Huyện ủy.")
        page.fill(f"[name=s{n}-limitations]", "Một số chi bộ sinh hoạt chưa đều.")
        page.fill(f"[name=s{n}-causes]", "Cán bộ kiêm nhiệm nhiều việc.")
        page.fill(f"[name=s{n}-next_steps]", "Tăng cường kiểm tra, giám sát.")
        page.select_option(f"[name=s{n}-level]", "good")
    for code, value in figures.items():
        page.fill(f"[name=i-{code}]", str(int(value)))
    if women is not None:
        page.fill("[name=i-T3_ADMITTED_WOMEN]", str(women))
    if report.asks_leadership:  # a committee's; a đảng ủy xã's report has none
        page.fill(
            "[name=leadership]", "Ban Thường vụ Huyện ủy quán triệt, ban hành kế hoạch thực hiện."
        )
    page.fill("[name=overall_assessment]", "Đảng bộ huyện triển khai nghiêm túc Kế hoạch.")
    page.fill("[name=proposals]", "Đề nghị Tỉnh ủy mở thêm lớp bồi dưỡng cấp ủy viên cơ sở.")
    page.fill("[name=signer_name]", "Nguyễn Văn An")
    page.fill("[name=signer_position]", "Bí thư Huyện ủy")
    return figures


def test_district_reports_and_ban_to_chuc_reviews(
    page_for, reporter, reviewer, plan, live_server, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path / "media"
    cycle = make_cycle(plan, reviewer)

    # 1. The reporter starts the report from the home page.
    page = page_for(reporter)
    page.get_by_role("link", name="Bắt đầu báo cáo").click()
    page.get_by_role("button", name="Tạo báo cáo và bắt đầu soạn").click()
    page.wait_for_url("**/soan/")
    report = AnnualReport.objects.get(cycle=cycle)

    # The count of what is missing follows the typing, without a round trip.
    counter = page.locator("#con-thieu")
    missing = int(counter.inner_text().split()[1])
    assert missing > 10
    page.fill("[name=signer_name]", "Nguyễn Văn An")
    expect(counter).to_have_text(f"Còn {missing - 1} mục bắt buộc chưa nhập.")
    page.fill("[name=signer_name]", "")
    expect(counter).to_have_text(f"Còn {missing} mục bắt buộc chưa nhập.")

    # 2. Fills every section and figure, with one figure breaking a rule of the plan, and
    #    another typed wrong: both are pointed out at once.
    figures = fill_report(page, report, women=10_000)
    expect(counter).to_have_text("Đã nhập đủ các mục bắt buộc.")
    page.fill("[name=i-T3_ADMITTED_ETHNIC]", "3a")
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_load_state()
    error = page.locator("#id_i-T3_ADMITTED_WOMEN").locator("xpath=..").inner_text()
    assert "nữ" in error
    error = page.locator("#id_i-T3_ADMITTED_ETHNIC").locator("xpath=..").inner_text()
    assert "không phải là số hợp lệ" in error
    expect(page.locator(".alert-success", has_text="Đã lưu bản nháp")).to_be_visible()
    expect(page.locator(".alert-danger", has_text="Chưa gửi được")).to_be_visible()
    page.fill("[name=i-T3_ADMITTED_ETHNIC]", str(int(figures["T3_ADMITTED_ETHNIC"])))
    screenshot(page, "report-validation-error")

    # 3. Fixes it, submits, and is told it is on time.
    page.fill("[name=i-T3_ADMITTED_WOMEN]", str(int(figures["T3_ADMITTED_WOMEN"])))
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_url(f"**/bao-cao/{report.pk}/")
    expect(page.get_by_text("Đã gửi báo cáo đúng hạn")).to_be_visible()

    # 4. The report is submitted; attachments wait for the next edit. Attach after a return.
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.on_time

    # 5. The reviewer finds it in the inbox and returns it with a comment on task 3.
    review = page_for(reviewer)
    review.get_by_role("link", name="Hộp thư báo cáo").first.click()
    review.get_by_role("link", name="Huyện ủy Càng Long").click()
    review.fill("[name=comment]", "Đề nghị bổ sung kết quả kết nạp đảng viên là người dân tộc.")
    review.fill("[name=section-3]", "Làm rõ số đảng viên người dân tộc Khmer được kết nạp.")
    review.get_by_role("button", name="Trả lại báo cáo").click()
    expect(review.get_by_text("Đã trả lại báo cáo")).to_be_visible()

    # 6. The reporter sees the comment next to task 3, edits, attaches the scan, resubmits.
    page.goto(f"{live_server.url}/bao-cao/{report.pk}/")
    expect(page.locator("#nhiem-vu-3 .alert-warning")).to_contain_text("Khmer")
    pdf = tmp_path / "bao-cao-ky.pdf"
    pdf.write_bytes(PDF)
    page.set_input_files("[name=file]", str(pdf))
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_text("Đã đính kèm tệp")).to_be_visible()
    page.get_by_role("link", name="Sửa và gửi lại").click()
    expect(page.locator("#nhiem-vu-3 .alert-warning")).to_be_visible()
    screenshot(page, "report-returned-edit")
    page.fill("[name=s3-results]", "Kết nạp 125 đảng viên, trong đó 31 người dân tộc Khmer.")
    page.get_by_role("button", name="Gửi báo cáo").click()
    page.wait_for_url(f"**/bao-cao/{report.pk}/")

    # 7. The reviewer sees what changed and accepts; the report is locked.
    review.goto(f"{live_server.url}/bao-cao/{report.pk}/")
    changes = review.locator("#thay-doi")
    assert "31 người dân tộc Khmer" in changes.inner_text()
    screenshot(review, "report-review-diff")
    review.get_by_role("button", name="Tiếp nhận báo cáo").click()
    expect(review.get_by_text("Đã tiếp nhận báo cáo")).to_be_visible()
    report.refresh_from_db()
    assert report.status == ReportStatus.ACCEPTED

    page.goto(f"{live_server.url}/bao-cao/{report.pk}/")
    expect(page.get_by_text("đã được tiếp nhận và khóa")).to_be_visible()
    assert page.get_by_role("link", name="Sửa và gửi lại").count() == 0
    assert page.get_by_role("link", name="Soạn báo cáo").count() == 0
    screenshot(page, "report-accepted")


def test_report_form_works_on_a_phone(page_for, reporter, reviewer, plan, live_server):
    cycle = make_cycle(plan, reviewer)
    page = page_for(reporter, viewport="phone")
    page.goto(f"{live_server.url}/ky-bao-cao/{cycle.pk}/don-vi/TV-HCL/")
    page.get_by_role("button", name="Tạo báo cáo và bắt đầu soạn").click()
    page.wait_for_url("**/soan/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    page.fill("[name=s1-results]", "Đã tổ chức 12 lớp bồi dưỡng.")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_text("Đã lưu nháp").first).to_be_visible()
    screenshot(page, "report-form-phone")

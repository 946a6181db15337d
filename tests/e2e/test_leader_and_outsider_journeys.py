"""Journeys 3 and 4: a leader reads the province's picture and downloads the yearly
summary; a reporter of another district tries the first district's URLs and gets nothing."""

import json
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from reports.services.files import attachment_add
from reports.services.reports import report_accept
from reports.services.uploads import PDF as PDF_TYPE
from reports.services.uploads import check_upload
from reports.summary.build import summary_build, summary_request
from tests.e2e.conftest import screenshot
from tests.reports.factories import PDF, make_cycle, saved_report, submitted_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_reads_the_rollup_and_downloads_the_yearly_summary(
    page_for, leader, reviewer, reporter, other_reporter, organisations, plan, live_server,
    settings, tmp_path,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path / "media"
    cycle = make_cycle(plan, reviewer)
    accepted = submitted_report(cycle, organisations["TV-HCL"], reporter)
    report_accept(report=accepted, actor=reviewer)
    waiting = submitted_report(cycle, organisations["TV-HCK"], other_reporter)
    admitted = accepted.values.get(indicator__code="T3_ADMITTED").value
    assert waiting.values.get(indicator__code="T3_ADMITTED").value == admitted
    with mock.patch("reports.jobs.summaries.build_yearly_summary.delay"):
        summary = summary_request(cycle=cycle, actor=reviewer, number="215")
    assert summary_build(summary_id=summary.pk)

    page = page_for(leader)
    page.get_by_role("link", name="Tổng hợp", exact=True).click()
    page.wait_for_url("**/tong-hop/112-KH-TU/")
    expect(page.get_by_text("Số liệu tính trên các báo cáo đã được tiếp nhận")).to_be_visible()
    task3 = page.locator("#nhiem-vu-3")
    row = task3.get_by_role("row").filter(has_text="Số đảng viên mới được kết nạp").first
    # Only the accepted report counts: the total is that report's figure, not twice it.
    expect(row).to_contain_text(f"{int(admitted):,}".replace(",", "."))
    assert page.evaluate("Object.keys(Chart.instances).length") > 0
    screenshot(page, "leader-rollup")

    page.get_by_role("link", name="Báo cáo tổng hợp năm").click()
    expect(page.get_by_text("Tải về")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="(DOCX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    import docx

    text = "\n".join(p.text for p in docx.Document(path).paragraphs)
    assert "BÁO CÁO" in text
    assert "Số 215-BC/BTCTU" in "\n".join(
        cell.text
        for table in docx.Document(path).tables
        for row in table.rows
        for cell in row.cells
    )
    screenshot(page, "leader-summary")


def test_another_district_gets_nothing_of_the_first_report(
    page_for, reporter, other_reporter, reviewer, organisations, plan, live_server,
    settings, tmp_path,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path / "media"
    cycle = make_cycle(plan, reviewer)
    report = saved_report(cycle, organisations["TV-HCL"], reporter)
    checked = check_upload(SimpleUploadedFile("scan.pdf", PDF), (PDF_TYPE,))
    attachment = attachment_add(report=report, checked=checked, kind="signed_scan", actor=reporter)
    secret = report.sections.get(task__number=1).results

    page = page_for(other_reporter)
    for path in (
        f"/bao-cao/{report.pk}/",
        f"/bao-cao/{report.pk}/soan/",
        f"/bao-cao/{report.pk}/ban-in/",
        f"/bao-cao/{report.pk}/tep/{attachment.pk}/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 404, path
        assert secret not in page.content()
    response = page.goto(f"{live_server.url}/bao-cao/{report.pk}/word/")
    assert response.status == 404

    api = page.request.get(f"{live_server.url}/api/v1/cycles/{cycle.pk}/status/")
    assert api.status == 200
    codes = {row["organisation"]["code"] for row in json.loads(api.text())["results"]}
    assert codes == {"TV-HCK"}  # its own row only
    assert page.request.get(f"{live_server.url}/api/v1/cycles/{cycle.pk}/rollup/").status == 403
    page.goto(f"{live_server.url}/bao-cao/{report.pk}/")
    expect(page.get_by_role("heading", name="Không tìm thấy trang")).to_be_visible()
    screenshot(page, "outsider-404")

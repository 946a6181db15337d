"""A large dashboard's workbook in a real browser: "Tải Excel" starts a job, the page
shows its progress as the worker writes, then the download."""

import io

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from plan112.celery import app as celery_app
from reports.export_jobs.build import export_build
from reports.models import ExportJob, ExportStatus
from tests.e2e import test_dashboard_pages
from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.e2e.test_dashboard_pages import OVERFLOWING

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

two_years = test_dashboard_pages.two_years  # 2025 and 2026 of the province, 14 units


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_large_dashboard_workbook_is_written_by_a_job_and_downloaded(
    page_for,
    reviewer,
    two_years,
    live_server,
    settings,
    tmp_path,
    monkeypatch,
    viewport,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_IMMEDIATE_ROWS = 5  # the province's 14 units make a large file here
    sent = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, kwargs: sent.append((name, kwargs)))
    _old, new = two_years

    # 1. The dashboard's button posts, and lands on the job's page.
    page = page_for(reviewer, viewport)
    page.goto(f"{live_server.url}/ky-bao-cao/{new.pk}/theo-doi/")
    page.get_by_role("button", name="Tải Excel").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"export-buttons-{viewport}.png"))
    page.get_by_role("button", name="Tải Excel").click()
    page.wait_for_url("**/xuat-tep/*/")
    job = ExportJob.objects.get()
    assert sent == [("reports.build_export", {"export_id": job.pk})]
    expect(page.get_by_text("Đang chờ đến lượt…")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Bảng theo dõi báo cáo năm 2026: tệp Excel")
    ).to_be_visible()

    # 2. The worker has written half the rows: the page shows it by itself.
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportStatus.RUNNING, rows_done=7, rows_total=14, progress=50
    )
    expect(page.get_by_text("Đã ghi 7/14 đơn vị (50%)")).to_be_visible()
    expect(page.locator("progress#tien-do-xuat-tep")).to_have_attribute("value", "50")
    if viewport == "phone":
        assert page.evaluate(OVERFLOWING) == []
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, f"export-job-running-{viewport}")

    # 3. The worker writes the file; the page offers it without a reload.
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.QUEUED)
    assert export_build(export_id=job.pk)
    button = page.get_by_role("link", name="Tải tệp về")
    expect(button).to_be_visible()
    expect(page.get_by_text("Đã ghi 14 đơn vị.")).to_be_visible()
    screenshot(page, f"export-job-done-{viewport}")
    with page.expect_download() as download_info:
        button.click()
    download = download_info.value
    assert download.suggested_filename == "Theo dõi báo cáo năm 2026 - Kế hoạch 112-KH-TU.xlsx"
    workbook = load_workbook(io.BytesIO(download.path().read_bytes()))
    sheet = workbook["Tình hình báo cáo"]
    numbers = [row[0] for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert numbers == list(range(1, 15))  # every unit of the province's level, numbered

"""Ban Tổ chức writes the yearly report from the draft the application composed: edits a
part of section II, recomposes the figures and keeps the edit, and builds the Word file
from what it wrote."""

import io
import re

import docx
import pytest
from playwright.sync_api import expect

from plan112.celery import app as celery_app
from reports.models import SummaryDraft, YearlySummary
from reports.services.reports import report_accept
from reports.summary.build import summary_build
from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.reports.factories import make_cycle, submitted_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EDIT = "Ban Tổ chức đánh giá: các huyện ủy đã mở lớp bồi dưỡng đúng kế hoạch."


def test_ban_to_chuc_edits_the_draft_keeps_the_edit_and_builds_the_word_file(
    page_for, reviewer, reporter, other_reporter, organisations, plan, live_server,
    settings, tmp_path, monkeypatch,
):  # fmt: skip
    settings.MEDIA_ROOT = tmp_path / "media"
    sent = []
    monkeypatch.setattr(celery_app, "send_task", lambda name, kwargs: sent.append(kwargs))
    cycle = make_cycle(plan, reviewer)
    report_accept(report=submitted_report(cycle, organisations["TV-HCL"], reporter), actor=reviewer)
    waiting = submitted_report(cycle, organisations["TV-HCK"], other_reporter)

    # 1. From the summary page to the draft, composed on opening.
    page = page_for(reviewer)
    page.goto(f"{live_server.url}/ky-bao-cao/{cycle.pk}/tong-ket/")
    page.get_by_role("link", name="Dự thảo báo cáo: xem, sửa từng phần").click()
    expect(page.get_by_role("heading", name="II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ")).to_be_visible()

    # 2. Edit task 1's part (section II) and save it.
    part = page.locator("#phan-task-1")
    part.locator("textarea").fill(EDIT)
    part.get_by_role("button", name="Lưu phần này").click()
    expect(page.get_by_text("Đã lưu phần")).to_be_visible()
    expect(page.locator("#phan-task-1 textarea")).to_have_value(EDIT)
    expect(page.locator("#phan-task-1").get_by_text("Đã sửa bởi")).to_be_visible()

    # 3. Another report is accepted; recompose the figures (after the confirmation).
    report_accept(report=waiting, actor=reviewer)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cập nhật số liệu").click()
    expect(page.get_by_text("Đã cập nhật số liệu.")).to_be_visible()
    part = page.locator("#phan-task-1")
    expect(part.locator("textarea")).to_have_value(EDIT)
    expect(part.get_by_text("Có bản tổng hợp mới")).to_be_visible()
    expect(part.locator("ins").first).to_be_visible()
    screenshot(page, "summary-draft-pending")
    page.locator("#ban-moi-task-1").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "summary-draft-pending-part.png"))
    part.get_by_role("button", name="Giữ bản đã sửa").click()
    expect(page.get_by_text("Đã giữ bản đã sửa.")).to_be_visible()
    expect(page.locator("#phan-task-1 textarea")).to_have_value(EDIT)
    expect(page.locator("#ban-moi-task-1")).to_have_count(0)
    # An untouched part took the new figures: two reports are counted now.
    expect(page.locator("#phan-situation textarea")).to_have_value(re.compile("tính từ 2 báo cáo"))

    # 4. Build the Word file from the draft, as the summary page does.
    page.get_by_role("link", name="Lập tệp Word, PDF từ dự thảo").click()
    page.get_by_label("Số văn bản").fill("215")
    page.get_by_role("button", name="Lập báo cáo tổng hợp").click()
    expect(page.get_by_text("Đã gửi yêu cầu lập báo cáo tổng hợp")).to_be_visible()
    summary = YearlySummary.objects.get(cycle=cycle)
    assert sent == [{"summary_id": summary.pk}]
    assert summary_build(summary_id=summary.pk)
    page.reload()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="(DOCX)").click()
    document = docx.Document(io.BytesIO(download_info.value.path().read_bytes()))
    texts = [paragraph.text for paragraph in document.paragraphs]
    heading = next(i for i, text in enumerate(texts) if text.startswith("1. "))
    assert texts[heading + 1] == EDIT
    assert SummaryDraft.objects.get(cycle=cycle).parts.get(key="task-1").text == EDIT


def test_the_draft_reads_on_a_phone_with_the_sources_below_the_text(
    page_for, reviewer, reporter, organisations, plan, live_server, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    cycle = make_cycle(plan, reviewer)
    report_accept(report=submitted_report(cycle, organisations["TV-HCL"], reporter), actor=reviewer)
    page = page_for(reviewer, "phone")
    page.goto(f"{live_server.url}/ky-bao-cao/{cycle.pk}/tong-ket/du-thao/")
    part = page.locator("#phan-task-1")
    text = part.locator("textarea").bounding_box()
    sources = part.locator("aside").bounding_box()
    assert sources["y"] >= text["y"] + text["height"]
    assert text["width"] > 300
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "summary-draft-phone")
    part.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "summary-draft-phone-task.png"))

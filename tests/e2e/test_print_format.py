"""The printable report under the site's Content-Security-Policy: the styles of the Party's
format rules (reports.documents.party) reach the page through its stylesheet's classes."""

import pytest
from django.urls import reverse

from reports.figures.content import ReportContent
from reports.services.reports import report_save
from tests.e2e.conftest import SCREENSHOTS, screenshot
from tests.reports.factories import full_content, make_cycle, make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_print_page_shows_number_signature_and_nơi_nhận_in_the_rules_styles(
    page_for, reporter, reviewer, organisations, plan, live_server
):
    cycle = make_cycle(plan, reviewer)
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    content: ReportContent = full_content(report)
    content.number, content.signer_name, content.signer_position = (
        "45",
        "Nguyễn Văn Ánh",
        "Bí thư Huyện ủy",
    )
    report_save(report=report, content=content, version=report.version, actor=reporter)

    page = page_for(reporter)
    page.goto(live_server.url + reverse("reports:report_print", args=[report.pk]))
    assert page.locator(".doc-number").inner_text() == "Số 45-BC/HU"
    label = page.locator(".doc-recipients-label")
    style = label.evaluate(
        "e => { const s = getComputedStyle(e);"
        " return [s.fontSize, s.fontStyle, s.textDecorationLine, s.fontWeight]; }"
    )
    assert style == ["18.6667px", "italic", "underline", "400"]  # 14pt, as in the Word file
    signer = page.locator(".doc-signer").first
    assert signer.inner_text() == "T/M BAN THƯỜNG VỤ"
    assert signer.evaluate("e => getComputedStyle(e).fontWeight") == "700"
    screenshot(page, "report-print")
    page.locator(".doc-header").screenshot(path=str(SCREENSHOTS / "report-print-header.png"))
    page.locator(".doc-footer").screenshot(path=str(SCREENSHOTS / "report-print-footer.png"))

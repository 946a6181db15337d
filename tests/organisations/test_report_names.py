"""A report keeps the name its organisation bore at the end of the cycle's period."""

import datetime as dt
import io

from django.urls import reverse
from docx import Document

from organisations.change_plans import Decision
from organisations.services import organisation_rename
from reports.documents.report import docx_filenames, report_document, report_docx_bytes
from reports.selectors import report_with_content
from tests.reports.factories import make_cycle, make_report


def test_report_of_a_past_year_shows_the_name_of_that_year(
    client_for, plan, reporter, reviewer, organisations
):
    cycle = make_cycle(plan, reviewer, year=2024)
    report = make_report(cycle, organisations["TV-HCL"], reporter)
    # Sent before the rename: the document is dated then, and carries the name of then
    # (a document dated after the rename carries the new one: tests/reports/test_party.py).
    type(report).objects.filter(pk=report.pk).update(
        last_submitted_at=dt.datetime(2025, 1, 15, 9, tzinfo=dt.UTC)
    )
    organisation_rename(
        organisation=organisations["TV-HCL"], name="Đảng ủy xã Càng Long",
        short_name="Đảng ủy Càng Long", effective_on=dt.date(2025, 7, 1),
        decision=Decision(number="1-QĐ/TU"),
    )  # fmt: skip

    page = client_for(reporter).get(report.get_absolute_url()).content.decode()
    assert "Báo cáo năm 2024 của Huyện ủy Càng Long" in page
    assert "Đảng ủy Càng Long" not in page
    printed = client_for(reporter).get(reverse("reports:report_print", args=[report.pk]))
    assert "HUYỆN ỦY CÀNG LONG" in printed.content.decode()

    loaded = report_with_content(type(report).objects.get(pk=report.pk))
    assert report_document(loaded).organisation == "HUYỆN ỦY CÀNG LONG"
    assert docx_filenames(loaded)[1] == "Báo cáo năm 2024 - Huyện ủy Càng Long.docx"
    document = Document(io.BytesIO(report_docx_bytes(loaded)))
    header = " ".join(cell.text for row in document.tables[0].rows for cell in row.cells)
    assert "HUYỆN ỦY CÀNG LONG" in header
    assert document.core_properties.author == "Huyện ủy Càng Long"

"""The yearly summary as a Word file laid out as a Party document, by the rules in force
on its date (reports.documents.party: Hướng dẫn 36-HD/VPTW, then Quy định 399-QĐ/TW):
A4, Times New Roman 14, justified paragraphs with a first-line indent; the issuing body
and "ĐẢNG CỘNG SẢN VIỆT NAM" side by side at the top, "Nơi nhận" and the signature side
by side at the bottom, page numbers from page 2.

Ban Tổ chức of the plan's top committee issues it to Ban Thường vụ (plan section III.3);
who it is, its number's ký hiệu, place, addressee and signer come from the organisations'
data, followed to the bodies that existed on the document's date; the numbers come from
``reports.figures``. Nothing here knows a particular province or plan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from organisations.models import OrganisationKind
from reports.documents.party import children_on, place_date_line, report_subject
from reports.documents.report import text_lines
from reports.documents.word import (
    TABLE_SIZE,
    TEXT_WIDTH,
    add_paragraph,
    apply_rules,
    cell_line,
    empty_cell,
    party_header,
    recipients_and_signature,
    repeat_header,
    set_widths,
    setup_document,
    xml_safe,
)
from reports.figures.content import format_figure
from reports.figures.totals import IndicatorTotal
from reports.summary.data import SummaryData, number, steps

Progress = Callable[..., None]


def _ignore(*args, **kwargs) -> None:
    return None


def _heading(document, text: str) -> None:
    add_paragraph(document, text, bold=True, space_before=Pt(6))


# The document's parts -------------------------------------------------------------------


def header_number(data: SummaryData) -> str:
    """ "Số 12-BC/BTCTU": the issuing body's ký hiệu (its data), "…" until numbered."""
    return data.issuer.number_line(data.number, rules=data.rules)


def subject(data: SummaryData) -> str:
    return report_subject(data.plan, data.cycle.year)


def addressee(data: SummaryData) -> str:
    """Whom the summary reports to: the issuing body's `addressee` in its data (Ban Tổ
    chức → "Ban Thường vụ Tỉnh ủy": plan section III.3, "định kỳ hàng năm báo cáo Ban
    Thường vụ Tỉnh ủy"), else the standing committee of the committee as it was on the
    document's date, else the committee."""
    if data.issuer.addressee:
        return data.issuer.addressee
    committee = data.committee
    standing = children_on(committee, data.day, kind=OrganisationKind.STANDING_COMMITTEE)
    return (standing[0] if standing else committee).name_on(data.day)


def _header(document, data: SummaryData) -> None:
    issuer = data.issuer
    party_header(
        document, data.rules, superior=issuer.superior, name_lines=issuer.name_lines,
        number=header_number(data), place_date=place_date_line(data.place, data.day, data.rules),
        title=_("BÁO CÁO"), subject=subject(data),
    )  # fmt: skip


def change_text(row: IndicatorTotal) -> str:
    """+12 (+25%) / -3 (-10%) / 0; "–" when a year has no figure; what each year holds
    when this year has fewer reports than last (``Coverage``)."""
    change = row.change
    if change is None:
        return "–"
    if row.partial and row.coverage is not None:
        return row.coverage.text
    sign = "+" if change > 0 else "-" if change < 0 else ""
    text = f"{sign}{number(abs(change))}"
    if row.change_percent is not None and change:
        text += f" ({sign}{format_figure(abs(row.change_percent))}%)"
    return text


def _figures_table(document, data: SummaryData, rows: list[IndicatorTotal]) -> None:
    table = document.add_table(rows=1, cols=5)
    table.style = document.styles["Table Grid"]
    previous = _("Năm %(year)s") % {"year": data.previous.year} if data.previous else _("Năm trước")
    headings = [
        _("Chỉ tiêu"),
        _("Đơn vị tính"),
        _("Năm %(year)s") % {"year": data.cycle.year},
        previous,
        _("Tăng/giảm"),
    ]
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        cell_line(empty_cell(cell), heading, bold=True, size=TABLE_SIZE)
    repeat_header(table.rows[0])
    right, left = WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.LEFT
    for row in rows:
        cells = [empty_cell(cell) for cell in table.add_row().cells]
        cell_line(cells[0], row.indicator.name, size=TABLE_SIZE, align=left)
        cell_line(cells[1], row.indicator.unit, size=TABLE_SIZE)
        cell_line(cells[2], number(row.value) or "–", size=TABLE_SIZE, align=right)
        cell_line(cells[3], number(row.previous) or "–", size=TABLE_SIZE, align=right)
        cell_line(cells[4], change_text(row), size=TABLE_SIZE, align=right)
    set_widths(table, [TEXT_WIDTH - Cm(10.5), Cm(2.5), Cm(2.5), Cm(2.5), Cm(3)])
    add_paragraph(document, indent=False, space_after=Pt(0))


def _draft(document, data: SummaryData, progress: Progress) -> None:
    """The draft's parts in order: a roman-numbered section's heading before its first
    part, each part's heading and its text (a paragraph per line), and after a task's
    part the table of its indicators. A part with no text and no table (Ban Tổ chức's
    recommendations before anyone writes them) leaves nothing behind, not even its
    heading."""
    indicators: dict[int, list[IndicatorTotal]] = {}
    for row in data.totals.rows:
        indicators.setdefault(row.indicator.task_id, []).append(row)
    section = ""
    count = max(len(data.parts), 1)
    for index, part in enumerate(data.parts):
        lines = text_lines(xml_safe(part.text))
        rows = indicators.get(part.task_id, []) if part.task_id else []
        if lines or rows:
            if part.section and part.section != section:
                _heading(document, part.section)
                section = part.section
            if part.heading:
                add_paragraph(document, part.heading, bold=True, space_before=Pt(6))
            for line in lines:
                add_paragraph(document, line)
            if rows:
                _figures_table(document, data, rows)
        progress(20 + 35 * (index + 1) // count)


def _closing(document, data: SummaryData) -> None:
    to = addressee(data)
    add_paragraph(
        document,
        _(
            "Trên đây là báo cáo kết quả thực hiện Kế hoạch số %(plan)s năm %(year)s, "
            "kính báo cáo %(to)s."
        )
        % {"plan": data.plan.number, "year": data.cycle.year, "to": to},
        space_before=Pt(6),
    )
    add_paragraph(document, indent=False, space_after=Pt(0))
    recipients = [
        _("%(to)s (b/c),") % {"to": to},
        _("Lưu %(body)s.") % {"body": data.issuer.suffix or _("văn thư")},
    ]
    recipients_and_signature(document, data.rules, recipients, data.signer)


def write_summary_docx(data: SummaryData, out: IO[bytes], *, progress: Progress = _ignore) -> None:
    """The yearly summary as a Word file written to ``out``: the header, the draft's
    parts (``data.parts``, as Ban Tổ chức edited them), the closing.
    ``progress(percent, step=None)`` is told as the work advances (20–60)."""
    labels = steps()
    document = Document()
    setup_document(document)
    apply_rules(document, data.rules)
    properties = document.core_properties
    properties.title = xml_safe(f"{_('BÁO CÁO')} {subject(data)}")[:255]  # Word's limit
    properties.author = xml_safe(data.issuer.organisation.name_on(data.day))
    properties.last_modified_by = properties.author
    properties.comments = ""
    properties.created = properties.modified = data.built_at

    _header(document, data)
    progress(20, labels["tasks"])
    _draft(document, data, progress)
    progress(55, labels["docx"])
    _closing(document, data)

    document.save(out)
    progress(60)

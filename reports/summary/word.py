"""The yearly summary as a Word file laid out as a Party document (Hướng dẫn 36-HD/VPTW):
A4, margins 2/2/3/1,5 cm, Times New Roman 14, justified paragraphs with a first-line
indent; the committee and "ĐẢNG CỘNG SẢN VIỆT NAM" side by side at the top, "Nơi nhận"
and the signature side by side at the bottom.

The committee, the place name and the numbers come from the data (the plan's issuer, the
figures of ``reports.figures``); nothing here knows a particular province or plan.
"""

from __future__ import annotations

import io
from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from reports.documents.report import place_date_line, text_lines
from reports.documents.word import (
    SMALL_SIZE,
    TABLE_SIZE,
    TEXT_WIDTH,
    add_paragraph,
    borderless,
    cell_line,
    empty_cell,
    repeat_header,
    set_widths,
    setup_document,
    xml_safe,
)
from reports.figures.content import format_figure
from reports.figures.definitions import IndicatorTotal
from reports.summary.data import SummaryData, number, steps

Progress = Callable[..., None]
TITLE_SIZE = Pt(15)
RECIPIENT_SIZE = Pt(11)


def _ignore(*args, **kwargs) -> None:
    return None


def _heading(document, text: str) -> None:
    add_paragraph(document, text, bold=True, space_before=Pt(6))


# The document's parts -------------------------------------------------------------------


def header_number(data: SummaryData) -> str:
    return _("Số %(number)s-BC/TU") % {"number": data.number or "…"}


def subject(data: SummaryData) -> str:
    return _("kết quả thực hiện Kế hoạch số %(number)s năm %(year)s") % {
        "number": data.plan.number,
        "year": data.cycle.year,
    }


def _header(document, data: SummaryData) -> None:
    table = document.add_table(rows=1, cols=2)
    borderless(table)
    set_widths(table, [Cm(7), TEXT_WIDTH - Cm(7)])
    left, right = (empty_cell(cell) for cell in table.rows[0].cells)
    cell_line(left, data.top.name.upper(), bold=True)
    cell_line(left, "*")
    cell_line(left, header_number(data))
    cell_line(right, _("ĐẢNG CỘNG SẢN VIỆT NAM"), bold=True, underline=True, size=TITLE_SIZE)
    day = timezone.localtime(data.built_at).date()
    cell_line(right, place_date_line(data.place, day), italic=True, space_before=Pt(12))

    add_paragraph(document, indent=False, space_after=Pt(0))
    center = WD_ALIGN_PARAGRAPH.CENTER
    add_paragraph(
        document, _("BÁO CÁO"), bold=True, size=TITLE_SIZE, align=center, indent=False,
        space_before=Pt(12), space_after=Pt(0),
    )  # fmt: skip
    add_paragraph(document, subject(data), bold=True, align=center, indent=False, space_after=Pt(0))
    add_paragraph(document, "-----", align=center, indent=False)


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
    add_paragraph(
        document,
        _(
            "Trên đây là báo cáo kết quả thực hiện Kế hoạch số %(plan)s năm %(year)s, "
            "kính báo cáo Thường trực Tỉnh ủy."
        )
        % {"plan": data.plan.number, "year": data.cycle.year},
        space_before=Pt(6),
    )
    add_paragraph(document, indent=False, space_after=Pt(0))
    table = document.add_table(rows=1, cols=2)
    borderless(table)
    set_widths(table, [TEXT_WIDTH - Cm(8.5), Cm(8.5)])
    left, right = (empty_cell(cell) for cell in table.rows[0].cells)
    flush = WD_ALIGN_PARAGRAPH.LEFT
    cell_line(left, _("Nơi nhận:"), bold=True, italic=True, size=SMALL_SIZE, align=flush)
    for line in (
        _("- Thường trực Tỉnh ủy (b/c),"),
        _("- Các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy,"),
        _("- Lưu VPTU, BTCTU."),
    ):
        cell_line(left, line, size=RECIPIENT_SIZE, align=flush)
    cell_line(right, _("T/L BAN THƯỜNG VỤ"), bold=True)
    cell_line(right, _("TRƯỞNG BAN TỔ CHỨC"), bold=True)
    cell_line(right, space_after=Pt(84))  # room for the signature and the seal


def summary_docx_bytes(data: SummaryData, *, progress: Progress = _ignore) -> bytes:
    """The yearly summary as a Word file: the header, the draft's parts (``data.parts``,
    as Ban Tổ chức edited them), the closing. ``progress(percent, step=None)`` is told as
    the work advances (20–60)."""
    labels = steps()
    document = Document()
    setup_document(document)
    properties = document.core_properties
    properties.title = xml_safe(f"{_('BÁO CÁO')} {subject(data)}")
    properties.author = xml_safe(data.top.name)
    properties.last_modified_by = properties.author
    properties.comments = ""
    properties.created = properties.modified = data.built_at

    _header(document, data)
    progress(20, labels["tasks"])
    _draft(document, data, progress)
    progress(55, labels["docx"])
    _closing(document, data)

    buffer = io.BytesIO()
    document.save(buffer)
    progress(60)
    return buffer.getvalue()

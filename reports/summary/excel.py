"""The yearly summary's figures as an Excel workbook.

"Số liệu": one row per counted report, one column per indicator, and a row of totals
that are exactly ``indicator_totals`` (the dashboard's numbers). "Tình hình báo cáo":
every expected organisation with its status, first submission, on time or late.

The workbook is written in constant-memory mode (``xlsx_styles.open_workbook``), row by
row from the query streams, so a nation of 50,000 organisations needs the memory of one
row. The widths come from what was written and are set at the end, with the print setup;
the organisations' codes come last, outside the printed columns.
"""

from __future__ import annotations

from decimal import Decimal
from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from xlsxwriter.worksheet import Worksheet

from reports.documents.safe_text import strip_control
from reports.documents.xlsx_styles import (
    BODY,
    BOLD,
    DATETIME,
    DECIMAL,
    HEADER_ALIGN,
    INTEGER,
    ITALIC,
    RATE,
    WRAP,
    ColumnWidths,
    Formats,
    header_height,
    open_workbook,
    print_area,
    print_setup,
    put,
    put_numbers,
    row_height,
    set_row_height,
)
from reports.models import ReportStatus
from reports.summary.data import SummaryData, status_label


def excel_number(value: Decimal | int | None) -> int | float | None:
    """Numbers stay numbers: whole ones as int, others as float."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _sheet_title(data: SummaryData, name: str) -> str:
    return _("%(sheet)s — Báo cáo tổng hợp năm %(year)s") % {
        "sheet": name,
        "year": data.cycle.year,
    }


def _header(sheet: Worksheet, formats: Formats, header: list[str], maxima: list[float]) -> None:
    """The first row, as tall as its wrapped labels."""
    set_row_height(sheet, 1, header_height(header, maxima))
    bold = formats.get(BOLD, HEADER_ALIGN)
    for column, text in enumerate(header, start=1):
        put(sheet, 1, column, text, bold)


def _finish(
    sheet: Worksheet,
    data: SummaryData,
    name: str,
    header: list[str],
    widths: ColumnWidths,
    maxima: list[float],
    *,
    freeze: str,
    rows: int,
) -> list[float]:
    """Widths from the header and the content, frozen panes, print setup and print area
    of a sheet whose last column is the organisations' code (not printed)."""
    widths.see_row(header)
    fitted = widths.widths(maxima)
    print_setup(
        sheet,
        title=_sheet_title(data, name),
        header_rows=(1, 1),
        widths=fitted,
        printed_columns=len(header) - 1,
        title_columns=2,
        freeze=freeze,
    )
    print_area(sheet, columns=len(header) - 1, rows=rows)
    return fitted


def _figures_sheet(workbook, formats: Formats, data: SummaryData) -> None:
    name = _("Số liệu")
    sheet = workbook.add_worksheet(name)
    indicators = [row.indicator for row in data.totals.rows]
    header = [_("STT"), _("Đơn vị"), _("Trạng thái")]
    header += [f"{i.name} ({i.unit})" if i.unit else i.name for i in indicators]
    header.append(_("Mã đơn vị"))
    maxima = [8, 40, 18, *([18] * len(indicators)), 20]
    _header(sheet, formats, header, maxima)
    # Sized on the names and codes; the figures are narrower than their headers.
    widths = ColumnWidths()
    plain, wrap = formats.get(BODY), formats.get(BODY, WRAP)
    integer, decimal = formats.get(BODY, None, INTEGER), formats.get(BODY, None, DECIMAL)
    code_column = len(header)
    pks = [indicator.pk for indicator in indicators]
    labels = {status: status_label(status) for status in ReportStatus.values}

    # Both streams come in the usual order of organisations. The reports' rows are read
    # first; a value of a report that left the counted set between the two reads, or
    # whose row is already written, is skipped, not misplaced. Inside a transaction the
    # values' server-side cursor streams while the rows are written; outside one,
    # PostgreSQL would first materialise all of them, for the cursor to outlive its
    # commit.
    with transaction.atomic():
        reports = list(data.report_rows())
        position = {row[0]: index for index, row in enumerate(reports)}
        values = data.values()
        pending = next(values, None)
        row = 1
        for index, (report_id, code, org_name, status) in enumerate(reports, start=1):
            while (
                pending is not None
                and pending[0] != report_id
                and position.get(pending[0], -1) < index - 1
            ):
                pending = next(values, None)
            given: dict[int, Decimal] = {}
            while pending is not None and pending[0] == report_id:
                given[pending[1]] = pending[2]
                pending = next(values, None)
            row = index + 1
            put(sheet, row, 1, index, plain)
            put(sheet, row, 2, org_name, wrap)
            put(sheet, row, 3, labels[status], wrap)
            put_numbers(
                sheet, row, 4, [excel_number(given.get(pk)) for pk in pks], integer, decimal
            )
            put(sheet, row, code_column, code, plain)
            widths.see(2, org_name)
            widths.see(code_column, code)
    del reports, position

    row += 1
    put(sheet, row, 1, None, plain)
    put(sheet, row, 2, _("Tổng hợp"), formats.get(BOLD))
    put(sheet, row, 3, None, plain)
    for column, total in enumerate(data.totals.rows, start=4):
        number = excel_number(total.value)
        number_format = INTEGER if isinstance(number, int) else DECIMAL
        put(sheet, row, column, number, formats.get(BOLD, None, number_format))
    if data.summary.include_submitted:
        note = _(
            "Tổng hợp từ các báo cáo đã được tiếp nhận và báo cáo đã gửi, đang chờ xem xét; "
            "chỉ tiêu tính trung bình hoặc lớn nhất được tổng hợp theo cách đó."
        )
    else:
        note = _(
            "Tổng hợp từ các báo cáo đã được tiếp nhận; chỉ tiêu tính trung bình hoặc lớn nhất "
            "được tổng hợp theo cách đó."
        )
    fitted = _finish(sheet, data, name, header, widths, maxima, freeze="D2", rows=row + 2)
    # Wrapped in the name column, on as many lines as it takes (set before its row).
    row += 2
    set_row_height(sheet, row, row_height([note], [fitted[1]]))
    put(sheet, row, 1, None, plain)
    put(sheet, row, 2, note, formats.get(ITALIC, WRAP))


def _timeliness(row) -> str:
    if not row.submitted:
        return _("Chưa gửi")
    return _("Đúng hạn") if row.on_time else _("Chậm")


def _situation_sheet(workbook, formats: Formats, data: SummaryData) -> None:
    name = _("Tình hình báo cáo")
    sheet = workbook.add_worksheet(name)
    header = [
        _("STT"),
        _("Đơn vị"),
        _("Trạng thái"),
        _("Gửi lần đầu"),
        _("Đúng hạn/chậm"),
        _("Số ngày chậm"),
        _("Mã đơn vị"),
    ]
    maxima = [8, 40, 18, 20, 16, 14, 20]
    _header(sheet, formats, header, maxima)
    widths = ColumnWidths()
    plain, wrap = formats.get(BODY), formats.get(BODY, WRAP)
    moment = formats.get(BODY, None, DATETIME)
    for index, row in enumerate(data.expected, start=1):
        first = row.first_submitted_at
        line = index + 1
        put(sheet, line, 1, index, plain)
        put(sheet, line, 2, row.name, wrap)
        put(sheet, line, 3, status_label(row.status), wrap)
        put(
            sheet,
            line,
            4,
            timezone.localtime(first).replace(tzinfo=None) if first else None,
            moment,
        )
        put(sheet, line, 5, _timeliness(row), plain)
        put(sheet, line, 6, row.days_late if row.submitted and not row.on_time else None, plain)
        put(sheet, line, 7, row.code, plain)
        widths.see(2, row.name)
        widths.see(7, row.code)
    figures = data.figures
    line = len(data.expected) + 2  # a blank row after the organisations
    bold = formats.get(BOLD)
    for label, value in (
        (_("Phải báo cáo"), figures.expected),
        (_("Đã gửi"), figures.actual),
        (_("Đúng hạn"), figures.on_time),
        (_("Chậm"), figures.late),
        (_("Chưa gửi"), figures.missing),
        (_("Đã tiếp nhận"), figures.accepted),
    ):
        line += 1
        put(sheet, line, 1, None, plain)
        put(sheet, line, 2, label, bold)
        put(sheet, line, 3, excel_number(value), formats.get(BOLD, None, INTEGER))
    for label, value in (
        (_("Tỷ lệ đầy đủ (%)"), figures.completeness),
        (_("Tỷ lệ đúng hạn (%)"), figures.timeliness),
        (_("Tỷ lệ đã tiếp nhận (%)"), figures.acceptance),
    ):
        line += 1
        put(sheet, line, 1, None, plain)
        put(sheet, line, 2, label, bold)
        put(sheet, line, 3, float(value), formats.get(BOLD, None, RATE))
    _finish(sheet, data, name, header, widths, maxima, freeze="C2", rows=line)


def write_summary_xlsx(data: SummaryData, out: IO[bytes], *, tmpdir: str | None = None) -> None:
    """The summary's workbook written to ``out``; the rows wait in temporary files in
    ``tmpdir`` until the workbook is put together."""
    with open_workbook(out, tmpdir=tmpdir) as (workbook, formats):
        _figures_sheet(workbook, formats, data)
        _situation_sheet(workbook, formats, data)
        workbook.set_properties(
            {
                "author": strip_control(data.top.name),
                "title": _("Báo cáo tổng hợp năm %(year)s") % {"year": data.cycle.year},
            }
        )

"""The yearly summary's figures as an Excel workbook.

"Số liệu": one row per counted report, one column per indicator, and a row of totals
that are exactly ``indicator_totals`` (the dashboard's numbers). "Tình hình báo cáo":
every expected organisation with its status, first submission, on time or late.

The workbook is written in openpyxl's write-only mode, row by row from the query streams,
so a province of thousands of organisations does not have to fit in memory twice. Its
widths and print setup are therefore set before the rows, from the headers and the
expected organisations (already in memory); the organisations' codes come last, outside
the printed columns.
"""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

from reports.documents.safe_text import put_text_cell, strip_control
from reports.documents.xlsx_styles import (
    ColumnWidths,
    print_area,
    print_setup,
    row_height,
    style_name,
)
from reports.summary.data import SummaryData, status_label

FONT_NAME = "Times New Roman"
PLAIN = Font(name=FONT_NAME, size=12)
BOLD = Font(name=FONT_NAME, size=12, bold=True)
ITALIC = Font(name=FONT_NAME, size=12, italic=True)
WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, horizontal="center", vertical="center")
INTEGER_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.00"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"


def excel_number(value: Decimal | int | None) -> int | float | None:
    """Numbers stay numbers: whole ones as int, others as float."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _cell(sheet, value, *, font=PLAIN, alignment=None, number_format=None):
    cell = put_text_cell(WriteOnlyCell(sheet), value)
    cell.style = style_name(
        sheet.parent, font=font, alignment=alignment, number_format=number_format
    )
    return cell


def _number_cell(sheet, value, *, font=PLAIN):
    number = excel_number(value)
    fmt = INTEGER_FORMAT if isinstance(number, int) else DECIMAL_FORMAT
    return _cell(sheet, number, font=font, number_format=fmt)


def _sheet_title(data: SummaryData, sheet) -> str:
    return _("%(sheet)s — Báo cáo tổng hợp năm %(year)s") % {
        "sheet": sheet.title,
        "year": data.cycle.year,
    }


def _prepare(
    sheet, data: SummaryData, header: list[str], maxima: list[float], *, freeze: str
) -> list[float]:
    """Widths, frozen panes and print setup of a sheet whose first row is ``header`` and
    whose last column is the organisations' code (not printed); before any row, as
    write-only mode requires. The name and code columns are sized on the expected
    organisations, the others on their headers (their figures are shorter)."""
    widths = ColumnWidths()
    widths.see_row(header)
    for row in data.expected:
        widths.see(2, row.name)
        widths.see(len(header), row.code)
    fitted = widths.widths(maxima)
    print_setup(
        sheet,
        title=_sheet_title(data, sheet),
        header_rows=(1, 1),
        widths=fitted,
        printed_columns=len(header) - 1,
        title_columns=2,
        freeze=freeze,
    )
    sheet.row_dimensions[1].height = row_height(header, fitted)
    return fitted


def _figures_sheet(workbook, data: SummaryData) -> None:
    sheet = workbook.create_sheet(_("Số liệu"))
    indicators = [row.indicator for row in data.totals.rows]
    header = [_("STT"), _("Đơn vị"), _("Trạng thái")]
    header += [f"{i.name} ({i.unit})" if i.unit else i.name for i in indicators]
    header.append(_("Mã đơn vị"))
    widths = _prepare(sheet, data, header, [8, 40, 18, *([18] * len(indicators)), 20], freeze="D2")
    sheet.append([_cell(sheet, text, font=BOLD, alignment=HEADER_ALIGN) for text in header])
    written = 1

    # Both streams come in the usual order of organisations. The reports' rows are read
    # first (a few ids per organisation); a value of a report that left the counted set
    # between the two reads, or whose row is already written, is skipped, not misplaced.
    reports = list(data.report_rows())
    position = {row[0]: index for index, row in enumerate(reports)}
    values = data.values()
    pending = next(values, None)
    for index, (report_id, code, name, status) in enumerate(reports, start=1):
        while (
            pending is not None
            and pending[0] != report_id
            and position.get(pending[0], -1) < index - 1
        ):
            pending = next(values, None)
        given: dict[int, Decimal] = {}
        while pending is not None and pending[0] == report_id:
            given[pending[2]] = pending[3]
            pending = next(values, None)
        row = [
            _cell(sheet, index),
            _cell(sheet, name, alignment=WRAP),
            _cell(sheet, status_label(status), alignment=WRAP),
        ]
        row += [_number_cell(sheet, given.get(indicator.pk)) for indicator in indicators]
        row.append(_cell(sheet, code))
        sheet.append(row)
        written += 1

    totals = [
        _cell(sheet, None),
        _cell(sheet, _("Tổng hợp"), font=BOLD),
        _cell(sheet, None),
    ]
    totals += [_number_cell(sheet, row.value, font=BOLD) for row in data.totals.rows]
    sheet.append(totals)
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
    sheet.append([])
    # Wrapped in the name column, on as many lines as it takes (set before its row).
    sheet.row_dimensions[written + 3].height = row_height([note], [widths[1]])
    sheet.append([_cell(sheet, None), _cell(sheet, note, font=ITALIC, alignment=WRAP)])
    print_area(sheet, columns=len(header) - 1, rows=written + 3)


def _timeliness(row) -> str:
    if not row.submitted:
        return _("Chưa gửi")
    return _("Đúng hạn") if row.on_time else _("Chậm")


def _label(sheet, label: str) -> list:
    """The cells before a figure in the closing rows: the label in the name column."""
    return [_cell(sheet, None), _cell(sheet, label, font=BOLD)]


def _situation_sheet(workbook, data: SummaryData) -> None:
    sheet = workbook.create_sheet(_("Tình hình báo cáo"))
    header = [
        _("STT"),
        _("Đơn vị"),
        _("Trạng thái"),
        _("Gửi lần đầu"),
        _("Đúng hạn/chậm"),
        _("Số ngày chậm"),
        _("Mã đơn vị"),
    ]
    _prepare(sheet, data, header, [8, 40, 18, 20, 16, 14, 20], freeze="C2")
    sheet.append([_cell(sheet, text, font=BOLD, alignment=HEADER_ALIGN) for text in header])
    for index, row in enumerate(data.expected, start=1):
        first = row.first_submitted_at
        sheet.append(
            [
                _cell(sheet, index),
                _cell(sheet, row.name, alignment=WRAP),
                _cell(sheet, status_label(row.status), alignment=WRAP),
                _cell(
                    sheet,
                    timezone.localtime(first).replace(tzinfo=None) if first else None,
                    number_format=DATETIME_FORMAT,
                ),
                _cell(sheet, _timeliness(row)),
                _cell(sheet, row.days_late if row.submitted and not row.on_time else None),
                _cell(sheet, row.code),
            ]
        )
    figures = data.figures
    sheet.append([])
    for label, value in (
        (_("Phải báo cáo"), figures.expected),
        (_("Đã gửi"), figures.actual),
        (_("Đúng hạn"), figures.on_time),
        (_("Chậm"), figures.late),
        (_("Chưa gửi"), figures.missing),
        (_("Đã tiếp nhận"), figures.accepted),
    ):
        sheet.append([*_label(sheet, label), _number_cell(sheet, value, font=BOLD)])
    for label, value in (
        (_("Tỷ lệ đầy đủ (%)"), figures.completeness),
        (_("Tỷ lệ đúng hạn (%)"), figures.timeliness),
        (_("Tỷ lệ đã tiếp nhận (%)"), figures.acceptance),
    ):
        rate = _cell(sheet, float(value), font=BOLD, number_format="0.0")
        sheet.append([*_label(sheet, label), rate])
    print_area(sheet, columns=len(header) - 1, rows=len(data.expected) + 11)


def summary_xlsx_bytes(data: SummaryData) -> bytes:
    workbook = Workbook(write_only=True)
    _figures_sheet(workbook, data)
    _situation_sheet(workbook, data)
    workbook.properties.creator = strip_control(data.top.name)
    workbook.properties.title = _("Báo cáo tổng hợp năm %(year)s") % {"year": data.cycle.year}
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

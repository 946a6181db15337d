"""The rollup (Tổng hợp) as a workbook and CSV files, laid out with the shared helpers of
``reports.documents.spreadsheets`` from the very object the page shows."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook

from reports.dashboards.rollup import Rollup, TotalLine, organisation_values
from reports.documents.spreadsheets import (
    EXCEL_CSV,
    INTEGER,
    MACHINE_CSV,
    SIGNED_PERCENT,
    Column,
    CsvDialect,
    _csv_bytes,
    _fraction,
    _header,
    _level_suffix,
    _number_format,
    _print,
    _row,
    _title,
    _with_level,
    _workbook_bytes,
)
from reports.documents.xlsx_styles import ColumnWidths

# The rollup -------------------------------------------------------------------------------


def rollup_columns(rollup: Rollup) -> list[Column]:
    year = rollup.cycle.year
    previous = rollup.previous.year if rollup.previous else None
    # The indicator's code last: a reader goes by its name, and the code stays out of
    # the printed columns (see rollup_xlsx).
    return [
        Column(_("Nhiệm vụ"), 12, INTEGER),
        Column(_("Chỉ tiêu"), 60),
        Column(_("Đơn vị tính"), 24),
        Column(_("Năm %(year)s") % {"year": year}, 14),
        Column(_("Năm %(year)s") % {"year": previous} if previous else _("Năm trước"), 14),
        Column(_("Tăng, giảm"), 14),
        Column(_("Tăng, giảm (%)"), 14, SIGNED_PERCENT),
        Column(_("Số báo cáo có số liệu"), 14, INTEGER),
        Column(_("Mã chỉ tiêu"), 40),
    ]


def rollup_line_values(line: TotalLine) -> list:
    total = line.total
    return [
        total.indicator.task.number,
        total.indicator.name,
        total.indicator.unit,
        total.value,
        total.previous,
        total.change,
        total.change_percent,
        total.reports,
        total.indicator.code,
    ]


# Where the rollup's figures sit in its rows (rollup_line_values).
CHANGE, CHANGE_PERCENT = 5, 6


def rollup_xlsx(rollup: Rollup) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = _("Chỉ tiêu")
    columns = rollup_columns(rollup)
    printed = len(columns) - 1  # all but the indicator's code
    title = _with_level(
        _("Tổng hợp kết quả thực hiện năm %(year)s — Kế hoạch số %(plan)s")
        % {"year": rollup.cycle.year, "plan": rollup.plan.number},
        rollup.node,
    )
    row = _title(ws, [title, rollup.basis], printed)
    widths = ColumnWidths()
    header_row = row + 1
    _header(ws, header_row, columns, widths)
    for number, line in enumerate(rollup.lines, start=1):
        values = rollup_line_values(line)
        values[CHANGE_PERCENT] = _fraction(line.total.change_percent)  # shown as a percentage
        r = header_row + number
        _row(ws, r, values, columns, widths)
        change = line.total.change
        if change is not None:
            ws.cell(row=r, column=CHANGE + 1).number_format = _number_format(change, signed=True)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)
    _print(
        ws,
        title=title,
        header_row=header_row,
        columns=columns,
        widths=widths,
        last_row=header_row + len(rollup.lines),
        printed=printed,
    )

    _organisation_sheet(workbook, rollup)
    return _workbook_bytes(workbook)


def _organisation_sheet(workbook: Workbook, rollup: Rollup) -> None:
    ws = workbook.create_sheet(_("Theo đơn vị"))
    table = organisation_values(rollup)
    # One column per indicator: too many for one page at a readable size, so the sheet
    # prints on several pages across, each starting with the units' numbers and names.
    columns = [Column(_("STT"), 8, INTEGER), Column(_("Đơn vị"), 40)] + [
        Column(f"{i.name} ({i.unit})" if i.unit else i.name, 18) for i in table.indicators
    ]
    title = _with_level(
        _("Số liệu của từng đơn vị năm %(year)s — Kế hoạch số %(plan)s")
        % {"year": rollup.cycle.year, "plan": rollup.plan.number},
        rollup.node,
    )
    row = _title(ws, [title, rollup.basis], min(len(columns), 6))
    widths = ColumnWidths()
    header_row = row + 1
    _header(ws, header_row, columns, widths)
    for number, (name, values) in enumerate(table.rows, start=1):
        _row(ws, header_row + number, [number, name, *values], columns, widths)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)
    _print(
        ws,
        title=title,
        header_row=header_row,
        columns=columns,
        widths=widths,
        last_row=header_row + len(table.rows),
        title_columns=2,
    )


def rollup_csv(rollup: Rollup, dialect: CsvDialect = MACHINE_CSV) -> bytes:
    return _csv_bytes(
        [c.header for c in rollup_columns(rollup)],
        (rollup_line_values(line) for line in rollup.lines),
        dialect,
    )


def rollup_excel_csv(rollup: Rollup) -> bytes:
    return rollup_csv(rollup, EXCEL_CSV)


def rollup_filenames(rollup: Rollup, extension: str) -> tuple[str, str]:
    short, long = _level_suffix(rollup.node)
    ascii_name = f"tong-hop-{rollup.plan.code}-{rollup.cycle.year}{short}.{extension}"
    full = _("Tổng hợp năm %(year)s - Kế hoạch %(plan)s") % {
        "year": rollup.cycle.year,
        "plan": rollup.plan.code,
    }
    return ascii_name, f"{full}{long}.{extension}"

"""The rollup (Tổng hợp) as a workbook and CSV files, laid out with the shared helpers of
``reports.documents.spreadsheets`` from the very object the page shows; the "Theo đơn vị"
sheet streams every counted organisation's figures (``export_rows.organisation_values``)."""

from __future__ import annotations

import io
from typing import IO

from django.utils.translation import gettext as _

from reports.dashboards.export_rows import (
    organisation_values,
    rollup_indicators,
    rollup_row_count,
)
from reports.dashboards.rollup import Rollup
from reports.dashboards.rollup_lines import TotalLine
from reports.documents.spreadsheets import (
    EXCEL_CSV,
    MACHINE_CSV,
    Column,
    CsvDialect,
    Progress,
    Table,
    _fraction,
    _header,
    _level_suffix,
    _number_format,
    _print,
    _row,
    _title,
    _with_level,
    counted,
    write_csv,
)
from reports.documents.xlsx_styles import INTEGER, SIGNED_PERCENT, open_workbook

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


def write_rollup_xlsx(
    rollup: Rollup,
    out: IO[bytes],
    *,
    total: int | None = None,
    progress: Progress | None = None,
) -> None:
    """The rollup's workbook written to ``out``: the indicators' totals, then every
    counted organisation's figures (``total`` of them for ``progress``, counted when not
    given)."""
    if total is None and progress is not None:
        total = rollup_row_count(rollup)
    with open_workbook(out) as (workbook, formats):
        _lines_sheet(Table(workbook.add_worksheet(_("Chỉ tiêu")), formats), rollup)
        _organisation_sheet(
            Table(workbook.add_worksheet(_("Theo đơn vị")), formats), rollup, total, progress
        )


def _lines_sheet(table: Table, rollup: Rollup) -> None:
    columns = rollup_columns(rollup)
    printed = len(columns) - 1  # all but the indicator's code
    title = _with_level(
        _("Tổng hợp kết quả thực hiện năm %(year)s — Kế hoạch số %(plan)s")
        % {"year": rollup.cycle.year, "plan": rollup.plan.number},
        rollup.node,
    )
    row = _title(table, [title, rollup.basis], printed)
    header_row = last_row = row + 1
    _header(table, header_row, columns)
    for number, line in enumerate(rollup.lines, start=1):
        values = rollup_line_values(line)
        values[CHANGE_PERCENT] = _fraction(line.total.change_percent)  # shown as a percentage
        change = line.total.change
        last_row = header_row + number
        # The change is signed, to its own decimals.
        signed = {CHANGE: _number_format(change, signed=True)} if change is not None else None
        _row(table, last_row, values, columns, numbers=signed)
    _print(
        table,
        title=title,
        header_row=header_row,
        columns=columns,
        last_row=last_row,
        printed=printed,
        freeze=f"C{header_row + 1}",
    )


def _organisation_sheet(
    table: Table, rollup: Rollup, total: int | None, progress: Progress | None
) -> None:
    indicators = rollup_indicators(rollup)
    # One column per indicator: too many for one page at a readable size, so the sheet
    # prints on several pages across, each starting with the units' numbers and names.
    columns = [Column(_("STT"), 8, INTEGER), Column(_("Đơn vị"), 40)] + [
        Column(f"{i.name} ({i.unit})" if i.unit else i.name, 18) for i in indicators
    ]
    title = _with_level(
        _("Số liệu của từng đơn vị năm %(year)s — Kế hoạch số %(plan)s")
        % {"year": rollup.cycle.year, "plan": rollup.plan.number},
        rollup.node,
    )
    row = _title(table, [title, rollup.basis], min(len(columns), 6))
    header_row = last_row = row + 1
    _header(table, header_row, columns)
    rows = counted(organisation_values(rollup), total or 0, progress)
    for number, (name, values) in enumerate(rows, start=1):
        last_row = header_row + number
        _row(table, last_row, [number, name, *values], columns)
    _print(
        table,
        title=title,
        header_row=header_row,
        columns=columns,
        last_row=last_row,
        title_columns=2,
        freeze=f"C{header_row + 1}",
    )


def write_rollup_csv(
    rollup: Rollup,
    out: IO[bytes],
    dialect: CsvDialect = MACHINE_CSV,
    *,
    progress: Progress | None = None,
) -> None:
    """The indicators' totals (a few dozen lines) as CSV."""
    lines = rollup.lines
    write_csv(
        out,
        [c.header for c in rollup_columns(rollup)],
        (rollup_line_values(line) for line in counted(lines, len(lines), progress)),
        dialect,
    )


def rollup_xlsx(rollup: Rollup) -> bytes:
    buffer = io.BytesIO()
    write_rollup_xlsx(rollup, buffer)
    return buffer.getvalue()


def rollup_csv(rollup: Rollup, dialect: CsvDialect = MACHINE_CSV) -> bytes:
    buffer = io.BytesIO()
    write_rollup_csv(rollup, buffer, dialect)
    return buffer.getvalue()


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

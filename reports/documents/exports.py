"""The dashboard's and the rollup's files, written to a stream with a progress callback.

For now the whole file is laid out by the workbook and CSV functions of
``spreadsheets`` and ``rollup_files`` and written at once; ``progress`` hears of every
row at the end."""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from reports.dashboards.cycle import Dashboard
from reports.dashboards.rollup import Rollup
from reports.documents.rollup_files import rollup_csv, rollup_excel_csv, rollup_xlsx
from reports.documents.spreadsheets import dashboard_csv, dashboard_excel_csv, dashboard_xlsx

FORMATS = ("xlsx", "csv", "excel.csv")

_DASHBOARD = {"xlsx": dashboard_xlsx, "csv": dashboard_csv, "excel.csv": dashboard_excel_csv}
_ROLLUP = {"xlsx": rollup_xlsx, "csv": rollup_csv, "excel.csv": rollup_excel_csv}


def write_dashboard_file(
    board: Dashboard,
    fmt: str,
    out: BinaryIO,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    out.write(_DASHBOARD[fmt](board))
    if progress is not None:
        total = dashboard_row_count(board)
        progress(total, total)


def write_rollup_file(
    rollup: Rollup,
    fmt: str,
    out: BinaryIO,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    out.write(_ROLLUP[fmt](rollup))
    if progress is not None:
        total = rollup_row_count(rollup)
        progress(total, total)


def dashboard_row_count(board: Dashboard) -> int:
    """The organisations the file lists: every row after the filters, on every page."""
    return board.total_rows


def rollup_row_count(rollup: Rollup) -> int:
    """The organisations the file lists: those with a counted report giving figures."""
    return max([rollup.compared, *(total.reports for total in rollup.totals.rows)], default=0)

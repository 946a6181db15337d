"""The dashboard's and the rollup's files, written to a file handle as their rows stream
from the database: what a download or a background job calls.

``fmt`` is one of FORMATS: "xlsx" the workbook (the first choice), "csv" for programs
(commas, decimal point), "excel.csv" for Excel with Vietnamese regional settings
(semicolons, decimal comma). ``progress(done, total)`` is told every PROGRESS_EVERY rows
and once at the end; ``total`` is the file's organisation rows (``*_row_count``), or, for
the rollup's CSV, which has none, its indicator lines.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import BinaryIO

from reports.dashboards.cycle import Dashboard
from reports.dashboards.export_rows import dashboard_row_count as _dashboard_row_count
from reports.dashboards.export_rows import rollup_row_count as _rollup_row_count
from reports.dashboards.rollup import Rollup
from reports.documents.rollup_files import write_rollup_csv, write_rollup_xlsx
from reports.documents.spreadsheets import (
    EXCEL_CSV,
    MACHINE_CSV,
    PROGRESS_EVERY,
    write_dashboard_csv,
    write_dashboard_xlsx,
)

FORMATS = ("xlsx", "csv", "excel.csv")

__all__ = [
    "FORMATS",
    "PROGRESS_EVERY",
    "dashboard_row_count",
    "rollup_row_count",
    "write_dashboard_file",
    "write_rollup_file",
]

_DIALECTS = {"csv": MACHINE_CSV, "excel.csv": EXCEL_CSV}


def _check(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; expected one of {FORMATS}")


def dashboard_row_count(board: Dashboard) -> int:
    """How many organisation rows the dashboard's file lists: every organisation the
    board's filters keep (one COUNT query)."""
    return _dashboard_row_count(board)


def rollup_row_count(rollup: Rollup) -> int:
    """How many organisation rows the rollup's workbook lists ("Theo đơn vị": every
    counted organisation with figures; one COUNT query). Its CSV files list the
    indicators' totals only."""
    return _rollup_row_count(rollup)


def write_dashboard_file(
    board: Dashboard,
    fmt: str,
    out: BinaryIO,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """The dashboard's file in ``fmt``, every organisation of its table after the
    filters, written to ``out`` (left open)."""
    _check(fmt)
    if fmt == "xlsx":
        write_dashboard_xlsx(board, out, progress=progress)
    else:
        write_dashboard_csv(board, out, _DIALECTS[fmt], progress=progress)


def write_rollup_file(
    rollup: Rollup,
    fmt: str,
    out: BinaryIO,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """The rollup's file in ``fmt`` written to ``out`` (left open)."""
    _check(fmt)
    if fmt == "xlsx":
        write_rollup_xlsx(rollup, out, progress=progress)
    else:
        write_rollup_csv(rollup, out, _DIALECTS[fmt], progress=progress)

"""The dashboard as spreadsheets (XLSX) and CSV files, and the helpers every workbook and
CSV file of the pages shares (the rollup's are in ``rollup_files``; callers go through
``reports.documents.exports``).

They lay out the very objects the pages show (``reports.dashboards``), so a figure in a
file always equals the one on the screen. Numbers are stored as numbers with a number
format, never as text, so officials can add them up; fonts follow Party documents
(Times New Roman). Every file is written to a file handle as its rows stream from the
database (``reports.dashboards.export_rows``), in the memory of one chunk of rows.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, TypeVar

from django.utils import timezone
from django.utils.translation import gettext as _
from xlsxwriter.worksheet import Worksheet

from reports.dashboards.common import KIND_LABELS, as_number
from reports.dashboards.cycle import Dashboard, OrganisationRow
from reports.dashboards.export_rows import dashboard_row_count, dashboard_rows, subplan_rows
from reports.documents.safe_text import sheet_text
from reports.documents.xlsx_styles import (
    BODY,
    BOLD,
    DATE,
    DECIMAL,
    HEADER_ALIGN,
    INTEGER,
    ITALIC,
    MAX_WIDTH,
    PERCENT,
    SIGNED_DECIMAL,
    SIGNED_INTEGER,
    TITLE,
    WRAP,
    Align,
    ColumnWidths,
    Font,
    Formats,
    header_height,
    merge_title,
    open_workbook,
    print_area,
    print_setup,
    put,
    set_row_height,
)
from tasks.lines import ReportingNode

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

Progress = Callable[[int, int], None]
PROGRESS_EVERY = 1000  # rows between two calls of a writer's progress

T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    """A table's column: its header, the widest it may grow to fit its content (longer
    texts wrap), and the number format of its cells."""

    header: str
    maximum: float = MAX_WIDTH
    format: str | None = None


def counted(rows: Iterable[T], total: int, progress: Progress | None) -> Iterator[T]:
    """The rows, telling ``progress(done, total)`` every PROGRESS_EVERY rows and once at
    the end (when the rows were more than counted, the total grows to their number)."""
    done = 0
    for row in rows:
        yield row
        done += 1
        if progress is not None and done % PROGRESS_EVERY == 0:
            progress(done, max(total, done))
    if progress is not None:
        progress(max(total, done), max(total, done))


# Which level a file covers -----------------------------------------------------------------


def _with_level(title: str, node: ReportingNode | None) -> str:
    """The title with the committee whose level the file holds: a district's file must
    not pass for the province's. On the same line, so the rows below keep their place."""
    if node is None:
        return title
    return _("%(title)s — báo cáo gửi %(node)s") % {"title": title, "node": node.organisation.name}


def _level_suffix(node: ReportingNode | None) -> tuple[str, str]:
    """What a lower level adds to the file's names (ASCII, then in full); nothing for
    the plan's top committee, whose files keep their names."""
    if node is None or node.top:
        return "", ""
    return f"-{node.organisation.code.lower()}", f" - {node.organisation.name}"


# Cells ------------------------------------------------------------------------------------


def _fraction(percent: Decimal | None) -> float | None:
    """85.7 (a percentage) → 0.857, shown as 85,7% by the cell's number format."""
    if percent is None:
        return None
    return float(percent / 100)


def _number_format(value: Decimal | None, *, signed: bool = False) -> str:
    integral = value is None or value == value.to_integral_value()
    if signed:
        return SIGNED_INTEGER if integral else SIGNED_DECIMAL
    return INTEGER if integral else DECIMAL


@dataclass
class Table:
    """A sheet being written, row after row: its workbook's formats and the widest value
    seen in each column."""

    sheet: Worksheet
    formats: Formats
    widths: ColumnWidths = field(default_factory=ColumnWidths)

    def put(
        self,
        row: int,
        column: int,
        value,
        *,
        font: Font = BODY,
        number: str | None = None,
        align: Align | None = None,
    ) -> None:
        put(self.sheet, row, column, value, self.formats.get(font, align, number))


def _title(table: Table, lines: Sequence[str], width: int) -> int:
    """Title lines across the table's width; returns the next free row."""
    for i, text in enumerate(lines, start=1):
        merge_title(table.sheet, i, text, width, table.formats.get(TITLE if i == 1 else ITALIC))
    return len(lines) + 1


def _header(table: Table, row: int, columns: Sequence[Column]) -> None:
    """The header row, as tall as its wrapped labels (before its cells: see header_height)."""
    headers = [column.header for column in columns]
    set_row_height(table.sheet, row, header_height(headers, [c.maximum for c in columns]))
    for i, text in enumerate(headers, start=1):
        table.put(row, i, text, font=BOLD, align=HEADER_ALIGN)
    table.widths.see_row(headers)


def _row(
    table: Table,
    row: int,
    values: Sequence,
    columns: Sequence[Column],
    *,
    numbers: dict[int, str] | None = None,
) -> None:
    """A row of values under the columns' formats; ``numbers`` gives some of them (by
    position in ``values``) a number format of their own."""
    for i, (value, column) in enumerate(zip(values, columns, strict=True), start=1):
        number = numbers.get(i - 1, column.format) if numbers else column.format
        if isinstance(value, Decimal):
            number = number or _number_format(value)
            value = as_number(value)
        table.put(row, i, value, number=number, align=WRAP)
        table.widths.see(i, value)


def _print(
    table: Table,
    *,
    title: str,
    header_row: int,
    columns: Sequence[Column],
    last_row: int,
    printed: int | None = None,
    title_columns: int = 0,
    freeze: str | None = None,
) -> None:
    """The sheet's widths from what was written and its print setup; ``printed`` first
    columns go on paper (internal codes come after them)."""
    fitted = table.widths.widths([column.maximum for column in columns])
    printed = len(columns) if printed is None else printed
    print_setup(
        table.sheet,
        title=title,
        header_rows=(header_row, header_row),
        widths=fitted,
        printed_columns=printed,
        title_columns=title_columns,
        freeze=freeze,
    )
    print_area(table.sheet, columns=printed, rows=last_row)


# CSV ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV file separates fields and writes a decimal."""

    delimiter: str
    decimal_mark: str


# For programs: commas between fields, a decimal point ("-94.8").
MACHINE_CSV = CsvDialect(delimiter=",", decimal_mark=".")
# For Excel under Vietnamese regional settings, whose decimal mark is the comma and whose
# list separator is therefore the semicolon: it opens "-94,8" in a ";"-separated file as
# the number −94,8, where the comma file lands in one column and "-94.8" as text. No
# "sep=;" line: with it Excel ignores the byte-order mark and garbles the diacritics.
EXCEL_CSV = CsvDialect(delimiter=";", decimal_mark=",")


def write_csv(
    out: IO[bytes],
    header: Sequence[str],
    rows: Iterable[Sequence],
    dialect: CsvDialect = MACHINE_CSV,
) -> None:
    """The rows written to ``out`` as they come, in UTF-8 with a byte-order mark, so
    Excel reads the Vietnamese letters right. ``out`` stays open."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    try:
        text.write("\ufeff")
        writer = csv.writer(
            text, delimiter=dialect.delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
        )
        writer.writerow([sheet_text(label) for label in header])
        for row in rows:
            writer.writerow(["" if value is None else _csv_text(value, dialect) for value in row])
        text.flush()
    finally:
        text.detach()


def _csv_bytes(
    header: Sequence[str], rows: Iterable[Sequence], dialect: CsvDialect = MACHINE_CSV
) -> bytes:
    buffer = io.BytesIO()
    write_csv(buffer, header, rows, dialect)
    return buffer.getvalue()


def _csv_text(value, dialect: CsvDialect = MACHINE_CSV) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        value = as_number(value)
    if isinstance(value, float):
        # No thousands separator: neither reader would take it for a number.
        return format(value, "f").rstrip("0").rstrip(".").replace(".", dialect.decimal_mark)
    if isinstance(value, str):
        return sheet_text(value)
    return str(value)


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(moment).date() if moment is not None else None


# The dashboard ----------------------------------------------------------------------------


def dashboard_columns() -> list[Column]:
    return [
        Column(_("STT"), 8, INTEGER),
        Column(_("Đơn vị"), 40),
        Column(_("Loại tổ chức"), 28),
        Column(_("Trạng thái"), 24),
        Column(_("Thời hạn"), 24),
        Column(_("Gửi lần đầu"), 14, DATE),
        Column(_("Số ngày quá hạn"), 12, INTEGER),
        Column(_("Nhắc hạn gần nhất"), 14, DATE),
        Column(_("Kết quả nhắc hạn"), 20),
        Column(_("Số lần gửi"), 10, INTEGER),
    ]


def dashboard_row_values(number: int, row: OrganisationRow) -> list:
    return [
        number,
        row.organisation.name,
        str(KIND_LABELS.get(row.organisation.kind, row.organisation.kind)),
        row.status_label,
        row.timeliness_label,
        row.first_submitted_on,
        row.days_late,
        _local_date(row.reminder.at) if row.reminder else None,
        row.reminder.status_label if row.reminder else "",
        row.submission_count,
    ]


def _dashboard_title(dashboard: Dashboard, rows: int | None) -> list[str]:
    cycle = dashboard.cycle
    lines = [
        _with_level(
            _("Tình hình báo cáo năm %(year)s — Kế hoạch số %(plan)s")
            % {"year": cycle.year, "plan": cycle.plan.number},
            dashboard.node,
        ),
        _("Hạn nộp: %(due)s. Số liệu đến ngày %(today)s.")
        % {"due": cycle.due_on.strftime("%d/%m/%Y"), "today": dashboard.today.strftime("%d/%m/%Y")},
    ]
    if dashboard.filtered:
        lines.append(
            _("Bảng đơn vị đang lọc: %(n)s trên %(total)s đơn vị phải báo cáo.")
            % {"n": rows, "total": dashboard.expected_rows}
        )
    return lines


def write_dashboard_xlsx(
    dashboard: Dashboard,
    out: IO[bytes],
    *,
    total: int | None = None,
    progress: Progress | None = None,
) -> None:
    """The dashboard's workbook written to ``out``: the counts and rates, then every
    organisation of the table after the filters (``total`` of them, counted when not
    given and needed: for ``progress``, or the title of a filtered table); then the
    sub-plans' sheet."""
    if total is None and (progress is not None or dashboard.filtered):
        total = dashboard_row_count(dashboard)
    with open_workbook(out) as (workbook, formats):
        _dashboard_sheet(
            Table(workbook.add_worksheet(_("Tình hình báo cáo")), formats),
            dashboard,
            total,
            progress,
        )
        _subplan_sheet(Table(workbook.add_worksheet(_("Kế hoạch thực hiện")), formats), dashboard)


def _dashboard_sheet(
    table: Table, dashboard: Dashboard, total: int | None, progress: Progress | None
) -> None:
    columns = dashboard_columns()
    titles = _dashboard_title(dashboard, total)
    row = _title(table, titles, len(columns))

    # The counts and rates as a small table above the list (labels, then numbers), from
    # the second column on, where the columns are wide enough for their labels.
    cards = [*dashboard.cards, *dashboard.rates]
    for i, card in enumerate(cards, start=2):
        table.put(row, i, card.label, font=BOLD, align=HEADER_ALIGN)
        table.widths.see(i, card.label)
    for i, card in enumerate(cards, start=2):
        if isinstance(card.value, Decimal):
            table.put(row + 1, i, _fraction(card.value), number=PERCENT)
        else:
            table.put(row + 1, i, card.value, number=INTEGER)
    row += 3

    header_row = row
    _header(table, header_row, columns)
    last_row = header_row
    rows = counted(dashboard_rows(dashboard), total or 0, progress)
    for number, item in enumerate(rows, start=1):
        last_row = header_row + number
        _row(table, last_row, dashboard_row_values(number, item), columns)
    table.sheet.autofilter(header_row - 1, 0, last_row - 1, len(columns) - 1)
    _print(
        table,
        title=titles[0],
        header_row=header_row,
        columns=columns,
        last_row=last_row,
        freeze=f"C{header_row + 1}",
    )


def _subplan_sheet(table: Table, dashboard: Dashboard) -> None:
    compliance = dashboard.subplans
    columns = [
        Column(_("STT"), 8, INTEGER),
        Column(_("Đơn vị"), 40),
        Column(_("Số hiệu kế hoạch"), 20),
        Column(_("Ngày ban hành"), 14, DATE),
        Column(_("Ngày đăng ký"), 14, DATE),
        Column(_("Tình trạng"), 36),
    ]
    due = (
        _("Hạn ban hành: %(due)s.") % {"due": compliance.due.strftime("%d/%m/%Y")}
        if compliance.due
        else _("Kế hoạch không quy định hạn ban hành kế hoạch thực hiện.")
    )
    title = _("Kế hoạch thực hiện của các đơn vị — Kế hoạch số %(plan)s") % {
        "plan": dashboard.cycle.plan.number
    }
    row = _title(table, [title, due], len(columns))
    row += 1
    for bucket in compliance.buckets:
        table.put(row, 2, bucket.label, font=BOLD)
        table.put(row, 3, bucket.count, number=INTEGER)
        table.widths.see(2, bucket.label)
        row += 1
    row += 1
    header_row = last_row = row
    _header(table, header_row, columns)
    for number, item in enumerate(subplan_rows(dashboard), start=1):
        subplan = item.subplan
        last_row = header_row + number
        _row(
            table,
            last_row,
            [
                number,
                item.organisation.name,
                subplan.number if subplan else "",
                subplan.issued_on if subplan else None,
                _local_date(subplan.registered_at) if subplan else None,
                item.bucket_label,
            ],
            columns,
        )
    _print(
        table,
        title=title,
        header_row=header_row,
        columns=columns,
        last_row=last_row,
        freeze=f"A{header_row + 1}",
    )


def write_dashboard_csv(
    dashboard: Dashboard,
    out: IO[bytes],
    dialect: CsvDialect = MACHINE_CSV,
    *,
    total: int | None = None,
    progress: Progress | None = None,
) -> None:
    if progress is not None and total is None:
        total = dashboard_row_count(dashboard)
    rows = counted(dashboard_rows(dashboard), total or 0, progress)
    write_csv(
        out,
        [c.header for c in dashboard_columns()],
        (dashboard_row_values(n, row) for n, row in enumerate(rows, start=1)),
        dialect,
    )


def dashboard_xlsx(dashboard: Dashboard) -> bytes:
    buffer = io.BytesIO()
    write_dashboard_xlsx(dashboard, buffer)
    return buffer.getvalue()


def dashboard_csv(dashboard: Dashboard, dialect: CsvDialect = MACHINE_CSV) -> bytes:
    buffer = io.BytesIO()
    write_dashboard_csv(dashboard, buffer, dialect)
    return buffer.getvalue()


def dashboard_excel_csv(dashboard: Dashboard) -> bytes:
    return dashboard_csv(dashboard, EXCEL_CSV)


def dashboard_filenames(dashboard: Dashboard, extension: str) -> tuple[str, str]:
    cycle = dashboard.cycle
    short, long = _level_suffix(dashboard.node)
    ascii_name = f"theo-doi-{cycle.plan.code}-{cycle.year}{short}.{extension}"
    full = _("Theo dõi báo cáo năm %(year)s - Kế hoạch %(plan)s") % {
        "year": cycle.year,
        "plan": cycle.plan.code,
    }
    return ascii_name, f"{full}{long}.{extension}"

"""The dashboard as spreadsheets (XLSX) and CSV files, and the helpers every workbook and
CSV file of the pages shares (the rollup's are in ``rollup_files``).

They lay out the very objects the pages show (``reports.dashboards``), so a figure in a
file always equals the one on the screen. Numbers are stored as numbers with a number
format, never as text, so officials can add them up; fonts follow Party documents
(Times New Roman).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from reports.dashboards.common import KIND_LABELS, as_number
from reports.dashboards.cycle import Dashboard, OrganisationRow
from reports.documents.safe_text import put_text_cell, sheet_text
from reports.documents.xlsx_styles import (
    MAX_WIDTH,
    ColumnWidths,
    print_area,
    print_setup,
    row_height,
    style_name,
)
from tasks.lines import ReportingNode

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"

FONT_NAME = "Times New Roman"
BODY = Font(name=FONT_NAME, size=12)
BOLD = Font(name=FONT_NAME, size=12, bold=True)
TITLE = Font(name=FONT_NAME, size=14, bold=True)
ITALIC = Font(name=FONT_NAME, size=12, italic=True)

INTEGER = "#,##0"
DECIMAL = "#,##0.00"
PERCENT = "0.0%"
SIGNED_PERCENT = "+0.0%;-0.0%;0.0%"
SIGNED_INTEGER = "+#,##0;-#,##0;0"
SIGNED_DECIMAL = "+#,##0.00;-#,##0.00;0"
DATE = "DD/MM/YYYY"

WRAP = Alignment(wrap_text=True, vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")


@dataclass(frozen=True)
class Column:
    """A table's column: its header, the widest it may grow to fit its content (longer
    texts wrap), and the number format of its cells."""

    header: str
    maximum: float = MAX_WIDTH
    format: str | None = None


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


def _put(ws: Worksheet, row: int, column: int, value, *, font=BODY, fmt=None, align=None):
    cell = put_text_cell(ws.cell(row=row, column=column), value)
    cell.style = style_name(ws.parent, font=font, alignment=align, number_format=fmt or None)
    return cell


def _title(ws: Worksheet, lines: Sequence[str], width: int) -> int:
    """Title lines across the table's width; returns the next free row."""
    for i, text in enumerate(lines, start=1):
        _put(ws, i, 1, text, font=TITLE if i == 1 else ITALIC)
        ws.merge_cells(start_row=i, start_column=1, end_row=i, end_column=max(width, 1))
    return len(lines) + 1


def _header(ws: Worksheet, row: int, columns: Sequence[Column], widths: ColumnWidths) -> None:
    for i, column in enumerate(columns, start=1):
        _put(ws, row, i, column.header, font=BOLD, align=HEADER_ALIGN)
    widths.see_row(column.header for column in columns)


def _row(
    ws: Worksheet, row: int, values: Sequence, columns: Sequence[Column], widths: ColumnWidths
) -> None:
    for i, (value, column) in enumerate(zip(values, columns, strict=True), start=1):
        fmt = column.format
        if isinstance(value, Decimal):
            fmt = fmt or _number_format(value)
            value = as_number(value)
        _put(ws, row, i, value, fmt=fmt, align=WRAP)
        widths.see(i, value)


def _print(
    ws: Worksheet,
    *,
    title: str,
    header_row: int,
    columns: Sequence[Column],
    widths: ColumnWidths,
    last_row: int,
    printed: int | None = None,
    title_columns: int = 0,
) -> None:
    """The sheet's widths from what was written and its print setup; ``printed`` first
    columns go on paper (internal codes come after them)."""
    fitted = widths.widths([column.maximum for column in columns])
    printed = len(columns) if printed is None else printed
    print_setup(
        ws,
        title=title,
        header_rows=(header_row, header_row),
        widths=fitted,
        printed_columns=printed,
        title_columns=title_columns,
    )
    print_area(ws, columns=printed, rows=last_row)
    ws.row_dimensions[header_row].height = row_height([column.header for column in columns], fitted)


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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


def _csv_bytes(
    header: Sequence[str], rows: Iterable[Sequence], dialect: CsvDialect = MACHINE_CSV
) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads the Vietnamese letters right."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, delimiter=dialect.delimiter, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n"
    )
    writer.writerow([sheet_text(text) for text in header])
    for row in rows:
        writer.writerow(["" if value is None else _csv_text(value, dialect) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


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


def _dashboard_title(dashboard: Dashboard) -> list[str]:
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
            % {"n": len(dashboard.rows), "total": dashboard.expected_rows}
        )
    return lines


def dashboard_xlsx(dashboard: Dashboard) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = _("Tình hình báo cáo")
    columns = dashboard_columns()
    titles = _dashboard_title(dashboard)
    row = _title(ws, titles, len(columns))
    widths = ColumnWidths()

    # The counts and rates as a small table above the list (labels, then numbers), from
    # the second column on, where the columns are wide enough for their labels.
    for i, card in enumerate([*dashboard.cards, *dashboard.rates], start=2):
        _put(ws, row, i, card.label, font=BOLD, align=HEADER_ALIGN)
        widths.see(i, card.label)
        if isinstance(card.value, Decimal):
            _put(ws, row + 1, i, _fraction(card.value), fmt=PERCENT)
        else:
            _put(ws, row + 1, i, card.value, fmt=INTEGER)
    row += 3

    header_row = row
    _header(ws, header_row, columns, widths)
    for number, item in enumerate(dashboard.rows, start=1):
        _row(ws, header_row + number, dashboard_row_values(number, item), columns, widths)
    last_row = header_row + len(dashboard.rows)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=3)
    ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(columns))}{last_row}"
    _print(
        ws,
        title=titles[0],
        header_row=header_row,
        columns=columns,
        widths=widths,
        last_row=last_row,
    )

    _subplan_sheet(workbook, dashboard)
    return _workbook_bytes(workbook)


def _subplan_sheet(workbook: Workbook, dashboard: Dashboard) -> None:
    ws = workbook.create_sheet(_("Kế hoạch thực hiện"))
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
    row = _title(ws, [title, due], len(columns))
    widths = ColumnWidths()
    row += 1
    for bucket in compliance.buckets:
        _put(ws, row, 2, bucket.label, font=BOLD)
        _put(ws, row, 3, bucket.count, fmt=INTEGER)
        widths.see(2, bucket.label)
        row += 1
    row += 1
    header_row = row
    _header(ws, header_row, columns, widths)
    for number, item in enumerate(compliance.rows, start=1):
        subplan = item.subplan
        _row(
            ws,
            header_row + number,
            [
                number,
                item.organisation.name,
                subplan.number if subplan else "",
                subplan.issued_on if subplan else None,
                _local_date(subplan.registered_at) if subplan else None,
                item.bucket_label,
            ],
            columns,
            widths,
        )
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    _print(
        ws,
        title=title,
        header_row=header_row,
        columns=columns,
        widths=widths,
        last_row=header_row + len(compliance.rows),
    )


def dashboard_csv(dashboard: Dashboard, dialect: CsvDialect = MACHINE_CSV) -> bytes:
    return _csv_bytes(
        [c.header for c in dashboard_columns()],
        (dashboard_row_values(n, row) for n, row in enumerate(dashboard.rows, start=1)),
        dialect,
    )


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

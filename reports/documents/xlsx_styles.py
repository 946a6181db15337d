"""How the workbooks the application writes look: their cell formats, each added once per
workbook, the cells written by type, and the print setup every sheet shares.

Every workbook is written with XlsxWriter in constant-memory mode: each row goes to a
temporary file as soon as the next one starts, so a national export of millions of cells
needs the memory of one row. Rows are therefore written in order, top to bottom, and
nothing above the current row can change afterwards; what Excel keeps outside the rows
(column widths, frozen panes, print setup, print area) may still be set at the end, when
the widths seen in the content are known.

Rows and columns are counted from 1 here, as Excel shows them; XlsxWriter's own calls
count from 0, and only this module makes them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import IO, Any, NamedTuple

from django.utils.translation import gettext as _
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from reports.documents.safe_text import sheet_value

FONT_NAME = "Times New Roman"

# Number formats -----------------------------------------------------------------------------

INTEGER = "#,##0"
DECIMAL = "#,##0.00"
PERCENT = "0.0%"
RATE = "0.0"  # a percentage already multiplied by 100
SIGNED_PERCENT = "+0.0%;-0.0%;0.0%"
SIGNED_INTEGER = "+#,##0;-#,##0;0"
SIGNED_DECIMAL = "+#,##0.00;-#,##0.00;0"
DATE = "DD/MM/YYYY"
DATETIME = "dd/mm/yyyy hh:mm"


# Formats ------------------------------------------------------------------------------------


# Named tuples: a cell's format is looked up by (font, alignment, number format) for each
# cell written, and a tuple hashes fastest.
class Font(NamedTuple):
    size: int = 12
    bold: bool = False
    italic: bool = False


class Align(NamedTuple):
    wrap: bool = False
    horizontal: str | None = None  # XlsxWriter's names: "center", "left", …
    vertical: str | None = None  # "top", "vcenter", …


BODY = Font()
BOLD = Font(bold=True)
ITALIC = Font(italic=True)
TITLE = Font(size=14, bold=True)
WRAP = Align(wrap=True, vertical="top")
HEADER_ALIGN = Align(wrap=True, horizontal="center", vertical="vcenter")


class Formats:
    """A workbook's cell formats, each added the first time a cell asks for it and then
    shared by every cell that looks the same: Excel keeps one entry per distinct format,
    and a writer that made one per cell would spend its time merging them again."""

    def __init__(self, workbook: Workbook) -> None:
        self._workbook = workbook
        self._made: dict[tuple[Font, Align | None, str | None], Format] = {}

    def get(self, font: Font = BODY, align: Align | None = None, number: str | None = None):
        key = (font, align, number)
        made = self._made.get(key)
        if made is None:
            properties: dict[str, Any] = {"font_name": FONT_NAME, "font_size": font.size}
            if font.bold:
                properties["bold"] = True
            if font.italic:
                properties["italic"] = True
            if align is not None:
                if align.wrap:
                    properties["text_wrap"] = True
                if align.horizontal:
                    properties["align"] = align.horizontal
                if align.vertical:
                    properties["valign"] = align.vertical
            if number:
                properties["num_format"] = number
            made = self._made[key] = self._workbook.add_format(properties)
        return made

    def __len__(self) -> int:
        return len(self._made)


@contextmanager
def open_workbook(
    out: IO[bytes], *, tmpdir: str | None = None
) -> Iterator[tuple[Workbook, Formats]]:
    """A workbook written to ``out`` (a file open for writing in binary, or a BytesIO)
    when the block ends, in constant-memory mode; its rows wait in temporary files in
    ``tmpdir`` (the system's by default). Text is only ever written as text (``put``),
    so no option turns strings into formulas, numbers or links. When the block fails,
    nothing is written to ``out``."""
    workbook = Workbook(
        out,
        {
            "constant_memory": True,
            "tmpdir": tmpdir,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    try:
        yield workbook, Formats(workbook)
    except BaseException:
        workbook.fileclosed = True  # or its destructor would write the half-made file
        raise
    workbook.close()


def put(sheet: Worksheet, row: int, column: int, value: Any, cell_format: Format | None) -> None:
    """Write a value in its cell by its type: text always as a string cell, never read
    as a formula (made inert and cleaned first: ``safe_text``), numbers as numbers, dates
    as dates (their format shows them), nothing as a blank that keeps the format."""
    value = sheet_value(value)
    r, c = row - 1, column - 1
    if value is None or value == "":
        sheet.write_blank(r, c, None, cell_format)
    elif isinstance(value, str):
        sheet.write_string(r, c, value, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(r, c, value, cell_format)
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value, cell_format)
    elif isinstance(value, Decimal):
        sheet.write_number(r, c, float(value), cell_format)
    elif isinstance(value, dt.date):  # datetimes too
        sheet.write_datetime(r, c, value, cell_format)
    else:
        sheet.write_string(r, c, sheet_value(str(value)), cell_format)


def put_numbers(
    sheet: Worksheet,
    row: int,
    first_column: int,
    numbers: Iterable[int | float | None],
    whole: Format,
    fraction: Format,
) -> None:
    """A run of numbers across a row from ``first_column``: whole ones (int) in the
    ``whole`` format, others in ``fraction``, None as a blank in ``whole``. The long
    rows of figures go through here, without ``put``'s questions about each value."""
    r = row - 1
    for c, number in enumerate(numbers, start=first_column - 1):
        if number is None:
            sheet.write_blank(r, c, None, whole)
        else:
            sheet.write_number(r, c, number, whole if isinstance(number, int) else fraction)


def merge_title(
    sheet: Worksheet, row: int, text: str, columns: int, cell_format: Format | None
) -> None:
    """A line of text across the first ``columns`` columns of its row."""
    if columns > 1:
        # merge_range writes its value with write(), which would read "=…" as a
        # formula: it gets nothing, and the text is written as a string over it.
        sheet.merge_range(row - 1, 0, row - 1, columns - 1, None, cell_format)
    put(sheet, row, 1, text, cell_format)


def set_row_height(sheet: Worksheet, row: int, height: float) -> None:
    """Before any cell of the row (a row is final once the next one starts)."""
    sheet.set_row(row - 1, height)


# Widths -----------------------------------------------------------------------------------

MIN_WIDTH = 6.0
MAX_WIDTH = 45.0
LINE_HEIGHT = 16.0  # points per line of 12-point Times New Roman


def text_width(value: object) -> float:
    """The width a value needs on one line in 12-point Times New Roman (its longest line
    for a text on several), in Excel's width units with a little padding."""
    if value is None:
        return 0.0
    # The common cases first: every cell of a national export is measured.
    if type(value) is str and "\n" not in value:
        return round(len(value) * 1.15 + 2, 1)
    if type(value) is int:
        return round(len(f"{value:,}") * 1.15 + 2, 1)
    if isinstance(value, dt.datetime):
        text = "00/00/0000 00:00"
    elif isinstance(value, dt.date):
        text = "00/00/0000"
    elif isinstance(value, bool):
        text = str(value)
    elif isinstance(value, int | Decimal):
        text = f"{value:,}"
    elif isinstance(value, float):
        text = f"{value:,.2f}"
    else:
        text = str(value)
    longest = max((len(line) for line in text.splitlines()), default=0)
    # Times New Roman's capitals and diacritics run a little wider than Excel's digit.
    return round(longest * 1.15 + 2, 1)


def bounded(width: float, *, minimum: float = MIN_WIDTH, maximum: float = MAX_WIDTH) -> float:
    return min(max(width, minimum), maximum)


class ColumnWidths:
    """The widest value seen in each column while the rows are written, so the widths
    come from the content without a second pass over the cells."""

    def __init__(self) -> None:
        self._widest: dict[int, float] = {}

    def see(self, column: int, value: object) -> None:
        width = text_width(value)
        if width > self._widest.get(column, 0.0):
            self._widest[column] = width

    def see_row(self, values: Iterable[object], *, start: int = 1) -> None:
        for column, value in enumerate(values, start=start):
            self.see(column, value)

    def widths(self, maxima: Sequence[float]) -> list[float]:
        """One width per column, each within MIN_WIDTH and its column's maximum."""
        return [
            bounded(self._widest.get(column, 0.0), maximum=maximum)
            for column, maximum in enumerate(maxima, start=1)
        ]


def row_height(texts: Sequence[str], widths: Sequence[float]) -> float:
    """The height of a row whose texts wrap within their columns' widths."""
    lines = 1
    for text, width in zip(texts, widths, strict=False):
        needed = text_width(text) - 2
        lines = max(lines, math.ceil(needed / max(width - 2, 1.0)))
    return lines * LINE_HEIGHT + 4


def header_height(header: Sequence[str], maxima: Sequence[float]) -> float:
    """The height of a header row, set before the rows below it are known. A header
    wraps only in a column its label is wider than, and such a column is already at its
    maximum; so the widths of the labels alone give the height the final widths would."""
    widths = ColumnWidths()
    widths.see_row(header)
    return row_height(header, widths.widths(maxima))


# Printing ---------------------------------------------------------------------------------
#
# Every sheet prints the same way: A4 landscape, as many columns as fit across the page,
# the header rows on every page, the sheet's title above and "Trang 2/5" below, and only
# the columns a reader needs (internal codes sit after them, outside the print area).

A4 = 9  # the paper size code of A4 in SpreadsheetML (ECMA-376 Part 1, 18.3.1.63)
# What a landscape A4 page holds between the margins below at 100 %, in width units
# (Excel's unit: the width of a digit in the default font, about 5.25 points); a wider
# sheet is scaled down, but not below MIN_SCALE: past that it goes onto more pages
# across, each repeating the title columns.
PAGE_UNITS = 140.0
MIN_SCALE = 0.6
HEADER_FONT = f'&"{FONT_NAME},Italic"&10 '
FOOTER_FONT = f'&"{FONT_NAME},Regular"&10 '


def pages_across(widths: Sequence[float], *, title_columns: int = 0) -> int:
    """How many pages across a sheet of these printed widths takes: one, scaled down,
    while the scale stays readable; beyond that, pages that each repeat the title
    columns."""
    total = sum(widths)
    per_page = PAGE_UNITS / MIN_SCALE
    if total <= per_page:
        return 1
    repeated = sum(widths[:title_columns])
    return math.ceil((total - repeated) / max(per_page - repeated, 1.0))


def _header_text(text: str) -> str:
    """Header and footer text: '&' starts a code there, and Excel takes 255 characters."""
    text = " ".join(text.split()).replace("&", "&&")
    return text if len(text) <= 200 else text[:199] + "…"


def print_setup(
    sheet: Worksheet,
    *,
    title: str,
    header_rows: tuple[int, int],
    widths: Sequence[float],
    printed_columns: int | None = None,
    title_columns: int = 0,
    freeze: str | None = None,
) -> None:
    """Set how a sheet prints and its column widths; at any time before the workbook is
    closed, so usually once the rows are written and their widths known.
    ``printed_columns`` (all by default) are the first columns, those a reader needs;
    the print area ends there (``print_area``). ``title_columns`` repeat on each page
    when the sheet is too wide for one. ``freeze`` is the first cell that scrolls
    ("C7")."""
    for index, width in enumerate(widths):
        sheet.set_column(index, index, width)
    printed = len(widths) if printed_columns is None else printed_columns
    across = pages_across(widths[:printed], title_columns=title_columns)
    sheet.set_landscape()
    sheet.set_paper(A4)
    sheet.fit_to_pages(across, 0)  # as many pages down as the rows need
    sheet.set_margins(left=0.6, right=0.4, top=0.75, bottom=0.75)
    sheet.center_horizontally()
    first, last = header_rows
    sheet.repeat_rows(first - 1, last - 1)
    if title_columns and across > 1:
        sheet.repeat_columns(0, title_columns - 1)
    if freeze:
        sheet.freeze_panes(freeze)
    sheet.set_header(f"&C{HEADER_FONT}{_header_text(title)}", {"margin": 0.3})
    sheet.set_footer(f"&C{FOOTER_FONT}{_('Trang &P/&N')}", {"margin": 0.3})


def print_area(sheet: Worksheet, *, columns: int, rows: int) -> None:
    """The print area: the first ``columns`` (those a reader needs; internal codes come
    after them) down to the last row."""
    sheet.print_area(0, 0, max(rows, 1) - 1, max(columns, 1) - 1)

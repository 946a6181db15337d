"""Cell styles of the workbooks the application writes, each registered once per workbook
as a named style that cells then take by name.

Setting a font, an alignment and a number format on every cell makes openpyxl hash each
of them again to find its index; a national export has millions of cells, and that
hashing was more than half of its time. Excel lists the styles as "Kiểu 1", "Kiểu 2", …
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from weakref import WeakKeyDictionary

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, NamedStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

FONT_NAME = "Times New Roman"

# Per workbook: (id of font, id of alignment, number format) -> (style name, font,
# alignment). Holding the objects keeps their ids from being reused while it lives.
_REGISTERED: WeakKeyDictionary[Workbook, dict[tuple, tuple]] = WeakKeyDictionary()


def style_name(
    workbook: Workbook,
    *,
    font: Font,
    alignment: Alignment | None = None,
    number_format: str | None = None,
) -> str:
    """The name of the workbook's style with this font, alignment and number format,
    registering it the first time."""
    registered = _REGISTERED.setdefault(workbook, {})
    key = (id(font), id(alignment), number_format)
    if key not in registered:
        name = f"Kiểu {len(registered) + 1}"
        style = NamedStyle(name=name, font=font, number_format=number_format or "General")
        if alignment is not None:
            style.alignment = alignment
        workbook.add_named_style(style)
        registered[key] = (name, font, alignment)
    return registered[key][0]


# Printing ---------------------------------------------------------------------------------
#
# Every sheet prints the same way: A4 landscape, as many columns as fit across the page,
# the header rows on every page, the sheet's title above and "Trang 2/5" below, and only
# the columns a reader needs (internal codes sit after them, outside the print area).

A4 = "9"  # the paper size code of A4 in SpreadsheetML (ECMA-376 Part 1, 18.3.1.63)
MIN_WIDTH = 6.0
MAX_WIDTH = 45.0
LINE_HEIGHT = 16.0  # points per line of 12-point Times New Roman
# What a landscape A4 page holds between the margins below at 100 %, in width units
# (Excel's unit: the width of a digit in the default font, about 5.25 points); a wider
# sheet is scaled down, but not below MIN_SCALE: past that it goes onto more pages
# across, each repeating the title columns.
PAGE_UNITS = 140.0
MIN_SCALE = 0.6


def text_width(value: object) -> float:
    """The width a value needs on one line in 12-point Times New Roman (its longest line
    for a text on several), in Excel's width units with a little padding."""
    if value is None:
        return 0.0
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
    sheet,
    *,
    title: str,
    header_rows: tuple[int, int],
    widths: Sequence[float],
    printed_columns: int | None = None,
    title_columns: int = 0,
    freeze: str | None = None,
) -> None:
    """Set how a sheet prints and its column widths.

    For a write-only sheet this must come before its first row: openpyxl writes the
    widths, the frozen panes and "fit to page" ahead of the rows. ``printed_columns``
    (all by default) are the first columns, those a reader needs; the print area ends
    there (``print_area``). ``title_columns`` repeat on each page when the sheet is too
    wide for one.
    """
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    printed = len(widths) if printed_columns is None else printed_columns
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = A4
    setup.fitToPage = True
    setup.fitToWidth = pages_across(widths[:printed], title_columns=title_columns)
    setup.fitToHeight = 0  # as many pages down as the rows need
    sheet.page_margins = PageMargins(
        left=0.6, right=0.4, top=0.75, bottom=0.75, header=0.3, footer=0.3
    )
    sheet.print_options.horizontalCentered = True
    first, last = header_rows
    sheet.print_title_rows = f"{first}:{last}"
    if title_columns and setup.fitToWidth > 1:
        sheet.print_title_cols = f"A:{get_column_letter(title_columns)}"
    if freeze:
        sheet.freeze_panes = freeze
    sheet.oddHeader.center.text = _header_text(title)
    sheet.oddHeader.center.font = f"{FONT_NAME},Italic"
    sheet.oddHeader.center.size = 10
    sheet.oddFooter.center.text = _("Trang &P/&N")
    sheet.oddFooter.center.font = f"{FONT_NAME},Regular"
    sheet.oddFooter.center.size = 10


def print_area(sheet, *, columns: int, rows: int) -> None:
    """The print area: the first ``columns`` (those a reader needs; internal codes come
    after them) down to the last row. Set once the rows are written, since a write-only
    sheet does not know how many there will be before."""
    sheet.print_area = f"A1:{get_column_letter(max(columns, 1))}{max(rows, 1)}"


def row_height(texts: Sequence[str], widths: Sequence[float]) -> float:
    """The height of a row whose texts wrap within their columns' widths."""
    lines = 1
    for text, width in zip(texts, widths, strict=False):
        needed = text_width(text) - 2
        lines = max(lines, math.ceil(needed / max(width - 2, 1.0)))
    return lines * LINE_HEIGHT + 4

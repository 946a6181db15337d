"""What every workbook the application writes must satisfy on paper, checked on the
saved file as Excel or LibreOffice reads it back."""

from __future__ import annotations

import math
import re

from openpyxl.utils import range_boundaries
from openpyxl.utils.cell import coordinate_from_string

from organisations.models import Organisation
from tasks.models import Indicator

# What the application's internal codes look like: T1_POLITICAL_THEORY_TRAINED, TV-HCL.
CODE = re.compile(r"^[A-Z][A-Z0-9]*([_-][A-Z0-9]+)+$")
# The page's printable width at 100 %, in Excel's width units (A4 landscape less margins),
# and the smallest scale still comfortable to read.
PAGE_UNITS = 140
MIN_SCALE = 0.6


def internal_codes() -> set[str]:
    return set(Indicator.objects.values_list("code", flat=True)) | set(
        Organisation.objects.values_list("code", flat=True)
    )


def shown_width(stored: float) -> float:
    """The width Excel shows for a column (in digits of the default font) from the one
    the file stores, which adds 5 pixels of padding at 7 pixels a digit (ECMA-376 Part 1,
    18.3.1.13), as XlsxWriter writes it."""
    return round(stored - 5 / 7, 2)


def column_widths(sheet, columns: int) -> list[float]:
    """The shown widths of the first ``columns`` columns. A file may give neighbouring
    columns of one width in one element, which openpyxl files under the first of them."""
    stored: dict[int, float] = {}
    for dimension in sheet.column_dimensions.values():
        for column in range(dimension.min, dimension.max + 1):
            stored[column] = dimension.width
    return [shown_width(stored[column]) for column in range(1, columns + 1)]


def printed_range(sheet) -> tuple[int, int]:
    """(last printed column, last printed row) of the sheet's print area."""
    area = sheet.print_area
    assert area, f"{sheet.title}: no print area"
    _, _, columns, rows = range_boundaries(area.split("!")[-1].replace("$", ""))
    return columns, rows


def assert_prints(sheet, *, header_row: int, title: str | None = None) -> dict:
    """A4 landscape scaled to the page's width, the header row on every page, frozen
    under it, "Trang x/y" at the foot and the title at the head; Vietnamese labels in
    the printed columns, no internal code among them, and widths that show the labels
    (on one line, or wrapped in a row tall enough). Returns what a test may check more."""
    setup = sheet.page_setup
    assert setup.orientation == "landscape"
    assert int(setup.paperSize) == 9  # A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert int(setup.fitToHeight) == 0
    pages_across = int(setup.fitToWidth or 1)  # 1, the default, may be left out of the file
    assert pages_across >= 1
    assert sheet.print_title_rows == f"${header_row}:${header_row}"
    _, row = coordinate_from_string(sheet.freeze_panes)
    assert row == header_row + 1
    assert sheet.oddFooter.center.text == "Trang &P/&N"
    assert sheet.oddHeader.center.text
    if title is not None:
        assert sheet.oddHeader.center.text == title.replace("&", "&&")
    margins = sheet.page_margins
    assert min(margins.left, margins.right, margins.top, margins.bottom) > 0

    last_column, last_row = printed_range(sheet)
    assert last_row == sheet.max_row  # every row is printed
    header = [sheet.cell(row=header_row, column=c).value for c in range(1, last_column + 1)]
    assert isinstance(header[0], str)
    assert not CODE.match(header[0]), header[0]
    assert all(isinstance(label, str) and label for label in header)

    codes = internal_codes()
    for line in sheet.iter_rows(max_row=last_row, max_col=last_column, values_only=True):
        for value in line:
            if isinstance(value, str):
                assert value not in codes, f"{sheet.title}: code {value} is printed"
                assert not CODE.match(value), f"{sheet.title}: {value} looks like a code"

    widths = column_widths(sheet, last_column)
    height = sheet.row_dimensions[header_row].height or 15
    for c, (label, width) in enumerate(zip(header, widths, strict=True), start=1):
        assert 6 <= width <= 60, (label, width)
        if len(label) > width:
            # Wrapped: the header row holds its lines.
            assert sheet.cell(row=header_row, column=c).alignment.wrap_text, label
            assert height >= 15 * math.ceil(len(label) / width), (label, width, height)
    for c, width in enumerate(widths, start=1):
        texts = [
            cell.value
            for (cell,) in sheet.iter_rows(
                min_row=header_row + 1, max_row=last_row, min_col=c, max_col=c
            )
            if isinstance(cell.value, str)
        ]
        longest = max(texts, key=len, default="")
        if len(longest) > width:
            assert width >= min(len(longest), 20), (header[c - 1], width, longest)
            cell = next(
                cell
                for (cell,) in sheet.iter_rows(min_row=header_row + 1, min_col=c, max_col=c)
                if cell.value == longest
            )
            assert cell.alignment.wrap_text, (header[c - 1], longest)

    # Readable: each page across holds its columns at 60 % or more.
    repeated = 0.0
    if sheet.print_title_cols:
        _, _, title_columns, _ = range_boundaries(sheet.print_title_cols.replace("$", ""))
        repeated = sum(widths[:title_columns])
    elif pages_across > 1:
        raise AssertionError(f"{sheet.title}: several pages across without title columns")
    per_page = (sum(widths) - repeated) / pages_across + repeated
    assert per_page <= PAGE_UNITS / MIN_SCALE + max(widths), (sheet.title, per_page)
    return {"header": header, "widths": widths, "pages_across": pages_across}

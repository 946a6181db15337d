"""Text people typed, made safe for the spreadsheets, CSV and Word files."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reports.documents.safe_text import sheet_text, sheet_value, strip_control
from reports.documents.spreadsheets import _csv_bytes
from reports.documents.xlsx_styles import open_workbook, put


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\n=1"),
        ("  =1", "'  =1"),
        ("\x01=1", "'=1"),
        ("45-KH/HU", "45-KH/HU"),
        ("Huyện ủy Càng Long", "Huyện ủy Càng Long"),
        ("", ""),
    ],
)
def test_sheet_text_puts_a_quote_before_anything_a_spreadsheet_would_run(typed, written):
    assert sheet_text(typed) == written


def test_strip_control_keeps_tabs_and_line_breaks_only():
    assert strip_control("a\x00b\x01c\x0bd\x1be\x7ff\x85g\ufffeh") == "abcdefgh"
    assert strip_control("một\tdòng\r\nhai\rba\n") == "một\tdòng\nhai\nba\n"
    assert strip_control(None) == ""


@pytest.mark.parametrize("value", [3, -3, 1.5, -0.25, None, dt.date(2026, 1, 2)])
def test_numbers_dates_and_blanks_pass_unchanged(value):
    assert sheet_value(value) == value


def test_a_cell_given_formula_text_is_a_string_cell_and_a_number_a_number_cell():
    buffer = io.BytesIO()
    with open_workbook(buffer) as (workbook, formats):
        sheet = workbook.add_worksheet()
        put(sheet, 1, 1, '=HYPERLINK("http://evil.example","x")', formats.get())
        put(sheet, 2, 1, -5, formats.get())
        put(sheet, 3, 1, "45\x01-KH/HU", formats.get())
        put(sheet, 4, 1, "+1", None)
    sheet = load_workbook(buffer).active
    assert (sheet["A1"].data_type, sheet["A1"].value) == (
        "s",
        '\'=HYPERLINK("http://evil.example","x")',
    )
    assert (sheet["A2"].data_type, sheet["A2"].value) == ("n", -5)
    assert sheet["A3"].value == "45-KH/HU"
    assert (sheet["A4"].data_type, sheet["A4"].value) == ("s", "'+1")


def test_a_workbook_that_fails_midway_writes_nothing():
    buffer = io.BytesIO()

    def half_written():
        with open_workbook(buffer) as (workbook, _formats):
            workbook.add_worksheet().write_string(0, 0, "một")
            raise RuntimeError("hỏng")

    with pytest.raises(RuntimeError, match="hỏng"):
        half_written()
    assert buffer.getvalue() == b""


def test_csv_neutralises_text_but_not_negative_numbers():
    data = _csv_bytes(["=Tên"], [["-cmd", Decimal("-5"), -3, Decimal("2.50")]])
    text = data.decode("utf-8-sig")
    assert text == "'=Tên\r\n'-cmd,-5,-3,2.5\r\n"

"""Text that people typed, made safe for the files the application writes.

Two things go wrong otherwise. A spreadsheet program runs a cell or a CSV field that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return as a formula (OWASP's
"CSV injection"): a sub-plan numbered ``=HYPERLINK(...)`` would send the reviewer's data
elsewhere. And characters XML 1.0 forbids make python-docx refuse the whole file (and a
spreadsheet show them as codes), so one pasted ``\\x01`` would break every export that
shows it. Forms refuse control characters at input (``reports.forms``); what was stored
before, or loaded from elsewhere, is cleaned here, in every writer (the spreadsheets'
cells through ``reports.documents.xlsx_styles.put``, which writes text as text only).
"""

from __future__ import annotations

import re
from typing import Any

# Unicode control characters (category Cc) and the two non-characters XML forbids.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\ufffe\uffff]")
# The same, except what a multi-line text box sends: tab, and line breaks as CR LF.
CONTROL_CHARACTERS_IN_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
# The same, except tab and line feed, which multi-line text may hold.
_CONTROL_BUT_TAB_AND_NEWLINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
# Browsers send line breaks as CR LF; every file here breaks lines with LF alone.
_CARRIAGE_RETURN = re.compile(r"\r\n?")

FORMULA_SIGNS = ("=", "+", "-", "@")


def strip_control(text: str | None) -> str:
    """The text without control characters, keeping tabs and line breaks (as LF)."""
    return _CONTROL_BUT_TAB_AND_NEWLINE.sub("", _CARRIAGE_RETURN.sub("\n", text or ""))


def sheet_text(text: str) -> str:
    """Text for a spreadsheet cell or a CSV field that no program will run as a formula:
    control characters removed, and a leading ``'`` before a formula's first character."""
    text = strip_control(text)
    # OWASP's list also has a leading tab or CR; programs may skip those and other blanks
    # before they look for the sign, so the sign is looked for after them too.
    if text.startswith(("\t", "\r")) or text.lstrip().startswith(FORMULA_SIGNS):
        return "'" + text
    return text


def sheet_value(value: Any) -> Any:
    """A value for a cell or a CSV field: text made inert; numbers, dates and empty cells
    as they are, so numbers stay numbers."""
    if isinstance(value, str):
        return sheet_text(value)
    return value

"""Spreadsheet-safe cells: the one place every CSV and xlsx writer goes through.

Excel, LibreOffice and Google Sheets read a CSV cell whose text starts with ``=``, ``+``,
``-`` or ``@`` (or a tab or carriage return) as a formula, so a respondent's name such as
``=HYPERLINK(...)`` would run on the researcher's machine (OWASP "CSV injection"). Names,
statements and labels come from respondents and uploaded files, so every text cell of a CSV
export goes through :func:`csv_text`, which puts an apostrophe in front of such text (the
usual defence; spreadsheets show the text, not a formula). Plain numbers such as ``-2`` or
``+1.5`` are left alone: they are data, and they cannot call anything.

xlsx cells are typed, so there text keeps its exact characters: :func:`save_workbook` stores
every text cell as a string (openpyxl turns text that starts with ``=`` into a formula), and
numbers stay numbers. poetq never writes a real formula.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: First characters that make a spreadsheet read a cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

#: A plain decimal number (what a spreadsheet reads as a number, not as a formula).
_NUMBER_RE = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")


def csv_text(text: str) -> str:
    """``text`` as a CSV cell that a spreadsheet shows as text (``'`` before a formula start)."""
    if text.startswith(FORMULA_START) and not _NUMBER_RE.fullmatch(text):
        return "'" + text
    return text


def csv_cell(value: Any) -> Any:
    """A CSV cell: text made safe with :func:`csv_text`; anything else unchanged."""
    return csv_text(value) if isinstance(value, str) else value


def save_workbook(wb: Any, path: str | Path) -> None:
    """Save an openpyxl workbook with every text cell stored as text, never as a formula."""
    for ws in wb.worksheets:
        # ws._cells holds only the cells that were written; iter_rows() would create the rest.
        for cell in ws._cells.values():
            if cell.data_type == "f":
                cell.data_type = "s"
    wb.save(path)

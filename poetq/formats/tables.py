"""Plain tables (a header and rows of cells) as CSV or a one-sheet Excel workbook.

Used for the participants table. Cells go through :mod:`poetq.formats.cells`, so a
respondent's comment can never become a formula in a spreadsheet.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from poetq.errors import ValidationError
from poetq.formats.cells import csv_cell, save_workbook

TABLE_SUFFIXES = (".csv", ".xlsx")


def table_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in TABLE_SUFFIXES:
        raise ValidationError(f"{path}: write the table as .csv or .xlsx")
    return suffix[1:]


def write_table(path: str | Path, header: Sequence[str], rows: Iterable[Sequence[Any]], *,
                sheet: str = "participants") -> str:
    """Write ``header`` and ``rows`` to ``path`` (.csv or .xlsx); returns the format."""
    fmt = table_format(path)
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([csv_cell(h) for h in header])
            for row in rows:
                writer.writerow(["" if v is None else csv_cell(v) for v in row])
        return fmt
    from openpyxl import Workbook  # openpyxl (0.26 s) only for workbooks

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    add_sheet(ws, header, rows)
    save_workbook(wb, path)
    return fmt


def add_sheet(ws, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Fill an openpyxl worksheet with ``header`` and ``rows`` (saved with
    :func:`poetq.formats.cells.save_workbook`, text stays text)."""
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    ws.freeze_panes = "B2"

"""KADE's Excel "Type 2" workbooks, built cell by cell (KADE's own files are not committed).

:func:`old_type2` mirrors KADE's test file ``testData/testExcelImport - type 2 -
lipset.xlsx`` (github.com/shawnbanasick/kade, removed from the tree in ec099b2) cell for cell:
the same sheets, labels, rows, columns and cell types. :func:`layout` describes a workbook by
where its cells sit and what type they hold, so a test can check that the mirror still
matches the real file when ``POETQ_KADE_TYPE2`` points at it.

:func:`sheets_type2` is KADE's newer layout as its help page "XLSX Type 2 Setup" describes
it (sheets name, sorts, pattern, statements, version, type).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from openpyxl import Workbook, load_workbook

from poetq.domain import SortsTable
from poetq.formats.pqmethod import PQ_VALUES

#: Rows the template numbers in its statements sheet, with or without a text.
TEMPLATE_ROWS = 80


def old_type2(path: Path, table: SortsTable, statements, *, name: str) -> Path:
    """``table`` (values are whole numbers) in the layout of KADE's type 2 lipset file."""
    wb = Workbook()
    ws = wb.active
    ws.title = "sorts"
    ws["A1"] = "Project Name"
    ws["H1"] = "Do not change the blue cells"
    ws["A2"] = name
    slots = sorted(int(v) for v in table.values[:, 0])  # one cell per statement, ascending
    ws.append([])  # row 3 is empty
    ws.append(["Sort Pattern", *slots])
    ws.append([])
    ws.append(["participants", *(f"s{k + 1}" for k in range(len(table.statement_ids)))])
    for j, sort in enumerate(table.sort_ids):
        ws.append([sort, *(int(v) for v in table.values[:, j])])
    st = wb.create_sheet("statements")
    st.append(["Statement Num.", "Statements"])
    for k, text in enumerate(statements, start=1):
        st.append([k, text])
    for k in range(len(statements) + 1, TEMPLATE_ROWS + 1):
        st.append([k])
    wb.save(path)
    return path


def sheets_type2(path: Path, table: SortsTable, statements, *, name: str, kind="2") -> Path:
    """``table`` in KADE's newer type 2 layout (help page "XLSX Type 2 Setup")."""
    wb = Workbook()
    wb.active.title = "name"
    wb["name"].append(["Project Name"])
    wb["name"].append([name])
    sorts = wb.create_sheet("sorts")  # from row 1: name, then a value per statement
    for j, sort in enumerate(table.sort_ids):
        sorts.append([sort, *(int(v) for v in table.values[:, j])])
    pattern = wb.create_sheet("pattern")
    counts = Counter(int(v) for v in table.values[:, 0])
    pattern.append(list(PQ_VALUES))
    pattern.append([counts.get(v, 0) for v in PQ_VALUES])
    st = wb.create_sheet("statements")
    st.append(["Statement Num.", "Statements"])
    for k, text in enumerate(statements, start=1):
        st.append([k, text])
    wb.create_sheet("version").append(["Version"])
    wb["version"].append(["2"])
    wb.create_sheet("type").append(["Type"])
    wb["type"].append([kind])
    wb.save(path)
    return path


def layout(path: Path) -> dict[str, list[tuple]]:
    """Every non-empty cell of each sheet as (coordinate, type, label): the label is the
    text of a cell that is neither a sort's nor a statement's name or text."""
    wb = load_workbook(path, read_only=True)
    try:
        out: dict[str, list[tuple]] = {}
        for ws in wb.worksheets:
            cells = []
            for row in ws.iter_rows():
                for c in row:
                    if c.value is None or (isinstance(c.value, str) and not c.value.strip()):
                        continue
                    fixed = c.value if _is_label(ws.title, c.row, c.column) else None
                    cells.append((c.coordinate, type(c.value).__name__, fixed))
            out[ws.title] = cells
        return out
    finally:
        wb.close()


def _is_label(sheet: str, row: int, column: int) -> bool:
    """The template's own texts: headers and labels, the statement numbers' header row."""
    if sheet == "sorts":
        return row in (1, 6) or (row, column) == (4, 1)
    return sheet == "statements" and row == 1

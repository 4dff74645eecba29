"""Exports are spreadsheet-safe: text never becomes a formula, numbers stay numbers."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest

from poetq.analysis import analyse
from poetq.domain import Grid, QSet, Statement
from poetq.formats import registry
from poetq.formats.cells import FORMULA_START, csv_text
from poetq.formats.qmethod_csv import write_results
from poetq.formats.sorts_csv import SortsTable
from poetq.formats.xlsx import write_workbook

ROOT = Path(__file__).resolve().parents[2]
NASTY = ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "=HYPERLINK(\"http://x\",\"y\")")


def _table() -> SortsTable:
    rng = np.random.default_rng(3)
    values = [-1, 0, 0, 1]
    sorts = np.column_stack([rng.permutation(values) for _ in range(5)]).astype(float)
    return SortsTable(("s1", "s2", "s3", "s4"), (*NASTY,), sorts)


@pytest.mark.parametrize("text,safe", [
    ("=1+1", "'=1+1"), ("+x", "'+x"), ("-x", "'-x"), ("@x", "'@x"), ("\tx", "'\tx"),
    ("-2", "-2"), ("+1.5", "+1.5"), ("-1e3", "-1e3"), ("plain", "plain"), ("", ""), ("a=b", "a=b"),
])
def test_csv_text(text, safe):
    assert csv_text(text) == safe


def _csv_cells(path: Path, delimiter: str) -> list[str]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [c for row in csv.reader(fh, delimiter=delimiter) for c in row]


@pytest.mark.parametrize("fmt,delimiter", [("csv", ","), ("kenq-csv", ","), ("htmlq", ";")])
def test_csv_exports_hold_no_formula(tmp_path, fmt, delimiter):
    path = tmp_path / "out.csv"
    registry.write_sorts(_table(), path, fmt)
    cells = _csv_cells(path, delimiter)
    formulas = [
        c for c in cells if c.startswith(FORMULA_START) and not re.fullmatch(r"[+-]?\d+(\.\d*)?", c)
    ]
    assert formulas == []
    assert "'=1+1" in cells and "'@cmd" in cells
    # sort values stay plain numbers (negative ones included)
    assert any(c in ("-1", "-1.0") for c in cells)


def _xlsx_cells(path: Path):
    from openpyxl import load_workbook

    wb = load_workbook(path)
    return [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]


def test_xlsx_sorts_hold_text_not_formulas(tmp_path):
    path = tmp_path / "out.xlsx"
    registry.write_sorts(
        _table(), path, "xlsx", statements=["=A1", "+b", "c", "@d"], name="=evil()"
    )
    cells = _xlsx_cells(path)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    texts = {c.value for c in cells if c.data_type == "s"}
    assert {"=1+1", "=A1", "=evil()", "@cmd"} <= texts  # exact text, no apostrophe
    assert any(c.data_type == "n" and c.value == -1 for c in cells)


def test_analysis_exports_hold_text_not_formulas(tmp_path):
    table = _table()
    qset = QSet(slug="x", title="=TITLE()", grid=Grid((-1, 0, 1), (1, 2, 1)),
                statements=tuple(Statement(s, f"=cmd{s}") for s in table.statement_ids))
    result = analyse(table.values, 2, sort_ids=table.sort_ids,
                     statement_ids=table.statement_ids)
    write_workbook(result, tmp_path / "r.xlsx", qset=qset, title=qset.title)
    cells = _xlsx_cells(tmp_path / "r.xlsx")
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert {"=TITLE()", "=cmds1", "=1+1"} <= {c.value for c in cells}
    for path in write_results(result, tmp_path / "csv"):
        cells = _csv_cells(path, ",")
        assert not [c for c in cells if c.startswith(("=", "+", "@"))], path.name


def test_every_spreadsheet_writer_goes_through_the_cells_module():
    """A new CSV or xlsx writer must use poetq.formats.cells (the one place cells are made safe)."""
    offenders = []
    for path in (ROOT / "poetq").rglob("*.py"):
        if path.name == "cells.py":
            continue
        src = path.read_text(encoding="utf-8")
        if re.search(r"\.save\(|csv\.writer\(|csv\.DictWriter\(", src) and "Workbook" in src \
                and "save_workbook" not in src:
            offenders.append(str(path))
        if re.search(r"csv\.writer\(|csv\.DictWriter\(", src) and "csv_text" not in src \
                and "csv_cell" not in src:
            offenders.append(str(path))
    assert offenders == []

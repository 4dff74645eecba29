"""KADE's Excel "Type 2" workbooks of a real study (Lipset) read exactly.

The committed tests read workbooks built cell by cell in KADE's layouts (tests/kade_workbooks.py).
KADE's own file is public but not ours to commit: point ``POETQ_KADE_TYPE2`` at
``testExcelImport - type 2 - lipset.xlsx`` (github.com/shawnbanasick/kade, testData/, last in
the commit before ec099b2) to check the real file too, and that the built one mirrors it.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np
import pytest
from kade_workbooks import layout, old_type2, sheets_type2

from poetq.domain import Grid
from poetq.errors import ValidationError
from poetq.formats.registry import read_sorts
from poetq.formats.sorts_csv import read_sorts_csv
from poetq.formats.xlsx_sorts import read_sorts_xlsx

LIPSET_DIR = Path(__file__).resolve().parent.parent / "data" / "lipset"
LIPSET = read_sorts_csv(LIPSET_DIR / "sorts.csv")  # the sorts of R qmethod's lipset data
LIPSET_GRID = Grid.symmetric([2, 3, 4, 5, 5, 5, 4, 3, 2])
with open(LIPSET_DIR / "statements.csv", encoding="utf-8", newline="") as _f:
    TEXTS = [row["text"].strip() for row in csv.DictReader(_f)]


def _real_type2() -> Path:
    where = os.environ.get("POETQ_KADE_TYPE2")
    if not where:
        pytest.skip("POETQ_KADE_TYPE2 is not set (KADE's 'testExcelImport - type 2 - "
                    "lipset.xlsx')")
    return Path(where)


def _same_as_lipset(data) -> None:
    """The nine Lipset sorts, value for value, in KADE's statement order."""
    assert data.table.sort_ids == LIPSET.sort_ids == (
        "US1", "US2", "US3", "US4", "JP5", "CA6", "UK7", "US8", "FR9")
    assert data.table.values.shape == (33, 9)
    np.testing.assert_array_equal(data.table.values, LIPSET.values)
    assert data.grid == LIPSET_GRID


def test_kades_old_type2_layout_reads_exactly(tmp_path):
    path = old_type2(tmp_path / "k.xlsx", LIPSET, TEXTS, name="lipset unforced")
    data = read_sorts_xlsx(path)
    _same_as_lipset(data)
    assert data.name == "lipset unforced" and list(data.statements) == TEXTS
    # and through the registry, as `poetq import` reads it
    imported = read_sorts(path)
    np.testing.assert_array_equal(imported.table.values, LIPSET.values)
    assert imported.name == "lipset unforced" and imported.grid == LIPSET_GRID


def test_kades_sheets_layout_reads_exactly(tmp_path):
    path = sheets_type2(tmp_path / "k.xlsx", LIPSET, TEXTS, name="Lipset demo")
    data = read_sorts_xlsx(path)
    _same_as_lipset(data)
    assert data.name == "Lipset demo" and list(data.statements) == TEXTS


@pytest.mark.parametrize("change,message", [
    (lambda wb: wb["type"].cell(2, 1, "1"), "its 'type' sheet says '1'"),
    (lambda wb: wb["pattern"].delete_cols(20), "row 2 has 19 numbers; KADE's pattern has 20"),
    (lambda wb: wb["pattern"].cell(2, 8, 9), "room for 37 statements but the sorts have 33"),
    (lambda wb: wb["pattern"].cell(2, 8, "many"), "holds 'many', not a whole number"),
    (lambda wb: wb["statements"].delete_rows(5), "has 32 statements but the sorts have 33"),
])
def test_a_broken_sheets_layout_is_refused_in_one_line(tmp_path, change, message):
    from openpyxl import load_workbook

    path = sheets_type2(tmp_path / "k.xlsx", LIPSET, TEXTS, name="Lipset")
    wb = load_workbook(path)
    change(wb)
    wb.save(path)
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_sorts_xlsx(path)


def test_kades_real_type2_file_reads_exactly_and_the_mirror_matches_it(tmp_path):
    real = _real_type2()
    data = read_sorts_xlsx(real)
    _same_as_lipset(data)
    assert data.name == "lipset unforced" and len(data.statements) == 33
    # KADE's template holds Ken-Q's short texts of Lipset's statements
    assert data.statements[0] == "We accept improvements in status and power of lower class"
    assert data.statements[26] == "Deep respect for the rich, the educated"
    mirror = old_type2(tmp_path / "mirror.xlsx", LIPSET, data.statements, name=data.name)
    assert layout(mirror) == layout(real)

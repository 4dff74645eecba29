"""Excel: the results workbook, and Ken-Q's type 1 / type 2 templates (type 3 refused)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from tests_helpers import interop_dir

from poetq.analysis import analyse
from poetq.domain import Grid, QSet, Statement
from poetq.errors import ValidationError
from poetq.formats.sorts_csv import read_sorts_csv
from poetq.formats.xlsx import write_sorts_xlsx, write_workbook
from poetq.formats.xlsx_sorts import read_sorts_xlsx

TESTS = Path(__file__).resolve().parent.parent
INTEROP = interop_dir()
SHARED = INTEROP
LIPSET = read_sorts_csv(TESTS / "data" / "lipset" / "sorts.csv")
LIPSET_GRID = Grid.symmetric([2, 3, 4, 5, 5, 5, 4, 3, 2])
STATEMENTS = (
    (INTEROP / "kenq-demo" / "lipset" / "statements.txt").read_text(encoding="utf-8").splitlines()
)


def shared(rel: str) -> Path:
    path = SHARED / rel
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{path} is missing: CI needs ../shared/interop")
        pytest.skip(f"{path} is not here")
    return path


def test_type2_reads_to_the_reference_sorts():
    data = read_sorts_xlsx(INTEROP / "kade" / "testExcelImport---type-2---lipset.xlsx")
    assert data.name == "lipset unforced" and data.grid == LIPSET_GRID
    assert data.table.sort_ids == LIPSET.sort_ids
    np.testing.assert_array_equal(data.table.values, LIPSET.values)
    assert len(data.statements) == 33 and data.statements[0] == STATEMENTS[0]
    # the template's statement 27 is shorter than Ken-Q's demo text
    assert data.statements[26] == "Deep respect for the rich, the educated"


def test_type1_slot_grid_reads_to_the_reference_sorts():
    data = read_sorts_xlsx(shared("kade/testExcelImport---type-1.xlsx"))
    assert data.name == "Lipset" and data.grid == LIPSET_GRID
    assert data.table.sort_ids == LIPSET.sort_ids
    np.testing.assert_array_equal(data.table.values, LIPSET.values)
    assert len(data.statements) == 33


def test_type3_is_refused():
    with pytest.raises(ValidationError, match="analysis output workbook \\(Excel type 3\\)"):
        read_sorts_xlsx(INTEROP / "kade" / "testExcelImport---type-3.xlsx")


def test_not_a_workbook(tmp_path):
    (tmp_path / "x.xlsx").write_text("hello", encoding="utf-8")
    with pytest.raises(ValidationError, match="not an Excel .xlsx workbook"):
        read_sorts_xlsx(tmp_path / "x.xlsx")


def test_sorts_workbook_round_trip(tmp_path):
    write_sorts_xlsx(LIPSET, tmp_path / "s.xlsx", statements=STATEMENTS, name="lipset")
    data = read_sorts_xlsx(tmp_path / "s.xlsx")
    assert data.table.statement_ids == LIPSET.statement_ids and data.name == "lipset"
    np.testing.assert_array_equal(data.table.values, LIPSET.values)
    assert list(data.statements) == STATEMENTS and data.grid == LIPSET_GRID


def test_results_workbook(tmp_path):
    result = analyse(LIPSET.values, 3, sort_ids=LIPSET.sort_ids, statement_ids=LIPSET.statement_ids)
    qset = QSet(slug="lipset", title="Lipset", grid=LIPSET_GRID,
                statements=tuple(Statement(s, t) for s, t in zip(LIPSET.statement_ids, STATEMENTS)))
    write_workbook(result, tmp_path / "r.xlsx", qset=qset, title="Lipset")
    wb = load_workbook(tmp_path / "r.xlsx")
    assert wb.sheetnames == [
        "README",
        "sorts",
        "statements",
        "correlations",
        "unrotated",
        "loadings",
        "zscores",
        "characteristics",
        "distinguishing",
        "f1 ranked",
        "f2 ranked",
        "f3 ranked",
    ]
    loadings = list(wb["loadings"].iter_rows(values_only=True))
    assert loadings[0] == ("sort", "f1", "f2", "f3", "flag_f1", "flag_f2", "flag_f3", "h2")
    np.testing.assert_allclose(
        np.array([r[1:4] for r in loadings[1:]], dtype=float), result.loadings
    )
    assert [tuple(r[4:7]) for r in loadings[1:]] == [
        tuple(bool(f) for f in row) for row in result.flags
    ]
    np.testing.assert_allclose([r[7] for r in loadings[1:]], (result.loadings**2).sum(axis=1))
    unrotated = list(wb["unrotated"].iter_rows(values_only=True))
    eig = next(r for r in unrotated if r[0] == "eigenvalue")
    np.testing.assert_allclose(eig[1:4], result.eigenvalues[:3])
    expl = next(r for r in unrotated if r[0] == "% explained variance")
    np.testing.assert_allclose(expl[1:4], 100 * result.eigenvalues[:3] / 9)
    chars = list(wb["characteristics"].iter_rows(values_only=True))
    assert chars[0][:4] == ("factor", "av_rel_coef", "nload", "ss_loadings")
    z = list(wb["zscores"].iter_rows(values_only=True))
    assert z[1][1] == STATEMENTS[0]
    np.testing.assert_allclose(np.array([r[2:5] for r in z[1:]], dtype=float), result.zscores)
    corr = np.array(
        [r[1:] for r in list(wb["correlations"].iter_rows(values_only=True))[1:]], dtype=float
    )
    np.testing.assert_allclose(corr, result.corr)
    assert wb["distinguishing"]["C2"].value == result.qdc_labels[0]
    ranked = list(wb["f2 ranked"].iter_rows(values_only=True))[1:]
    top = int(np.argmax(result.zscores[:, 1]))
    assert ranked[0][1:3] == (LIPSET.statement_ids[top], STATEMENTS[top])
    assert [r[3] for r in ranked] == sorted((r[3] for r in ranked), reverse=True)
    # the workbook reads back as sorts
    back = read_sorts_xlsx(tmp_path / "r.xlsx")
    np.testing.assert_array_equal(back.table.values, LIPSET.values)
    assert list(back.statements) == STATEMENTS


def test_no_correlation_sheet_for_huge_studies(tmp_path, monkeypatch):
    import poetq.formats.xlsx as mod

    monkeypatch.setattr(mod, "MAX_CORR_SORTS", 5)
    result = analyse(LIPSET.values, 2, sort_ids=LIPSET.sort_ids, statement_ids=LIPSET.statement_ids)
    write_workbook(result, tmp_path / "r.xlsx")
    assert "correlations" not in load_workbook(tmp_path / "r.xlsx").sheetnames


def test_results_workbook_is_formatted_for_reading(tmp_path):
    result = analyse(LIPSET.values, 3, sort_ids=LIPSET.sort_ids, statement_ids=LIPSET.statement_ids)
    qset = QSet(slug="lipset", title="Lipset", grid=LIPSET_GRID,
                statements=tuple(Statement(s, "A statement of some length " * 4 + s)
                                 for s in LIPSET.statement_ids))
    write_workbook(result, tmp_path / "r.xlsx", qset=qset, title="Lipset")
    wb = load_workbook(tmp_path / "r.xlsx")
    ws = wb["loadings"]
    assert ws.freeze_panes == "B2" and ws["A1"].font.bold
    assert ws["B2"].number_format == "0.000"
    assert ws["B2"].value == pytest.approx(
        float(result.loadings[0, 0]), abs=1e-12
    )  # full precision kept
    zs = wb["zscores"]
    assert zs.column_dimensions["B"].width == 62  # long texts: 60 characters wide, wrapped
    assert zs["B2"].alignment.wrap_text
    assert 6 <= zs.column_dimensions["C"].width <= 12

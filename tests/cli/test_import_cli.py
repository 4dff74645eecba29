"""poetq import / export --format / analyse --xlsx --report-txt from the command line."""

from __future__ import annotations

import numpy as np
import openpyxl
from tests_helpers import interop_dir, snapshot

from poetq.cli import cli
from poetq.formats.registry import read_sorts
from poetq.services.sorts import study_sorts
from poetq.store import make_engine, make_session_factory, session_scope

INTEROP = interop_dir()
DAT = INTEROP / "kade" / "LIPSET.DAT"


def _ok(result):
    assert result.exit_code == 0, result.output
    return result.output


def _sorts(database_url, slug):
    engine = make_engine(database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            return study_sorts(session, slug)
    finally:
        engine.dispose()


def test_import_into_a_study_and_export_in_every_format(runner, database_url, tmp_path):
    _ok(runner.invoke(cli, ["init", "--examples"]))
    out = _ok(runner.invoke(cli, ["import", str(DAT), str(INTEROP / "kade" / "lipsetCsvQsorts.csv"),
                                  "--study", "lipset"]))
    assert "Imported 18 sorts into 'lipset'" in out
    table = _sorts(database_url, "lipset")
    dat = read_sorts(DAT).table
    assert table.values.shape == (33, 18)
    np.testing.assert_array_equal(table.values[:, :9], dat.values)
    for fmt, name in (("pqmethod", "lipset.DAT"), ("kenq", "lipset.kenq.csv"), ("csv", "lipset.csv"),
                      ("xlsx", "lipset.xlsx"), ("json", "lipset.json")):
        _ok(runner.invoke(cli, ["export", "lipset", "--format", fmt, "--out", str(tmp_path / name)]))
        back = read_sorts(tmp_path / name).table
        np.testing.assert_array_equal(back.values, table.values, err_msg=fmt)


def test_a_bad_sort_imports_nothing(runner, database_url, engine, tmp_path):
    _ok(runner.invoke(cli, ["init", "--examples"]))
    before = snapshot(engine)
    unforced = INTEROP / "kade" / "lipsetCsvQsorts---unforced-1.csv"
    result = runner.invoke(cli, ["import", str(DAT), str(unforced), "--study", "lipset"])
    assert result.exit_code != 0
    line = result.output.strip()
    assert "\n" not in line and "unforced-1.csv" in line and "'US1'" in line and "column +1" in line
    assert snapshot(engine) == before
    for bad, message in ((INTEROP / "kade" / "errorCSVsorts.csv", "is a PNG image"),
                         (INTEROP / "kade" / "lipsetCsvQsorts---error---no-sorts.csv", "is empty"),
                         (INTEROP / "kade" / "ipad_sorts.json", "30 statements per sort, the study has 33")):
        result = runner.invoke(cli, ["import", str(bad), "--study", "lipset"])
        assert result.exit_code != 0 and message in result.output, result.output
        assert "Traceback" not in result.output
    assert snapshot(engine) == before


def test_import_out_converts_and_encoding_is_honoured(runner, tmp_path):
    _ok(runner.invoke(cli, ["import", str(INTEROP / "kade" / "ipad_sorts.json"), "--out",
                            str(tmp_path / "ipad.xlsx")]))
    assert read_sorts(tmp_path / "ipad.xlsx").table.values.shape == (30, 33)
    src = tmp_path / "names.csv"
    src.write_bytes("statement,Zoë,Ana\n1,1,-1\n2,-1,1\n".encode("cp1252"))
    result = runner.invoke(cli, ["import", str(src), "--out", str(tmp_path / "x.csv"), "--encoding", "utf-8"])
    assert result.exit_code != 0 and "names.csv:1: byte 0xeb is not utf-8 text" in result.output
    _ok(runner.invoke(cli, ["import", str(src), "--out", str(tmp_path / "x.csv"), "--encoding", "cp1252"]))
    assert "Zoë" in (tmp_path / "x.csv").read_text(encoding="utf-8")
    result = runner.invoke(cli, ["import", str(src)])
    assert result.exit_code != 0 and "either --study SLUG" in result.output


def test_analyse_reads_any_format_and_writes_workbook_and_lis(runner, tmp_path):
    json_out = _ok(runner.invoke(cli, ["analyse", str(DAT), "--factors", "3", "--json",
                                       "--xlsx", str(tmp_path / "r.xlsx"),
                                       "--report-txt", str(tmp_path / "r.lis")]))
    from_csv = _ok(runner.invoke(cli, ["analyse", str(INTEROP / "kenq-demo" / "lipset" / "sorts.csv"),
                                       "--factors", "3", "--json"]))
    import json

    a = json.JSONDecoder().raw_decode(json_out[json_out.index("{"):])[0]
    b = json.JSONDecoder().raw_decode(from_csv[from_csv.index("{"):])[0]
    np.testing.assert_allclose(np.array(a["loadings"]), np.array(b["loadings"]), atol=1e-12)
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert {"sorts", "correlations", "loadings", "zscores", "characteristics", "distinguishing",
            "f1 ranked", "f3 ranked"} <= set(wb.sheetnames)
    ranked = list(wb["f1 ranked"].iter_rows(values_only=True))
    assert ranked[0][:5] == ("rank", "statement", "text", "z-score", "array")
    assert len(ranked) == 34 and ranked[1][3] >= ranked[-1][3]
    wb.close()
    lis = (tmp_path / "r.lis").read_bytes()
    assert b"\r\n" in lis
    text = lis.decode()
    for section in ("Correlation Matrix Between Sorts", "Unrotated Factor Matrix",
                    "Factor Matrix with an X Indicating a Defining Sort", "Factor Scores -- For Factor 3",
                    "Factor Q-Sort Values for Each Statement", "Distinguishing Statements for Factor 1",
                    "Consensus Statements"):
        assert section in text
    assert text.count("X ") + text.count("X\r") >= 9  # every lipset sort defines a factor

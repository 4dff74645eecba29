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
    # the CSV holds the same nine sorts under the same names: skipped, never doubled
    assert "Imported 9 sorts into 'lipset'; 9 were already there." in out
    assert "skipped, already in the study: US1," in out
    table = _sorts(database_url, "lipset")
    dat = read_sorts(DAT).table
    assert table.values.shape == (33, 9)
    np.testing.assert_array_equal(table.values, dat.values)
    again = _ok(runner.invoke(cli, ["import", str(DAT), "--study", "lipset"]))
    assert "Imported 0 sorts into 'lipset'; 9 were already there." in again
    assert _sorts(database_url, "lipset").values.shape == (33, 9)
    for fmt, name in (
        ("pqmethod", "lipset.DAT"),
        ("kenq", "lipset.kenq.csv"),
        ("csv", "lipset.csv"),
        ("xlsx", "lipset.xlsx"),
        ("json", "lipset.json"),
    ):
        _ok(
            runner.invoke(cli, ["export", "lipset", "--format", fmt, "--out", str(tmp_path / name)])
        )
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
    for bad, message in (
        (INTEROP / "kade" / "errorCSVsorts.csv", "is a PNG image"),
        (INTEROP / "kade" / "lipsetCsvQsorts---error---no-sorts.csv", "is empty"),
        (INTEROP / "kade" / "ipad_sorts.json", "30 statements per sort, the study has 33"),
    ):
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
    result = runner.invoke(
        cli, ["import", str(src), "--out", str(tmp_path / "x.csv"), "--encoding", "utf-8"]
    )
    assert result.exit_code != 0 and "names.csv:1: byte 0xeb is not utf-8 text" in result.output
    _ok(
        runner.invoke(
            cli, ["import", str(src), "--out", str(tmp_path / "x.csv"), "--encoding", "cp1252"]
        )
    )
    assert "Zoë" in (tmp_path / "x.csv").read_text(encoding="utf-8")
    result = runner.invoke(cli, ["import", str(src)])
    assert result.exit_code != 0 and "either --study SLUG" in result.output


def test_analyse_reads_any_format_and_writes_workbook_and_lis(runner, tmp_path):
    json_out = _ok(runner.invoke(cli, ["analyse", str(DAT), "--factors", "3", "--json",
                                       "--xlsx", str(tmp_path / "r.xlsx"),
                                       "--report-txt", str(tmp_path / "r.lis")]))
    from_csv = _ok(
        runner.invoke(
            cli,
            [
                "analyse",
                str(INTEROP / "kenq-demo" / "lipset" / "sorts.csv"),
                "--factors",
                "3",
                "--json",
            ],
        )
    )
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
    for section in (
        "Correlation Matrix Between Sorts",
        "Unrotated Factor Matrix",
        "Factor Matrix with an X Indicating a Defining Sort",
        "Factor Scores -- For Factor 3",
        "Factor Q-Sort Values for Each Statement",
        "Distinguishing Statements for Factor 1",
        "Consensus Statements",
    ):
        assert section in text
    assert text.count("X ") + text.count("X\r") >= 9  # every lipset sort defines a factor


# --- broken files: one line naming the file, the line and what is wrong; nothing stored ------

KADE = INTEROP / "kade"
CSV = (KADE / "lipsetCsvQsorts.csv").read_bytes()  # CR-only line ends
LIPSET_DAT = DAT.read_bytes()


def _broken_cases(tmp_path):
    def make(name, content):
        (tmp_path / name).write_bytes(content)
        return tmp_path / name

    us1 = CSV.split(b"\r")[1]
    wild = us1.replace(b"US1,-1,", b"US1,7,", 1)
    return [
        (KADE / "errorCSVsorts.csv", "is a PNG image, not a CSV file"),
        (KADE / "lipsetCsvQsorts---error---no-sorts.csv", "is empty"),
        (make("header-only.csv", CSV.split(b"\r")[0] + b"\r"), "header-only.csv has no sorts"),
        (
            make("truncated.DAT", LIPSET_DAT[:-25]),
            "truncated.DAT, line 11 (sort 'FR9'): 22 scores where line 1 declares 33",
        ),
        (
            make("truncated.csv", CSV[:-20]),
            "truncated.csv, line 10: sort 'FR9' has 25 scores but sort 'US1' has 33",
        ),
        (
            make("wild.csv", CSV.replace(us1, wild)),
            "wild.csv, line 2 (sort 'US1'): statement 'sta_1' is in column +7, "
            "which is not in the grid",
        ),
        (
            make("wild.DAT", LIPSET_DAT.replace(b"US1       -1", b"US1        7", 1)),
            "wild.DAT, line 3: sort 'US1' gives statement 1 the score 7, outside -4 .. 4 (line 2)",
        ),
        (
            make("count.DAT", LIPSET_DAT.replace(b"  0  9 33", b"  0  9 34", 1)),
            "count.DAT: the column counts on line 2 add up to 33 but line 1 declares 34 statements",
        ),
        (
            make("header.csv", CSV.replace(b",s33\r", b",s33,s34\r", 1)),
            "header.csv, line 2: the sort has 33 scores "
            "but the header (line 1) names 34 statements",
        ),
        (
            make("bytes.csv", CSV.replace(b"\rUS2,", b"\rUS2\x81,", 1)),
            "bytes.csv:3: byte 0x81 is not UTF-8, Shift_JIS or Windows-1252 text",
        ),
        (KADE / "ipad_sorts.json", "ipad_sorts.json has 30 statements per sort, the study has 33"),
        (
            KADE / "lipsetCsvQsorts---unforced-1.csv",
            "unforced-1.csv, line 2 (sort 'US1'): column +1 holds 6 statements, the grid allows 5",
        ),
    ]


def test_broken_files_are_named_with_line_and_nothing_is_imported(runner, engine, tmp_path):
    _ok(runner.invoke(cli, ["init", "--examples"]))
    before = snapshot(engine)
    for path, message in _broken_cases(tmp_path):
        # a good file first: all or nothing
        result = runner.invoke(cli, ["import", str(DAT), str(path), "--study", "lipset"])
        assert result.exit_code == 1, (path, result.output)
        line = result.output.strip()
        assert "\n" not in line and "Traceback" not in line, line
        assert line.startswith("Error: ") and str(path) in line, line
        assert message in line, (message, line)
        assert snapshot(engine) == before, path


def test_every_problem_of_every_file_is_listed(runner, engine, tmp_path):
    _ok(runner.invoke(cli, ["init", "--examples"]))
    before = snapshot(engine)
    wild = tmp_path / "wild.csv"
    wild.write_bytes(CSV.replace(b"US2,-1,", b"US2,7,", 1))
    result = runner.invoke(
        cli,
        ["import", str(KADE / "lipsetCsvQsorts---unforced-1.csv"), str(wild), "--study", "lipset"],
    )
    line = result.output.strip()
    assert result.exit_code == 1 and "\n" not in line
    assert "unforced-1.csv, line 2 (sort 'US1')" in line and "wild.csv, line 3 (sort 'US2')" in line
    assert snapshot(engine) == before


# --- what an import stores ------------------------------------------------------------------

def test_imported_responses_are_finished_and_say_where_they_came_from(runner, database_url):
    from sqlalchemy import select

    from poetq.store.models import Respondent, Response

    _ok(runner.invoke(cli, ["init", "--examples"]))
    _ok(runner.invoke(cli, ["import", str(DAT), "--study", "lipset"]))
    engine = make_engine(database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            rows = session.execute(
                select(Response, Respondent).join(Respondent).order_by(Response.id)
            ).all()
            assert len(rows) == 9
            for response, _respondent in rows:
                assert response.stage == "done" and response.finished_at is not None
                assert response.state["stage"] == "done" and response.sort == response.state["sort"]
                assert response.trace[-1]["action"] == "imported from LIPSET.DAT"
                assert response.receipt
            assert tuple(r.identifier for _, r in rows) == read_sorts(DAT).table.sort_ids
    finally:
        engine.dispose()


def test_statements_are_matched_by_text_when_the_file_has_them(runner, database_url, tmp_path):
    from poetq.domain import SortsTable
    from poetq.formats.registry import write_sorts

    _ok(runner.invoke(cli, ["init", "--examples"]))
    _ok(runner.invoke(cli, ["import", str(DAT), "--study", "lipset"]))
    table = _sorts(database_url, "lipset")
    texts = _study_texts(database_url, "lipset")
    order = list(range(len(texts)))[::-1]  # the file lists the statements backwards
    # new names: the same sorts under the same names would be skipped as already there
    shuffled = SortsTable(tuple(f"s{k + 1}" for k in range(len(order))),
                          tuple(f"b-{n}" for n in table.sort_ids), table.values[order])
    write_sorts(
        shuffled, tmp_path / "backwards.zip", "kade-zip", statements=[texts[i] for i in order]
    )
    _ok(runner.invoke(cli, ["import", str(tmp_path / "backwards.zip"), "--study", "lipset"]))
    np.testing.assert_array_equal(_sorts(database_url, "lipset").values[:, 9:], table.values)


def _study_texts(database_url, slug):
    from poetq.services.studies import get_study, study_qset

    engine = make_engine(database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            return [s.text for s in study_qset(get_study(session, slug)).statements]
    finally:
        engine.dispose()


# --- round trips of the shipped studies through other tools' formats -------------------------

def test_shipped_studies_round_trip_through_every_format(runner, engine, tmp_path):
    from tests_helpers import STATEMENTS

    from poetq.qsets import load_qset
    from poetq.services.sorts import store_finished_sorts
    from poetq.services.studies import create_study
    from poetq.simulate import simulate_sorts

    files = sorted(p for p in STATEMENTS.glob("*.toml") if not p.name.endswith(".viewpoints.toml"))
    assert len(files) >= 3
    formats = {"pqmethod": ".DAT", "kenq": ".csv", "xlsx": ".xlsx", "kade": ".zip", "json": ".json",
               "csv": ".csv", "htmlq": ".csv"}
    with session_scope(make_session_factory(engine)) as session:
        for path in files:
            qset = load_qset(path)
            study = create_study(session, qset, slug=f"a-{path.stem}")
            sim = simulate_sorts(qset.grid, 12, seed=5)
            sorts = [(f"r{j + 1:02d}", dict(zip(qset.statement_ids, map(int, sim.values[:, j]))))
                     for j in range(12)]
            store_finished_sorts(session, study, sorts, origin="simulated")
            for fmt in formats:
                create_study(session, qset, slug=f"b-{path.stem}-{fmt}")
    for path in files:
        original = _sorts(str(engine.url.render_as_string(hide_password=False)), f"a-{path.stem}")
        for fmt, ext in formats.items():
            out = tmp_path / f"{path.stem}-{fmt}{ext}"
            _ok(
                runner.invoke(cli, ["export", f"a-{path.stem}", "--format", fmt, "--out", str(out)])
            )
            _ok(
                runner.invoke(
                    cli, ["import", str(out), "--study", f"b-{path.stem}-{fmt}", "--format", fmt]
                )
            )
            back = _sorts(
                str(engine.url.render_as_string(hide_password=False)), f"b-{path.stem}-{fmt}"
            )
            assert back.statement_ids == original.statement_ids, (path.stem, fmt)
            assert back.sort_ids == original.sort_ids, (path.stem, fmt)
            np.testing.assert_array_equal(
                back.values, original.values, err_msg=f"{path.stem} {fmt}"
            )


# --- export: default file name, names PQMethod cannot hold -----------------------------------

def test_export_default_name_and_renamed_sorts_are_reported(runner, tmp_path, monkeypatch):
    _ok(runner.invoke(cli, ["init", "--examples"]))
    long = tmp_path / "long.csv"
    long.write_bytes(
        CSV.replace(b"\rUS1,", b"\rParticipant A,", 1).replace(b"\rUS2,", b"\rParticipant B,", 1)
    )
    _ok(runner.invoke(cli, ["import", str(long), "--study", "lipset"]))
    monkeypatch.chdir(tmp_path)
    out = _ok(runner.invoke(cli, ["export", "lipset", "--format", "pqmethod"]))
    assert "to lipset.DAT (pqmethod)" in out
    assert (
        "Sort names changed to fit pqmethod: "
        "'Participant A' -> 'Particip', 'Participant B' -> 'Partici2'" in out
    )
    back = read_sorts(tmp_path / "lipset.DAT")
    assert back.table.sort_ids[:3] == ("Particip", "Partici2", "US3")
    assert back.statements is not None and len(back.statements) == 33  # lipset.STA beside it
    for fmt, name in (("kenq", "lipset.kenq.csv"), ("xlsx", "lipset.xlsx"), ("json", "lipset.json"),
                      ("csv", "lipset.csv")):
        out = _ok(runner.invoke(cli, ["export", "lipset", "--format", fmt]))
        assert f"to {name} ({registry_name(fmt)})" in out and "changed" not in out
        assert (tmp_path / name).is_file()


def registry_name(fmt):
    from poetq.formats.registry import format_name

    return format_name(fmt)


# --- analyse: the same result from every format, texts in the report -------------------------

def test_analyse_gives_the_same_json_from_every_format(runner, tmp_path):
    _ok(runner.invoke(cli, ["init", "--examples"]))
    _ok(runner.invoke(cli, ["import", str(DAT), "--study", "lipset"]))
    _ok(
        runner.invoke(
            cli, ["export", "lipset", "--format", "json", "--out", str(tmp_path / "own.json")]
        )
    )
    outputs = {}
    for source in (
        DAT,
        INTEROP / "kenq-demo" / "lipset" / "sorts.csv",
        KADE / "lipsetCsvQsorts.csv",
        KADE / "testExcelImport---type-1.xlsx",
        KADE / "testExcelImport---type-2---lipset.xlsx",
        tmp_path / "own.json",
    ):
        out = _ok(runner.invoke(cli, ["analyse", str(source), "--factors", "3", "--json"]))
        import json

        data = json.loads(out)
        data.pop("statement_ids")  # s1..s33 in every file but named by the study in own.json
        outputs[source.name] = data
    first = outputs.pop(DAT.name)
    for name, data in outputs.items():
        assert data == first, name


def test_analyse_report_and_workbook_carry_the_file_s_statements(runner, tmp_path):
    _ok(
        runner.invoke(
            cli,
            [
                "analyse",
                str(DAT),
                "--factors",
                "3",
                "--report-txt",
                str(tmp_path / "r.lis"),
                "--xlsx",
                str(tmp_path / "r.xlsx"),
            ],
        )
    )
    text = (tmp_path / "r.lis").read_text(encoding="utf-8")
    assert "We accept improvements in status and power" in text
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    texts = [row[2] for row in wb["f1 ranked"].iter_rows(min_row=2, values_only=True)]
    wb.close()
    assert "We accept improvements in status and power of lower class" in texts

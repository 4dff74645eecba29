"""Imports into a study: never doubled, another Q-set's statements refused with the mismatch
shown, web results' comments and answers kept, KADE's own Excel workbooks read."""

from __future__ import annotations

import shutil

from kade_workbooks import sheets_type2
from sqlalchemy import select
from tests_helpers import STATEMENTS, interop_dir, snapshot

from poetq.cli import cli
from poetq.formats.registry import read_sorts
from poetq.store import make_engine
from poetq.store.models import Response

INTEROP = interop_dir()
DAT = INTEROP / "kade" / "LIPSET.DAT"


def _run(runner, *args):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def _finished(database_url) -> list[Response]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(select(Response).where(Response.finished_at.is_not(None))))
    finally:
        engine.dispose()


def test_lipset_twice_leaves_nine_sorts(runner, database_url):
    assert _run(runner, "init", "--examples").exit_code == 0
    first = _run(runner, "import", str(DAT), "--study", "lipset")
    assert "Imported 9 sorts" in first.output
    second = _run(runner, "import", str(DAT), "--study", "lipset")
    assert second.exit_code == 0 and "Imported 0 sorts" in second.output
    assert "already in the study" in second.output
    assert len(_finished(database_url)) == 9


def test_a_dat_with_another_studys_statements_is_refused(runner, engine, tmp_path):
    assert _run(runner, "init", "--examples").exit_code == 0
    shutil.copy(DAT, tmp_path / "OTHER.DAT")
    jc = (STATEMENTS / "joint-commissioning.toml").read_text(encoding="utf-8")
    texts = [line.split('"')[1] for line in jc.splitlines() if line.startswith("text = ")][:33]
    (tmp_path / "OTHER.STA").write_text("".join(f"{t[:60]}\r\n" for t in texts), encoding="ascii",
                                        errors="replace")
    before = snapshot(engine)
    result = runner.invoke(cli, ["import", str(tmp_path / "OTHER.DAT"), "--study", "lipset"])
    assert result.exit_code == 1
    assert "are not this study's: statement 1: the file has" in result.output
    assert snapshot(engine) == before


def test_eq_web_sort_comments_and_answers_are_kept(runner, database_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _run(runner, "init", "--examples").exit_code == 0
    result = _run(runner, "import", str(INTEROP / "eq-web-sort" / "sampleResults.json"),
                  "--study", "lipset")
    assert result.exit_code == 0, result.output
    (response,) = _finished(database_url)
    assert response.comments["sta_16"] == "(s16) card 3" and len(response.comments) == 4
    assert response.answers["form0"] == "1980" and response.answers["form4"] == "0|1|0"
    assert "dur0" not in response.answers and "sort" not in response.answers
    out = _run(runner, "export", "lipset", "--format", "participants", "--out", "p.csv")
    assert out.exit_code == 0, out.output
    with open("p.csv", encoding="utf-8-sig") as f:
        header, row = f.read().splitlines()[:2]
    assert "form0" in header and "(s16) card 3" in row


def test_kade_excel_workbooks_import(runner, database_url, tmp_path):
    assert _run(runner, "init", "--examples").exit_code == 0
    imported = read_sorts(DAT)
    sheets_type2(tmp_path / "lipset-kade.xlsx", imported.table, imported.statements, name="Lipset")
    result = _run(runner, "import", str(tmp_path / "lipset-kade.xlsx"), "--study", "lipset")
    assert result.exit_code == 0 and "Imported 9 sorts" in result.output, result.output
    real = INTEROP / "kade" / "testExcelImport---type-2---lipset.xlsx"  # KADE's own test file
    result = _run(runner, "import", str(real), "--study", "lipset")
    assert result.exit_code == 0 and "9 were already there" in result.output, result.output
    assert len(_finished(database_url)) == 9

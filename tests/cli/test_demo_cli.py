"""poetq simulate and poetq demo --no-serve from the command line."""

from __future__ import annotations

import csv

from tests_helpers import STATEMENTS, snapshot

from poetq.cli import cli
from poetq.domain import validate_sort
from poetq.formats.registry import read_sorts
from poetq.qsets import load_qset

JC = load_qset(STATEMENTS / "joint-commissioning.toml")


def test_simulate_to_a_file_writes_valid_sorts_and_who_holds_what(runner, tmp_path):
    out = tmp_path / "sim.DAT"
    result = runner.invoke(cli, ["simulate", "joint-commissioning", "--respondents", "25", "--seed", "4",
                                 "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = read_sorts(out).table
    assert table.values.shape == (40, 25)
    for j in range(25):
        validate_sort(JC.grid, JC.statement_ids,
                      {sid: int(v) for sid, v in zip(JC.statement_ids, table.values[:, j])})
    with open(tmp_path / "sim.DAT.viewpoints.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 25 and {r["viewpoint"] for r in rows} == {
        "ideal", "efficiency", "pragmatic", "pluralist", "personalised"}


def test_a_bad_viewpoints_file_writes_nothing(runner, tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text('[[viewpoint]]\nname = "x"\n[viewpoint.scores]\njc01 = 1\njc77 = 2\n', encoding="utf-8")
    out = tmp_path / "sim.csv"
    result = runner.invoke(cli, ["simulate", str(STATEMENTS / "joint-commissioning.toml"),
                                 "--viewpoints", str(spec), "--out", str(out)])
    assert result.exit_code != 0
    assert f"{spec}:5: x: 'jc77' is not a statement of the Q-set" in result.output
    assert "Traceback" not in result.output and not out.exists()


def test_simulate_into_a_study_and_demo_no_serve(runner, engine, tmp_path):
    assert runner.invoke(cli, ["init", "--examples"]).exit_code == 0
    before = snapshot(engine)
    result = runner.invoke(cli, ["simulate", "lipset", "--viewpoints",
                                 str(STATEMENTS / "joint-commissioning.viewpoints.toml"), "--study", "lipset"])
    assert result.exit_code != 0 and "written for Q-set 'joint-commissioning'" in result.output
    assert snapshot(engine) == before
    result = runner.invoke(cli, ["simulate", "joint-commissioning", "--respondents", "10",
                                 "--study", "joint-commissioning"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["demo", "--no-serve", "--report", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert "with 60 finished responses (50 added now)" in result.output
    for text in ("/s/joint-commissioning", "/research/sign-in", "demo@poetq.local", str(tmp_path / "r.html")):
        assert text in result.output
    assert (tmp_path / "r.html").is_file()

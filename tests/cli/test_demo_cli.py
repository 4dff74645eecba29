"""poetq simulate and poetq demo --no-serve from the command line."""

from __future__ import annotations

import csv

from sqlalchemy import select
from tests_helpers import STATEMENTS, snapshot

from poetq.cli import cli
from poetq.domain import validate_sort
from poetq.formats.registry import read_sorts
from poetq.qsets import load_qset
from poetq.store.models import Respondent

JC = load_qset(STATEMENTS / "joint-commissioning.toml")


def test_simulate_to_a_file_writes_valid_sorts_and_who_holds_what(runner, tmp_path):
    out = tmp_path / "sim.DAT"
    result = runner.invoke(
        cli,
        [
            "simulate",
            "joint-commissioning",
            "--respondents",
            "25",
            "--seed",
            "4",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    table = read_sorts(out).table
    assert table.values.shape == (40, 25)
    for j in range(25):
        validate_sort(JC.grid, JC.statement_ids,
                      {sid: int(v) for sid, v in zip(JC.statement_ids, table.values[:, j])})
    with open(tmp_path / "sim.DAT.viewpoints.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["sort"] for r in rows] == list(table.sort_ids)
    assert {r["viewpoint"] for r in rows} == {
        "ideal",
        "efficiency",
        "pragmatic",
        "pluralist",
        "personalised",
    }
    assert [r["mirrored"] for r in rows].count("TRUE") == 2  # round(10 % of 25)
    assert "Wrote 25 simulated sorts" in result.output


def test_simulate_a_csv_is_reproducible_and_follows_its_seed(runner, tmp_path):
    def run(name, seed):
        out = tmp_path / name
        assert runner.invoke(cli, ["simulate", "joint-commissioning", "--respondents", "8",
                                   "--seed", seed, "--out", str(out)]).exit_code == 0
        return out.read_text(encoding="utf-8"), (tmp_path / f"{name}.viewpoints.csv").read_text()

    assert run("a.csv", "3") == run("b.csv", "3") != run("c.csv", "4")


def test_a_bad_viewpoints_file_writes_nothing(runner, tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text(
        '[[viewpoint]]\nname = "x"\n[viewpoint.scores]\njc01 = 1\njc77 = 2\n', encoding="utf-8"
    )
    out = tmp_path / "sim.csv"
    result = runner.invoke(cli, ["simulate", str(STATEMENTS / "joint-commissioning.toml"),
                                 "--viewpoints", str(spec), "--out", str(out)])
    assert result.exit_code != 0
    assert f"{spec}:5: x: 'jc77' is not a statement of the Q-set" in result.output
    assert "Traceback" not in result.output and not out.exists()
    assert not (tmp_path / "sim.csv.viewpoints.csv").exists()


def test_a_viewpoint_off_the_grid_names_its_line(runner, tmp_path):
    text = (STATEMENTS / "joint-commissioning.viewpoints.toml").read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("jc03 ="))
    lines[at] = "jc03 = +4"  # the first viewpoint now has three statements at +4
    spec = tmp_path / "mine.viewpoints.toml"
    spec.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "sim.xlsx"
    result = runner.invoke(cli, ["simulate", "joint-commissioning", "--viewpoints", str(spec),
                                 "--out", str(out)])
    assert result.exit_code != 0
    first = next(i for i, line in enumerate(lines) if line.startswith("[[viewpoint]]")) + 1
    assert (
        f"{spec}:{first}: ideal: the scores do not follow the grid's forced distribution"
        in result.output
    )
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert not out.exists() and not (tmp_path / "sim.xlsx.viewpoints.csv").exists()


def test_simulate_into_a_study_and_demo_no_serve(runner, engine, tmp_path):
    assert runner.invoke(cli, ["init", "--examples"]).exit_code == 0
    before = snapshot(engine)
    result = runner.invoke(
        cli,
        [
            "simulate",
            "lipset",
            "--viewpoints",
            str(STATEMENTS / "joint-commissioning.viewpoints.toml"),
            "--study",
            "lipset",
        ],
    )
    assert result.exit_code != 0 and "written for Q-set 'joint-commissioning'" in result.output
    assert snapshot(engine) == before
    result = runner.invoke(cli, ["simulate", "joint-commissioning", "--study", "lipset"])
    assert result.exit_code != 0 and "study 'lipset' has other statements" in result.output
    assert snapshot(engine) == before
    result = runner.invoke(cli, ["simulate", "joint-commissioning", "--respondents", "4",
                                 "--study", "joint-commissioning"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        cli,
        [
            "simulate",
            "joint-commissioning",
            "--respondents",
            "6",
            "--seed",
            "2",
            "--study",
            "joint-commissioning",
        ],
    )  # the study's own Q-set
    assert result.exit_code == 0, result.output
    assert "Added 6 simulated responses to 'joint-commissioning'" in result.output
    with engine.connect() as conn:
        names = conn.execute(select(Respondent.identifier)).scalars().all()
    assert sorted(names) == [f"sim-{j:03d}" for j in range(1, 11)]  # numbered on, never twice
    result = runner.invoke(cli, ["demo", "--no-serve", "--report", str(tmp_path / "r.html")])
    assert result.exit_code == 0, result.output
    assert "with 60 finished responses (50 added now)" in result.output
    for text in (
        "/s/joint-commissioning",
        "/research/sign-in",
        "demo@poetq.local",
        str(tmp_path / "r.html"),
    ):
        assert text in result.output
    assert (tmp_path / "r.html").is_file()


def test_demo_no_serve_in_a_fresh_poetq_home_is_idempotent(tmp_path, monkeypatch):
    from click.testing import CliRunner

    home = tmp_path / "poetq-home"
    for name in ("DATABASE_URL", "POETQ_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("POETQ_HOME", str(home))
    runner = CliRunner()
    first = runner.invoke(cli, ["demo", "--no-serve"])
    assert first.exit_code == 0, first.output
    assert (home / "poetq.sqlite3").is_file() and (home / "demo-report.html").is_file()
    again = runner.invoke(cli, ["demo", "--no-serve"])
    assert again.exit_code == 0, again.output
    assert "with 60 finished responses (60 added now)" in first.output
    assert "with 60 finished responses (0 added now)" in again.output
    for out in (first.output, again.output):
        for text in ("http://127.0.0.1:5000/s/joint-commissioning", "http://127.0.0.1:5000/research/sign-in",
                     "demo@poetq.local / poetq-demo-password", str(home / "demo-report.html")):
            assert text in out

"""poetq analysis save|list|show|rename|delete, and report/plot --analysis NAME."""

from __future__ import annotations

import json

import pytest
from tests_helpers import STATEMENTS

from poetq.cli import cli

JC = STATEMENTS / "joint-commissioning.toml"


def run(runner, *args):
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture
def jc(runner):
    assert run(runner, "init").exit_code == 0
    assert run(runner, "study", "create", JC, "--slug", "jc").exit_code == 0
    r = run(runner, "simulate", "jc", "--study", "jc", "--respondents", "20", "--seed", "3")
    assert r.exit_code == 0, r.output
    return runner


def test_a_saved_analysis_is_byte_identical_after_five_more_responses(jc, tmp_path):
    r = run(
        jc,
        "analysis",
        "save",
        "jc",
        "four + by hand",
        "--factors",
        "4",
        "--rotate",
        "1,2,12.5",
        "--rotate",
        "3,4,-4",
    )
    assert r.exit_code == 0, r.output
    assert "Saved analysis 'four + by hand'" in r.output and "20 sorts" in r.output
    assert (
        run(jc, "analysis", "show", "jc", "four + by hand", "--out", tmp_path / "before").exit_code
        == 0
    )
    live_before = run(
        jc,
        "analyse",
        "jc",
        "--factors",
        "4",
        "--rotate",
        "1,2,12.5",
        "--rotate",
        "3,4,-4",
        "--json",
    ).output
    r = run(jc, "simulate", "jc", "--study", "jc", "--respondents", "5", "--seed", "4")
    assert r.exit_code == 0, r.output
    r = run(jc, "analysis", "show", "jc", "four + by hand", "--out", tmp_path / "after")
    assert r.exit_code == 0, r.output
    assert "5 newer responses are not in it" in r.output
    before = sorted(p.name for p in (tmp_path / "before").iterdir())
    assert before == sorted(p.name for p in (tmp_path / "after").iterdir()) and before
    for name in before:
        assert (tmp_path / "before" / name).read_bytes() == (tmp_path / "after" / name).read_bytes()
    # the live analysis did change: the test could fail
    live_after = run(
        jc,
        "analyse",
        "jc",
        "--factors",
        "4",
        "--rotate",
        "1,2,12.5",
        "--rotate",
        "3,4,-4",
        "--json",
    ).output
    assert json.loads(live_after)["sort_ids"] != json.loads(live_before)["sort_ids"]
    shown = json.loads(run(jc, "analysis", "show", "jc", "four + by hand", "--json").output)
    assert shown["analysis"]["options"]["rotations"] == [[1, 2, 12.5], [3, 4, -4.0]]
    assert (
        shown["analysis"]["newer_responses"] == 5 and len(shown["analysis"]["response_ids"]) == 20
    )
    assert shown["loadings"] == json.loads(live_before)["loadings"]
    listing = run(jc, "analysis", "list", "jc").output
    assert "four + by hand: 4 factors" in listing and "[5 newer responses]" in listing


def test_save_refuses_clashes_and_bad_options_without_storing(jc):
    assert run(jc, "analysis", "save", "jc", "a", "--factors", "3").exit_code == 0
    r = run(jc, "analysis", "save", "jc", "a", "--factors", "2")
    assert r.exit_code == 1 and "already has an analysis called 'a'" in r.output
    assert run(jc, "analysis", "save", "jc", "a", "--factors", "2", "--replace").exit_code == 0
    r = run(jc, "analysis", "save", "jc", "b", "--factors", "3", "--rotate", "1,5,10")
    assert r.exit_code == 1 and "two different factors between 1 and 3" in r.output
    r = run(jc, "analysis", "save", "jc", "  ", "--factors", "3")
    assert r.exit_code == 1 and "give the analysis a name" in r.output
    assert run(jc, "analysis", "list", "jc").output.splitlines()[0].startswith("a: 2 factors")
    r = run(jc, "analysis", "show", "jc", "b")
    assert r.exit_code == 1 and "no saved analysis called 'b' (saved: a)" in r.output


def test_rename_delete_and_report_from_a_saved_analysis(jc, tmp_path):
    assert (
        run(jc, "analysis", "save", "jc", "three", "--factors", "3", "--rotate", "1,2,20").exit_code
        == 0
    )
    assert (
        "Renamed 'three' to 'final'" in run(jc, "analysis", "rename", "jc", "three", "final").output
    )
    r = run(jc, "report", "jc", "--analysis", "final", "--out", tmp_path / "r.html")
    assert r.exit_code == 0, r.output
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "rotate 1 2 20" in html
    r = run(
        jc, "report", "jc", "--analysis", "final", "--factors", "2", "--out", tmp_path / "x.html"
    )
    assert r.exit_code == 2 and "leave out --factors" in r.output
    r = run(jc, "report", "jc", "--out", tmp_path / "x.html")
    assert r.exit_code == 2 and "--factors" in r.output
    assert run(jc, "plot", "jc", "--analysis", "final", "--kind", "loadings",
               "--out", tmp_path / "l.svg").exit_code == 0
    assert "Deleted" in run(jc, "analysis", "delete", "jc", "final").output
    assert "no saved analysis" in run(jc, "analysis", "list", "jc").output

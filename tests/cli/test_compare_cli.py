"""poetq compare: solutions side by side; on the demo's data the five planted viewpoints
are the five factors at k = 5."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from poetq.cli import cli
from poetq.store import make_engine, make_session_factory, session_scope
from poetq.store.models import Respondent, Response

LIPSET = str(Path(__file__).resolve().parent.parent / "data" / "lipset" / "sorts.csv")


def run(runner, *args):
    return runner.invoke(cli, [str(a) for a in args], catch_exceptions=False)


def test_demo_shows_the_five_planted_viewpoints_at_k5(runner, database_url, tmp_path):
    assert run(runner, "init", "--examples").exit_code == 0
    # the demo's data: 60 respondents from the five shipped viewpoints, seed 1
    r = run(runner, "simulate", "joint-commissioning", "--study", "joint-commissioning",
            "--respondents", "60", "--seed", "1")
    assert r.exit_code == 0, r.output
    r = run(
        runner, "compare", "joint-commissioning", "--factors", "2-7", "--out", tmp_path / "c.csv"
    )
    assert r.exit_code == 0, r.output
    for k in range(2, 8):
        assert f"k = {k}: " in r.output
    assert "to k = 8" not in r.output and "to k = 7:" in r.output
    with (tmp_path / "c.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert sorted({int(row["k"]) for row in rows}) == [2, 3, 4, 5, 6, 7]

    engine = make_engine(database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            held = {ident: trace[0]["action"].split("viewpoint ")[1].split(" ")[0]
                    for ident, trace in session.execute(
                        select(Respondent.identifier, Response.trace)
                        .join(Response, Response.respondent_id == Respondent.id))}
    finally:
        engine.dispose()
    five = [row for row in rows if row["k"] == "5" and row["factor"].startswith("f")]
    assert len(five) == 5
    found = []
    for row in five:
        counts = Counter(held[s] for s in row["sorts"].split())
        viewpoint, n = counts.most_common(1)[0]
        assert n >= 8 and n == sum(counts.values()), (row["factor"], counts)  # one viewpoint each
        found.append(viewpoint)
    assert sorted(found) == sorted(set(held.values())) and len(set(found)) == 5
    # with four factors two viewpoints must share a factor or be left out
    four = [row for row in rows if row["k"] == "4" and row["factor"].startswith("f")]
    assert len({Counter(held[s] for s in row["sorts"].split()).most_common(1)[0][0]
                for row in four}) <= 4


def test_compare_refuses_what_does_not_fit(runner):
    r = run(runner, "compare", LIPSET, "--factors", "3-2")
    assert r.exit_code == 1 and "1 <= FROM <= TO" in r.output
    r = run(runner, "compare", LIPSET, "--factors", "2-20")
    assert r.exit_code == 1 and "at most 12" in r.output
    r = run(runner, "compare", LIPSET, "--factors", "2-10")
    assert r.exit_code == 1 and "cannot extract 10 factors from 9 sorts" in r.output
    r = run(runner, "compare", LIPSET, "--factors", "2-3", "--extraction", "centroid")
    assert r.exit_code == 0 and "k = 3" in r.output

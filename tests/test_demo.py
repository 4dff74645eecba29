"""The demo and planted viewpoints: each planted viewpoint is recovered by a 5-factor analysis."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import select
from tests_helpers import STATEMENTS

from poetq.analysis import analyse
from poetq.domain import validate_sort
from poetq.errors import ValidationError
from poetq.qsets import load_qset
from poetq.services import factor_analysis
from poetq.services.demo import DEMO_SLUG, prepare_demo
from poetq.simulate import load_viewpoints, parse_viewpoints, simulate_viewpoints
from poetq.store import make_engine, make_session_factory, session_scope
from poetq.store.models import Respondent, Response

JC = load_qset(STATEMENTS / "joint-commissioning.toml")
SPEC = STATEMENTS / "joint-commissioning.viewpoints.toml"
VIEWPOINTS = load_viewpoints(SPEC, JC)
NAMES = ["ideal", "efficiency", "pragmatic", "pluralist", "personalised"]


def _planted(ids):
    """The viewpoints as columns, shape (n_statements, 5)."""
    return np.array([[vp.scores[s] for vp in VIEWPOINTS] for s in ids], dtype=float)


def _recovered(result, planted, holds, mirrored):
    """Every planted viewpoint is recovered by its own factor.

    A factor recovers a viewpoint when its array correlates above 0.9 with it, up to the
    factor's sign (a factor is bipolar when some hold its viewpoint upside down; qmethod's
    sign convention could put the viewpoint on either pole). Every sort is flagged on the
    factor of its viewpoint, or on none; and its loading there says which pole it holds:
    the viewpoint's pole for a plain copy, the other pole for a mirrored one (poetq flags
    negative loadings as qmethod does, and weights them in mirrored).
    """
    k = planted.shape[1]
    corr = np.corrcoef(np.hstack([result.factor_arrays, planted]).T)[:k, k:]
    factor_of = np.abs(corr).argmax(axis=0)
    assert sorted(factor_of) == list(range(k)), (
        f"two viewpoints share a factor: {np.round(corr, 2)}"
    )
    pole = np.sign(corr[factor_of, range(k)])
    for v in range(k):
        assert abs(corr[factor_of[v], v]) > 0.9, (NAMES[v], np.round(corr[:, v], 3))
    unflagged = 0
    for j, (v, flip) in enumerate(zip(holds, mirrored)):
        flagged = np.flatnonzero(result.flags[j])
        if len(flagged) == 0:
            unflagged += 1
            continue
        assert list(flagged) == [factor_of[v]], (j, NAMES[v], flagged)
        held = np.sign(result.loadings[j, factor_of[v]]) * pole[v]
        assert held == (-1 if flip else 1), (j, NAMES[v], "mirrored" if flip else "plain")
    assert unflagged <= len(holds) // 10  # "or on none" is the exception, not the rule


def test_five_viewpoints_are_written_for_the_jc_qset_and_distinct():
    assert [vp.name for vp in VIEWPOINTS] == NAMES
    for vp in VIEWPOINTS:  # each viewpoint is itself a valid sort of the grid
        validate_sort(JC.grid, JC.statement_ids, vp.scores)
        assert vp.title and len(vp.description) > 40
    corr = np.corrcoef(_planted(JC.statement_ids).T)
    assert np.abs(corr[np.triu_indices(5, 1)]).max() < 0.5  # five viewpoints, not two or three


def test_the_package_ships_the_same_viewpoints():
    packaged = STATEMENTS.parent / "poetq" / "_statements" / SPEC.name
    assert packaged.read_bytes() == SPEC.read_bytes()


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5, 6])
def test_simulated_sorts_are_valid_and_recover_their_viewpoints(seed):
    sim = simulate_viewpoints(JC, VIEWPOINTS, 60, seed=seed)
    for j in range(60):
        validate_sort(JC.grid, JC.statement_ids,
                      {sid: int(v) for sid, v in zip(JC.statement_ids, sim.values[:, j])})
    assert sim.mirrored.sum() == 6  # 10 %, at least one per viewpoint: five bipolar factors
    assert set(sim.viewpoint_of[sim.mirrored]) == set(range(5))
    result = analyse(sim.values, 5, distribution=JC.grid.distribution())
    _recovered(result, _planted(JC.statement_ids), sim.viewpoint_of, sim.mirrored)


def test_without_noise_a_respondent_sorts_exactly_their_viewpoint():
    sim = simulate_viewpoints(JC, VIEWPOINTS, 20, noise=0, mirrored=0.25, seed=7)
    planted = _planted(JC.statement_ids)
    for j, (v, flip) in enumerate(zip(sim.viewpoint_of, sim.mirrored)):
        np.testing.assert_array_equal(sim.values[:, j], -planted[:, v] if flip else planted[:, v])


def _spec(scores: dict[str, int], *, name: str = "a") -> str:
    lines = [f"{sid} = {v}" for sid, v in scores.items()]
    return "\n".join(['qset = "joint-commissioning"', "[[viewpoint]]", f'name = "{name}"',
                      "[viewpoint.scores]", *lines]) + "\n"


IDEAL = dict(VIEWPOINTS[0].scores)


@pytest.mark.parametrize(
    "text,message",
    [
        ('qset = "joint-commissioning"\n', r"<v>:1: no \[\[viewpoint\]\] tables"),
        (
            '[[viewpoint]]\nname = "a b"\n[viewpoint.scores]\njc01 = 1\n',
            r"<v>:1: viewpoint 1 needs a name",
        ),
        (
            '[[viewpoint]]\nname = "a"\n[viewpoint.scores]\njc01 = "x"\n',
            r"<v>:4: a: the score of jc01 must be a whole number from -4 to \+4, not 'x'",
        ),
        (
            '[[viewpoint]]\nname = "a"\n[viewpoint.scores]\njc99 = 1\n',
            r"<v>:4: a: 'jc99' is not a statement",
        ),
        (
            '[[viewpoint]]\nname = "a"\n[viewpoint.scores]\njc01 = 1\n',
            r"<v>:1: a: no score for 39 statements",
        ),
        ("[[viewpoint]\n", r"<v>:1: not valid TOML"),
        (
            'qset = "lipset"\n[[viewpoint]]\nname = "a"\n',
            r"^<v>:1: written for Q-set 'lipset', not 'joint",
        ),
        (
            _spec(IDEAL | {"jc07": 5}),
            r"<v>:11: a: jc07 = \+5 is not a column of the grid \(-4 to \+4\)",
        ),
        (_spec(IDEAL | {"jc07": 1.5}), r"<v>:11: a: the score of jc07 must be a whole number"),
        (
            _spec(IDEAL | {"jc07": 4}),  # jc07 was -1: one too many in +4, one too few in -1
            (
                r"<v>:2: a: the scores do not follow the grid's forced distribution "
                r"2, 3, 4, 6, 10, 6, 4, 3, 2: column -1 has 5 \(needs 6\); "
                r"column \+4 has 3 \(needs 2\)"
            ),
        ),
        (_spec(IDEAL) + _spec(IDEAL).split("\n", 1)[1], r"<v>:45: the name 'a' is used twice"),
    ],
)
def test_bad_viewpoint_files_name_the_line(text, message):
    with pytest.raises(ValidationError, match=message):
        parse_viewpoints(text, JC, source="<v>")


def test_every_problem_is_listed_at_once():
    text = _spec(IDEAL | {"jc07": 9, "jc08": '"x"'}) + _spec(IDEAL, name="b").split("\n", 1)[1]
    with pytest.raises(ValidationError) as caught:
        parse_viewpoints(text + "jc77 = 1\n", JC, source="<v>")
    assert [p.split(":")[1] for p in caught.value.problems] == ["11", "12", "88"]


def test_the_demo_study_shows_the_five_viewpoints(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("POETQ_HOME", str(tmp_path / "home"))
    made = prepare_demo(database_url, report=tmp_path / "report.html")
    assert made.added == 60 and made.finished == 60 and made.account_created
    again = prepare_demo(database_url, report=tmp_path / "report.html")
    assert again.added == 0 and again.finished == 60 and not again.account_created
    assert made.report.is_file() and "f5" in made.report.read_text(encoding="utf-8")
    source = factor_analysis.load_source(DEMO_SLUG, database_url=database_url)
    result = factor_analysis.run_analysis(source, 5)
    engine = make_engine(database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            rows = session.execute(select(Respondent.identifier, Response.trace)
                                   .join(Response, Response.respondent_id == Respondent.id)).all()
    finally:
        engine.dispose()
    origin = {ident: trace[0]["action"] for ident, trace in rows}
    assert all(o.startswith("simulated from viewpoint ") for o in origin.values())
    holds = [NAMES.index(origin[s].split("viewpoint ")[1].split(" ")[0]) for s in result.sort_ids]
    mirrored = [origin[s].endswith("(mirrored)") for s in result.sort_ids]
    assert sum(mirrored) == 6
    _recovered(result, _planted(result.statement_ids), holds, mirrored)

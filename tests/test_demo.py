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
from poetq.services import analysis
from poetq.services.demo import DEMO_SLUG, prepare_demo
from poetq.simulate import load_viewpoints, parse_viewpoints, simulate_viewpoints
from poetq.store import make_engine, make_session_factory, session_scope
from poetq.store.models import Respondent, Response

JC = load_qset(STATEMENTS / "joint-commissioning.toml")
SPEC = STATEMENTS / "joint-commissioning.viewpoints.toml"
VIEWPOINTS = load_viewpoints(SPEC, JC.statement_ids, qset_slug=JC.slug)


def _recovered(result, planted, holds):
    """Each planted viewpoint's best factor; every sort flagged on it (or on none); arrays > 0.9."""
    k = planted.shape[1]
    corr = np.corrcoef(np.hstack([result.factor_arrays, planted]).T)[:k, k:]
    factor_of = corr.argmax(axis=0)
    assert sorted(factor_of) == list(range(k)), f"two viewpoints share a factor: {np.round(corr, 2)}"
    for v in range(k):
        assert corr[factor_of[v], v] > 0.9, (v, np.round(corr[:, v], 3))
    for j, v in enumerate(holds):
        flagged = np.flatnonzero(result.flags[j])
        assert len(flagged) == 0 or list(flagged) == [factor_of[v]], (j, v, flagged)


def _planted(ids):
    m = np.array([[vp.scores[s] for s in ids] for vp in VIEWPOINTS]).T
    return m


def test_five_viewpoints_are_written_for_the_jc_qset_and_distinct():
    assert [vp.name for vp in VIEWPOINTS] == ["ideal", "efficiency", "pragmatic", "pluralist", "personalised"]
    corr = np.corrcoef(_planted(JC.statement_ids).T)
    assert np.abs(corr[np.triu_indices(5, 1)]).max() < 0.5  # five viewpoints, not two or three


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_simulated_sorts_are_valid_and_recover_their_viewpoints(seed):
    sim = simulate_viewpoints(JC.grid, JC.statement_ids, VIEWPOINTS, 60, seed=seed)
    for j in range(60):
        validate_sort(JC.grid, JC.statement_ids,
                      {sid: int(v) for sid, v in zip(JC.statement_ids, sim.values[:, j])})
    assert sim.mirrored.any()  # some respondents hold their viewpoint upside down
    result = analyse(sim.values, 5, distribution=JC.grid.distribution())
    _recovered(result, _planted(JC.statement_ids), sim.viewpoint_of)


@pytest.mark.parametrize("text,message", [
    ('qset = "joint-commissioning"\n', r"<v>:1: no \[\[viewpoint\]\] tables"),
    ('[[viewpoint]]\nname = "a b"\n[viewpoint.scores]\njc01 = 1\n', r"<v>:1: viewpoint 1 needs a name"),
    ('[[viewpoint]]\nname = "a"\n[viewpoint.scores]\njc01 = "x"\n', r"<v>:4: a: the score of jc01 must be a number"),
    ('[[viewpoint]]\nname = "a"\n[viewpoint.scores]\njc99 = 1\n', r"<v>:4: a: 'jc99' is not a statement"),
    ('[[viewpoint]]\nname = "a"\n[viewpoint.scores]\njc01 = 1\n', r"<v>:1: a: no score for 39 statements"),
    ('[[viewpoint]\n', r"<v>:1: not valid TOML"),
    ('qset = "lipset"\n[[viewpoint]]\nname = "a"\n', r"<v>:1: written for Q-set 'lipset'"),
])
def test_bad_viewpoint_files_name_the_line(text, message):
    with pytest.raises(ValidationError, match=message):
        parse_viewpoints(text, JC.statement_ids, source="<v>", qset_slug=JC.slug)


def test_the_demo_study_shows_the_five_viewpoints(database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("POETQ_HOME", str(tmp_path / "home"))
    made = prepare_demo(database_url, report=tmp_path / "report.html")
    assert made.added == 60 and made.finished == 60 and made.account_created
    again = prepare_demo(database_url, report=tmp_path / "report.html")
    assert again.added == 0 and again.finished == 60 and not again.account_created
    assert made.report.is_file() and "f5" in made.report.read_text(encoding="utf-8")
    source = analysis.load_source(DEMO_SLUG, database_url=database_url)
    result = analysis.run_analysis(source, 5)
    engine = make_engine(database_url)
    try:
        with session_scope(make_session_factory(engine)) as session:
            rows = session.execute(select(Respondent.identifier, Response.trace)
                                   .join(Response, Response.respondent_id == Respondent.id)).all()
    finally:
        engine.dispose()
    names = [vp.name for vp in VIEWPOINTS]
    planted_of = {ident: trace[0]["action"].split("viewpoint ")[1].split(" ")[0] for ident, trace in rows}
    holds = [names.index(planted_of[s]) for s in result.sort_ids]
    _recovered(result, _planted(result.statement_ids), holds)

"""Backup then restore in every direction keeps every row exactly, and the restored database
is analysed and exported: unfinished, excluded and hand-entered responses included."""

from __future__ import annotations

import numpy as np
import pytest
from sqlalchemy import text
from tests_helpers import snapshot

from poetq.domain import Grid, QSet, Question, Statement
from poetq.errors import ValidationError
from poetq.services import backup, responses_admin, studies, users
from poetq.services.factor_analysis import run_analysis, study_source
from poetq.services.sorts import store_finished_sorts
from poetq.services.study_results import export, export_formats
from poetq.store import make_engine, make_session_factory, session_scope, upgrade
from poetq.store.models import Respondent, Response

STATEMENTS = tuple(Statement(f"s{i}", f"Statement {i}") for i in range(1, 10))
GRID = Grid((-2, -1, 0, 1, 2), (1, 2, 3, 2, 1))


def _qset() -> QSet:
    return QSet(
        slug="dirs",
        title="Directions",
        statements=STATEMENTS,
        grid=GRID,
        questions=(Question(id="age", kind="number", prompt="Age", minimum=0, maximum=120),),
    )


def _sorts(n: int) -> list[tuple[str, dict[str, int]]]:
    rng = np.random.default_rng(7)
    values = [v for v, c in zip(GRID.values, GRID.counts) for _ in range(c)]
    return [(f"P{j}", dict(zip([s.id for s in STATEMENTS], rng.permutation(values).tolist())))
            for j in range(n)]


def fill(engine) -> None:
    with session_scope(make_session_factory(engine)) as session:
        ada = users.create_user(session, "ada@example.org", "a long passphrase here")
        study = studies.create_study(session, _qset(), owner=ada)
        studies.create_invitations(session, "dirs", 2)
        # hand-entered (imported) sorts, one of them excluded
        done = store_finished_sorts(session, study, _sorts(7), origin="entered by hand")
        responses_admin.set_excluded(session, study, done[0].id, True)
        # unfinished responses: one still on the welcome page, one half-way through
        for code, stage, piles in (("u1", "welcome", None), ("u2", "sort", {"agree": ["s1"]})):
            who = Respondent(study_id=study.id, resume_code=code, identifier=None)
            session.add(who)
            session.flush()
            session.add(Response(study_id=study.id, respondent_id=who.id, stage=stage,
                                 state={"stage": stage}, piles=piles, sort=None))


def _nulls(engine) -> dict[str, list]:
    """Rows whose nullable columns are SQL NULL, read with SQL (not through the ORM)."""
    with engine.connect() as conn:
        return {
            column: sorted(r[0] for r in conn.execute(
                text(f"SELECT id FROM responses WHERE {column} IS NULL")))
            for column in ("sort", "piles", "finished_at", "receipt")
        } | {"identifier": sorted(r[0] for r in conn.execute(
            text("SELECT id FROM respondents WHERE identifier IS NULL")))}


@pytest.mark.parametrize("source_kind,target_kind", [
    ("sqlite", "sqlite"), ("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_restore_keeps_every_row_and_null_in_every_direction(
        new_database_url, tmp_path, source_kind, target_kind):
    source = make_engine(new_database_url(source_kind), create_dir=True)
    target = make_engine(new_database_url(target_kind), create_dir=True)
    upgrade(source)
    upgrade(target)
    fill(source)
    file = tmp_path / "all.poetq.gz"
    saved = backup.backup(source, file)
    assert backup.restore(target, file).rows == saved.rows
    assert snapshot(target) == snapshot(source)
    nulls = _nulls(target)
    assert nulls == _nulls(source)
    assert len(nulls["sort"]) == 2 and len(nulls["piles"]) == 8

    with session_scope(make_session_factory(target)) as session:
        src = study_source(session, "dirs")
        assert src.table.values.shape == (9, 6)  # 7 entered, 1 excluded, 2 unfinished
        result = run_analysis(src, 2)
        assert result.n_factors == 2
        for fmt, _ in export_formats():
            assert export(session, "dirs", fmt).data
        study = studies.get_study(session, "dirs")
        rows = responses_admin.list_responses(session, study)
        assert len(rows) == 9
    source.dispose()
    target.dispose()


def test_an_old_restore_s_json_null_is_repaired_by_the_migration(new_database_url):
    from alembic import command

    from poetq.store import db as store_db

    engine = make_engine(new_database_url("sqlite"), create_dir=True)
    upgrade(engine)
    fill(engine)
    config = store_db._alembic_config(engine)
    command.downgrade(config, "0003")
    with engine.begin() as conn:  # what a restore made before revision 0004
        conn.execute(text("UPDATE responses SET sort = 'null' WHERE sort IS NULL"))
    assert _nulls(engine)["sort"] == []
    command.upgrade(config, "head")
    assert len(_nulls(engine)["sort"]) == 2
    engine.dispose()


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_a_qset_with_a_non_finite_number_is_refused_when_checked(value):
    from poetq.qsets import parse_qset

    source = (
        'title = "x"\nslug = "x"\n'
        '[[statements]]\nid = "a"\ntext = "A"\n[[statements]]\nid = "b"\ntext = "B"\n'
        '[[statements]]\nid = "c"\ntext = "C"\n'
        "[grid]\nvalues = [-1, 0, 1]\ncounts = [1, 1, 1]\n"
        f'[[questions]]\nid = "q"\nkind = "number"\nprompt = "How many?"\nminimum = {value}\n'
    )
    with pytest.raises(ValidationError, match="finite"):
        parse_qset(source)
    with pytest.raises(ValidationError, match="finite"):
        Question(id="q", kind="number", prompt="p", maximum=float(value))

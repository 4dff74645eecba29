"""Storage: migrations, defaults, UTC timestamps, cascades, schema checks."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import inspect, select

from poetq.errors import StateError, ValidationError
from poetq.store import check_schema, make_engine, upgrade
from poetq.store.db import default_sqlite_path, head_revision, resolve_url
from poetq.store.models import Base, Respondent, Response, Study


def test_migrations_create_every_model_table(engine):
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    check_schema(engine)


def test_upgrade_twice_is_a_no_op(engine):
    before, after = upgrade(engine)
    assert before == after == head_revision()


def test_unmigrated_database_asks_for_init(database_url):
    eng = make_engine(database_url, create_dir=True)
    with pytest.raises(StateError, match="poetq init"):
        check_schema(eng)
    eng.dispose()


def test_missing_directory_asks_for_init(tmp_path):
    with pytest.raises(StateError, match="poetq init"):
        make_engine(f"sqlite:///{tmp_path / 'nowhere' / 'x.sqlite3'}")


def test_invalid_url_is_a_validation_error():
    with pytest.raises(ValidationError, match="not valid"):
        make_engine("not a url at all")


def test_url_resolution(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("POETQ_HOME", str(tmp_path))
    assert default_sqlite_path() == tmp_path / "poetq.sqlite3"
    assert resolve_url() == f"sqlite:///{tmp_path / 'poetq.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@h/db")
    assert resolve_url() == "postgresql+psycopg://u:p@h/db"
    assert resolve_url("sqlite:///x") == "sqlite:///x"


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url):
    engine = make_engine(sqlite_url, create_dir=True)
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
    engine.dispose()


def _study(session) -> Study:
    study = Study(slug="s", title="T", qset={"statements": []}, settings={})
    session.add(study)
    session.flush()
    return study


def test_timestamps_are_utc_aware(session):
    _study(session)
    session.commit()
    session.expire_all()
    loaded = session.scalar(select(Study))
    assert loaded.created_at.tzinfo is not None
    assert loaded.created_at.utcoffset() == dt.timedelta(0)


def test_deleting_a_study_deletes_its_responses(session):
    study = _study(session)
    resp = Respondent(study_id=study.id, resume_code="abc")
    session.add(resp)
    session.flush()
    session.add(Response(study_id=study.id, respondent_id=resp.id, state={"x": 1}))
    session.commit()
    session.delete(study)
    session.commit()
    assert session.scalar(select(Response)) is None
    assert session.scalar(select(Respondent)) is None


def test_one_response_per_respondent(session):
    from sqlalchemy.exc import IntegrityError

    study = _study(session)
    resp = Respondent(study_id=study.id, resume_code="abc")
    session.add(resp)
    session.flush()
    session.add(Response(study_id=study.id, respondent_id=resp.id))
    session.flush()
    session.add(Response(study_id=study.id, respondent_id=resp.id))
    with pytest.raises(IntegrityError):
        session.flush()


def test_held_connections_are_kept_between_uses_and_dropped_when_in_doubt(engine):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from poetq.store.db import HeldConnections

    held = HeldConnections(engine)
    first = held.get()
    first.execute(text("SELECT 1"))  # a transaction left open: rolled back when put back
    held.put(first)
    assert not first.in_transaction()
    again = held.get()
    assert again is first  # the same open connection, no pool checkout
    other = held.get()  # both in use: a second one
    assert other is not first
    with pytest.raises(DBAPIError):
        other.execute(text("SELECT * FROM no_such_table"))
    held.put(other)  # met an error: dropped, not kept
    held.put(again)
    a, b = held.get(), held.get()
    assert a is first and b not in (first, other)
    held.put(a)
    in_use = b
    engine.dispose()  # kept connections are closed; the one in use is dropped on its return
    assert first.closed and not in_use.closed
    held.put(in_use)
    assert in_use.closed
    fresh = held.get()
    assert fresh not in (first, in_use) and fresh.execute(text("SELECT 1")).scalar() == 1
    held.put(fresh)
    held.close()
    assert fresh.closed


def test_a_response_row_holds_what_is_stored(engine, session):
    """The respondents' one query gives a typed row whose values have the stored types (UTC
    datetimes, JSON, floats), and equals the row the service returned when it started."""
    from poetq.domain import Grid, QSet, Statement
    from poetq.services import respondents
    from poetq.services.studies import create_study, set_state
    from poetq.store import responses as store

    qset = QSet(slug="small", title="Small", grid=Grid.symmetric([1, 2, 1]),
                statements=tuple(Statement(s, f"Statement {s}") for s in "abcd"))
    create_study(session, qset)
    set_state(session, "small", "open")
    session.commit()
    with engine.connect() as conn:
        started = respondents.start_response(conn, respondents.open_study(conn, "small"), seed=3)
        conn.execute(Response.__table__.update().values(step_tat=12.5))
        conn.commit()
        row = store.response_by_code(conn, started.resume_code)
        assert row is not None and row.step_tat == 12.5 and row.started_at.tzinfo is not None
        row.step_tat = None
        assert row == started and row.study.qset is started.study.qset  # one cached Q-set
        assert isinstance(row.state, dict) and row.study.qset.statement_ids == ("a", "b", "c", "d")
        assert store.response_by_code(conn, "NOPE") is None

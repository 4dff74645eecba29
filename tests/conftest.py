"""Shared fixtures: a fresh database per test, a CLI runner bound to it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import inspect, select, text

from poetq.store import make_engine, make_session_factory, upgrade
from poetq.store.models import Base

ROOT = Path(__file__).resolve().parent.parent
STATEMENTS = ROOT / "statements"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """URL of a fresh, empty database (not yet migrated)."""
    return f"sqlite:///{tmp_path / 'poetq.sqlite3'}"


@pytest.fixture
def engine(database_url: str):
    eng = make_engine(database_url, create_dir=True)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine):
    factory = make_session_factory(engine)
    s = factory()
    yield s
    s.rollback()
    s.close()


@pytest.fixture
def runner(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A CLI runner whose commands use the test database and never the user's own."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("POETQ_HOME", str(tmp_path / "home"))
    return CliRunner()


def snapshot(engine) -> dict[str, list[tuple]]:
    """Every row of every poetq table, to prove that a failed command changed nothing."""
    out: dict[str, list[tuple]] = {}
    names = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in names:
                out[table.name] = [tuple(map(repr, r)) for r in conn.execute(select(table))]
        if "alembic_version" in names:
            out["alembic_version"] = list(conn.execute(text("SELECT * FROM alembic_version")))
    return out


@pytest.fixture
def db_snapshot():
    return snapshot

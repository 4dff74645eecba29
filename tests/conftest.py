"""Shared fixtures: a fresh database per test, a CLI runner bound to it."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests_helpers import snapshot

from poetq.store import make_engine, make_session_factory, resolve_url, upgrade

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """URL of a fresh, empty SQLite database file (not yet migrated)."""
    return f"sqlite:///{tmp_path / 'poetq.sqlite3'}"


def _postgres_admin_url() -> str | None:
    url = os.environ.get("POETQ_TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail(
            "POETQ_TEST_POSTGRES_URL is not set: run the suite with ./run-tests.sh, "
            "which starts a throwaway PostgreSQL server"
        )
    pytest.skip("no PostgreSQL server for tests (./run-tests.sh starts one)")
    return None


@pytest.fixture
def new_database_url(tmp_path: Path):
    """``new_database_url(backend)``: the URL of another fresh, empty database (not yet
    migrated) on ``"sqlite"`` or ``"postgresql"``; all dropped after the test."""
    import psycopg
    from sqlalchemy.engine import make_url

    dropped: list[tuple[str, str]] = []

    def make(backend: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / f'db-{uuid.uuid4().hex[:8]}.sqlite3'}"
        admin = _postgres_admin_url()
        name = f"poetq_test_{uuid.uuid4().hex[:16]}"
        plain = admin.replace("postgresql+psycopg://", "postgresql://", 1)
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        dropped.append((plain, name))
        return make_url(resolve_url(admin)).set(database=name).render_as_string(hide_password=False)

    yield make
    for plain, name in dropped:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, sqlite_url: str, new_database_url) -> str:
    """URL of a fresh, empty database (not yet migrated), on SQLite and on PostgreSQL."""
    return sqlite_url if request.param == "sqlite" else new_database_url(request.param)


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


@pytest.fixture
def db_snapshot():
    return snapshot

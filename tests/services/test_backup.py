"""Backup and restore: whole database to one file, across backends, all or nothing."""

from __future__ import annotations

import gzip

import pytest
from tests_helpers import snapshot

from poetq.domain import Grid, QSet, Statement
from poetq.errors import StateError, ValidationError
from poetq.services import backup, studies, users
from poetq.store import make_engine, make_session_factory, session_scope, upgrade
from poetq.store.models import Respondent, Response, utcnow


def small_qset() -> QSet:
    return QSet(
        slug="tiny",
        title="Tiny “study” ✓",
        statements=tuple(Statement(f"s{i}", f"Statement {i}") for i in range(1, 5)),
        grid=Grid((-1, 0, 1), (1, 2, 1)),
    )


def fill(engine) -> None:
    with session_scope(make_session_factory(engine)) as session:
        ada = users.create_user(session, "ada@example.org", "a long password")
        study = studies.create_study(session, small_qset(), owner=ada)
        studies.create_invitations(session, "tiny", 3)
        who = Respondent(study_id=study.id, resume_code="r1", identifier="P1")
        session.add(who)
        session.flush()
        session.add(
            Response(
                study_id=study.id,
                respondent_id=who.id,
                stage="done",
                sort={"s1": -1, "s2": 0, "s3": 0, "s4": 1},
                comments={"s1": "über <b>"},
                finished_at=utcnow(),
            )
        )


def test_backup_and_restore_round_trip_across_backends(engine, sqlite_url, tmp_path):
    fill(engine)
    file = tmp_path / "db.poetq.gz"
    report = backup.backup(engine, file)
    assert report.rows["studies"] == 1 and report.rows["invitations"] == 3
    # restore into a fresh SQLite database (the source may be PostgreSQL)
    target = make_engine(sqlite_url.replace("poetq.sqlite3", "restored.sqlite3"), create_dir=True)
    upgrade(target)
    restored = backup.restore(target, file)
    assert restored.rows == report.rows
    assert snapshot(target) == snapshot(engine)
    # the restored database keeps working: new rows get fresh ids
    with session_scope(make_session_factory(target)) as session:
        studies.create_study(session, small_qset(), slug="tiny-2")
    target.dispose()


def test_restore_into_postgres_resets_sequences(engine, tmp_path):
    fill(engine)
    file = tmp_path / "db.poetq.gz"
    backup.backup(engine, file)
    with session_scope(make_session_factory(engine)) as session:
        for s in studies.list_studies(session):
            session.delete(studies.get_study(session, s.slug))
        session.delete(users.get_user(session, "ada@example.org"))
    backup.restore(engine, file)
    with session_scope(make_session_factory(engine)) as session:
        assert studies.create_study(session, small_qset(), slug="again").id >= 2


def test_restore_refuses_a_non_empty_database_and_changes_nothing(engine, tmp_path):
    fill(engine)
    file = tmp_path / "db.poetq.gz"
    backup.backup(engine, file)
    before = snapshot(engine)
    with pytest.raises(StateError, match="not empty"):
        backup.restore(engine, file)
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    "content,message",
    [
        (b"not gzip at all", "not a poetq backup"),
        (gzip.compress(b"{}"), "not a poetq backup"),
        (gzip.compress(b'{"format": "poetq-backup", "format_version": 99}'), "cannot read"),
    ],
)
def test_restore_refuses_files_that_are_not_backups(engine, tmp_path, content, message):
    file = tmp_path / "bad.gz"
    file.write_bytes(content)
    before = snapshot(engine)
    with pytest.raises(ValidationError, match=message):
        backup.restore(engine, file)
    assert snapshot(engine) == before


def test_backup_cli_round_trip(runner, database_url, tmp_path):
    from poetq.cli import cli

    assert runner.invoke(cli, ["init"]).exit_code == 0
    source = make_engine(database_url)
    fill(source)
    source.dispose()
    file = tmp_path / "x.poetq.gz"
    result = runner.invoke(cli, ["backup", str(file)])
    assert result.exit_code == 0, result.output
    assert "Saved" in result.output
    fresh = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    assert runner.invoke(cli, ["init", "--database-url", fresh]).exit_code == 0
    result = runner.invoke(cli, ["restore", str(file), "--database-url", fresh])
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    again = runner.invoke(cli, ["restore", str(file), "--database-url", fresh])
    assert again.exit_code == 1 and again.output.count("Error") == 1

"""Files poetq makes hold e-mails, password hashes and responses: owner only (0600)."""

from __future__ import annotations

import os
import stat

import pytest
from tests_helpers import STATEMENTS

from poetq.cli import cli
from poetq.services import backup
from poetq.store import make_engine, upgrade


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o022)  # what most systems use: files 0644, readable by everyone
    yield
    os.umask(old)


def test_database_backup_and_exports_are_owner_only(runner, tmp_path, open_umask):
    db = tmp_path / "home" / "private.sqlite3"
    url = f"sqlite:///{db}"
    assert runner.invoke(cli, ["init", "--database-url", url]).exit_code == 0
    assert _mode(db) == 0o600 and _mode(db.parent) == 0o700
    made = runner.invoke(cli, ["study", "create", str(STATEMENTS / "joint-commissioning.toml"),
                               "--database-url", url])
    assert made.exit_code == 0, made.output
    simulated = runner.invoke(cli, ["simulate", "joint-commissioning", "--respondents", "8",
                                    "--study", "joint-commissioning", "--database-url", url])
    assert simulated.exit_code == 0, simulated.output
    for wal in db.parent.glob("*-wal"):
        assert _mode(wal) == 0o600
    out = tmp_path / "out"
    out.mkdir()
    commands = [
        ["backup", str(out / "all.poetq.gz")],
        ["export", "joint-commissioning", "--format", "csv", "--out", str(out / "jc.csv")],
        ["export", "joint-commissioning", "--format", "xlsx", "--out", str(out / "jc.xlsx")],
    ]
    for args in commands:
        result = runner.invoke(cli, [*args, "--database-url", url])
        assert result.exit_code == 0, result.output
    made = sorted(out.iterdir())
    assert made and {p.name: _mode(p) for p in made} == {p.name: 0o600 for p in made}
    assert os.umask(0o022) == 0o022  # the command put the caller's umask back


def test_a_backup_is_owner_only_whatever_the_umask(engine, tmp_path, open_umask):
    file = tmp_path / "b.poetq.gz"
    backup.backup(engine, file)
    assert _mode(file) == 0o600


def test_a_new_sqlite_database_is_owner_only(tmp_path, open_umask):
    db = tmp_path / "sub" / "x.sqlite3"
    engine = make_engine(f"sqlite:///{db}", create_dir=True)
    upgrade(engine)
    engine.dispose()
    assert _mode(db) == 0o600

"""A write that meets a locked SQLite database is retried, not lost."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError, OperationalError

from poetq.services.steps import retried
from poetq.store.db import is_transient, is_unavailable


def test_locked_write_is_retried_until_the_lock_goes(tmp_path):
    path = tmp_path / "locked.sqlite3"
    # a busy timeout far shorter than the lock, so SQLite itself gives up and poetq retries
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.05})
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    holder = engine.connect()
    holder.exec_driver_sql("BEGIN IMMEDIATE")  # another writer holds the lock
    released = threading.Timer(0.4, lambda: (holder.exec_driver_sql("COMMIT"), holder.close()))
    errors = []
    writer = engine.connect()

    def write():  # one transaction on the writer's connection, as a respondent's step is
        try:
            writer.execute(text("INSERT INTO t VALUES (1)"))
            writer.commit()
        except OperationalError as exc:
            errors.append(exc)
            raise

    released.start()
    retried(writer, write, attempts=12, base_delay=0.05, max_delay=0.2)
    released.join()
    writer.close()
    assert errors and all(is_transient(e) and is_unavailable(e) for e in errors)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1  # once, not lost
    engine.dispose()


def test_errors_of_the_request_are_not_retried(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER UNIQUE)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    calls = []
    writer = engine.connect()

    def write():
        calls.append(1)
        writer.execute(text("INSERT INTO t VALUES (1)"))
        writer.commit()

    with pytest.raises(IntegrityError) as info:
        retried(writer, write)
    assert len(calls) == 1 and not is_unavailable(info.value)
    writer.close()
    engine.dispose()

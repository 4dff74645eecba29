"""Faults: a worker killed mid-run, a database that is read-only or full.

Nothing a respondent did is lost: completed sorts are stored exactly once, in-progress
respondents carry on, and a step the database cannot take is kept in the respondent's
session (with a polite 503) until it can be saved.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import event, select
from tests_helpers import ROOT, snapshot
from web_helpers import Sorter

from poetq.store.models import Response


def test_worker_killed_mid_run_loses_and_duplicates_nothing(database_url):
    """bench/load.py drives 16 respondents through every stage; a worker is SIGKILLed
    after 2 s and the server (granian) starts another. Every respondent still finishes (those whose
    request died resume from their resume link) and the database holds each sort once."""
    exe = Path(sys.executable)
    proc = subprocess.run(
        [str(exe), str(ROOT / "bench" / "load.py"), "--database-url", database_url,
         "--respondents", "16", "--sorts", "16", "--seconds", "5", "--think", "0.01",
         "--workers", "2", "--threads", "4", "--kill-worker-after", "2"],
        capture_output=True, text=True, timeout=600,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "killed worker" in out, out
    assert re.search(r"server workers running at the end: 2 of 2", out), out
    done = re.search(r"database: (\d+) finished sorts stored; completed (\d+); lost 0; "
                     r"wrong or duplicated 0", out)
    assert done, out
    assert int(done.group(1)) == int(done.group(2)) >= 16, out
    assert "gave up" not in out, out


def _refuse_writes(app, how: str):
    """Make the app's database refuse writes, until the returned function is called.

    ``read-only``: the real server refuses (SQLite ``PRAGMA query_only``, SQLITE_READONLY;
    PostgreSQL ``SET TRANSACTION READ ONLY``, SQLSTATE 25006). ``full``: every write meets
    the driver's own disk-full error (SQLITE_FULL; PostgreSQL's DiskFull, SQLSTATE 53100),
    as no test machine can fill its disk safely.
    """
    engine = app.extensions["poetq"]["engine"]
    dialect = engine.dialect.name

    def on_begin(conn):
        if dialect == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        else:
            conn.exec_driver_sql("PRAGMA query_only = ON")

    def on_execute(conn, cursor, statement, *args):
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            if dialect == "postgresql":
                import psycopg

                raise psycopg.errors.DiskFull("could not extend file: No space left on device")
            import sqlite3

            raise sqlite3.OperationalError("database or disk is full")

    def session_read_only(conn, cursor, statement, *args):
        # The respondents' kept PostgreSQL connections run in autocommit, where no "begin"
        # fires: make every later transaction of the session read-only instead.
        if dialect == "postgresql":
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")

    if how == "read-only":
        hooks = [("begin", on_begin), ("before_cursor_execute", session_read_only)]
    else:
        hooks = [("before_cursor_execute", on_execute)]
    for hook in hooks:
        event.listen(engine, *hook)

    def undo():
        for hook in hooks:
            event.remove(engine, *hook)
        if dialect == "sqlite" and how == "read-only":
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA query_only = OFF")
        engine.dispose()  # pooled connections forget the pragma

    return undo


@pytest.mark.parametrize("how", ["read-only", "full"])
def test_unwritable_database_keeps_the_step_until_it_can_be_saved(app, client, jc_study, engine,
                                                                    session, how):
    who = Sorter(client).start("/s/joint-commissioning")
    who.post(pile="agree")
    statement = who.fields()["statement"]
    version = int(who.fields()["version"])
    before = snapshot(engine)
    undo = _refuse_writes(app, how)
    try:
        r = who.post(pile="disagree", expect=503, follow=False)
        assert r.status_code == 503 and r.headers["Retry-After"]
        assert "nothing you have done so far is lost" in r.text
        assert "Traceback" not in r.text and "sqlite" not in r.text.lower()
        assert snapshot(engine) == before  # nothing half-written
        who.page = r.text
        # trying again while the database is still unwritable: the same polite page
        r = client.post(f"/r/{who.code}", data={**who.fields(), "save_pending": "1"})
        assert r.status_code == 503
    finally:
        undo()
    # the database is back: the kept step is saved first, then the page goes on
    who.page = r.text
    r = client.post(f"/r/{who.code}", data={**who.fields(), "save_pending": "1"})
    assert r.status_code == 302, r.text[:2000]
    response = session.scalar(select(Response).where(Response.id.is_not(None)))
    session.refresh(response)
    assert response.state["presort"][-1] == [statement, "disagree"]
    assert response.version == version + 1

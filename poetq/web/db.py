"""The request's database handles: made on first use, given back at teardown (as flaskr does).

``db()`` is an ORM session for the researchers' pages; ``conn()`` a Core connection for the
respondents' hot path, taken from the connections kept between requests
(:class:`~poetq.store.db.HeldConnections`). A request uses one or the other. The engine is
made once per app, here (:func:`init_app`); this is the one module of the web layer that
imports :mod:`poetq.store` (``is_unavailable`` tells a database that cannot take writes
from other errors).
"""

from __future__ import annotations

import weakref

from flask import Flask, current_app, g
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from poetq.store import make_engine, make_session_factory
from poetq.store.db import HeldConnections, default_sqlite_path, is_unavailable
from poetq.store.db import check_schema as _check_schema

__all__ = ["check_schema", "conn", "db", "init_app", "is_unavailable", "secret_key_path"]


def init_app(app: Flask) -> None:
    """Make the app's engine, session factory and kept connections; close handles at teardown."""
    engine = make_engine(app.config["DATABASE_URL"] or None)
    held = HeldConnections(engine)
    weakref.finalize(app, held.close)
    app.extensions["poetq"] = {"engine": engine, "sessions": make_session_factory(engine),
                               "held": held}
    app.teardown_appcontext(_close)


def check_schema(app: Flask) -> None:
    """Raise a one-line error unless the app's database is set up and up to date."""
    _check_schema(app.extensions["poetq"]["engine"])


def secret_key_path():
    """Where a machine's own secret key is kept: beside the default database."""
    return default_sqlite_path().with_name("secret_key")


def db() -> Session:
    """The request's database session (opened on first use, closed at teardown)."""
    if "db" not in g:
        g.db = current_app.extensions["poetq"]["sessions"]()
    return g.db


def conn() -> Connection:
    """The request's Core connection, for the respondents' hot path (no ORM session).

    Its transaction is committed by the caller and rolled back (if still open) at teardown.
    """
    if "conn" not in g:
        g.conn = current_app.extensions["poetq"]["held"].get()
    return g.conn


def _close(exc: BaseException | None) -> None:
    connection = g.pop("conn", None)
    if connection is not None:
        current_app.extensions["poetq"]["held"].put(connection)  # rolls back what was not committed
    session = g.pop("db", None)
    if session is not None:
        if exc is not None:
            session.rollback()
        session.close()

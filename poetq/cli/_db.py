"""How CLI commands reach the database: one session per command."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import click
from sqlalchemy.orm import Session

from poetq.store import check_schema, make_engine, make_session_factory, session_scope

database_option = click.option(
    "--database-url",
    envvar="DATABASE_URL",
    default=None,
    metavar="URL",
    help="Database to use (default: $DATABASE_URL, else the embedded SQLite file).",
)


@contextlib.contextmanager
def open_session(url: str | None) -> Iterator[Session]:
    """A session on an initialised database; commits on success, rolls back on error."""
    engine = make_engine(url)
    try:
        check_schema(engine)
        with session_scope(make_session_factory(engine)) as session:
            yield session
    finally:
        engine.dispose()

"""How CLI commands reach the database: one session per command."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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
    # Imported here: commands that read a file (analyse, plot, convert) never load SQLAlchemy.
    from poetq.services.database import database_session

    with database_session(url) as session:
        yield session

"""Reaching the database: the one place outside the web app where an engine is made
(:func:`database_engine`, :func:`database_session`); creating or upgrading the schema and
loading the shipped Q-sets (:func:`init_database`)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from poetq.qsets import list_shipped_qsets, load_qset
from poetq.services.studies import create_study
from poetq.store import check_schema, make_engine, make_session_factory, session_scope, upgrade
from poetq.store.db import describe_url
from poetq.store.models import Study


@contextlib.contextmanager
def database_engine(url: str | None, *, create_dir: bool = False,
                    check: bool = True) -> Iterator[Engine]:
    """An engine on ``url`` (default: ``$DATABASE_URL``, else the embedded SQLite file),
    disposed of afterwards; with ``check``, the schema must be poetq's current one."""
    engine = make_engine(url, create_dir=create_dir)
    try:
        if check:
            check_schema(engine)
        yield engine
    finally:
        engine.dispose()


@contextlib.contextmanager
def database_session(url: str | None) -> Iterator[Session]:
    """One session on an initialised database (one per CLI command): commits on success,
    rolls back on error."""
    with database_engine(url) as engine, session_scope(make_session_factory(engine)) as session:
        yield session


@dataclass
class InitReport:
    url: str
    before: str | None
    after: str
    created: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def describe(self) -> str:
        where = describe_url(self.url)
        if self.before is None:
            lines = [f"Created the poetq database at {where} (schema {self.after})."]
        elif self.before != self.after:
            lines = [f"Upgraded the database at {where} from schema {self.before} to {self.after}."]
        else:
            lines = [f"The database at {where} is up to date (schema {self.after})."]
        if self.created:
            lines.append(f"Created draft studies: {', '.join(self.created)}.")
        if self.skipped:
            lines.append(f"Already there: {', '.join(self.skipped)}.")
        return "\n".join(lines)


def init_database(url: str | None = None, *, examples: bool = False) -> InitReport:
    """Create or upgrade the schema; with ``examples``, add a draft study per shipped Q-set."""
    with database_engine(url, create_dir=True, check=False) as engine:
        before, after = upgrade(engine)
        report = InitReport(str(engine.url), before, after)
        if examples:
            with session_scope(make_session_factory(engine)) as session:
                existing = set(session.scalars(select(Study.slug)).all())
                for path in list_shipped_qsets():
                    qset = load_qset(path)
                    if qset.slug in existing:
                        report.skipped.append(qset.slug)
                        continue
                    create_study(session, qset, source_name=path.name)
                    report.created.append(qset.slug)
        return report


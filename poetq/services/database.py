"""Setting up the database: create or upgrade the schema, load the shipped Q-sets."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from poetq.store import make_engine, make_session_factory, session_scope, upgrade
from poetq.store.db import describe_url
from poetq.store.models import Study


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
    engine = make_engine(url, create_dir=True)
    try:
        before, after = upgrade(engine)
        report = InitReport(str(engine.url), before, after)
        if examples:
            from poetq.qsets import list_shipped_qsets, load_qset
            from poetq.services.studies import create_study

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
    finally:
        engine.dispose()

"""Storage: SQLAlchemy 2.0 models, engine/session factories and migrations (no Flask here)."""

from poetq.store.db import (
    check_schema,
    make_engine,
    make_session_factory,
    resolve_url,
    session_scope,
    upgrade,
)
from poetq.store.models import (
    Base,
    Invitation,
    Researcher,
    Respondent,
    Response,
    Study,
    StudyResearcher,
)

__all__ = [
    "Base",
    "Invitation",
    "Researcher",
    "Respondent",
    "Response",
    "Study",
    "StudyResearcher",
    "check_schema",
    "make_engine",
    "make_session_factory",
    "resolve_url",
    "session_scope",
    "upgrade",
]

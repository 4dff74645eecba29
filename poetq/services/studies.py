"""Study use cases: create from a Q-set, list, show, open/close, invitations.

Functions take the session first and leave the commit to the caller (one session per CLI
command or web request).
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from poetq.domain import QSet, qset_from_dict, qset_to_dict
from poetq.errors import ConflictError, NotFoundError, StateError, ValidationError
from poetq.qsets import load_qset
from poetq.services import sharing
from poetq.services.sharing import member_emails
from poetq.store.models import Invitation, Researcher, Response, Study, StudyResearcher, utcnow
from poetq.store.responses import cached_qset

_SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9\-]{0,63}$")
#: Unambiguous characters for codes people type (no 0/O, 1/I/L).
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class StudySummary:
    slug: str
    title: str
    state: str
    n_statements: int
    started: int
    finished: int
    #: E-mail addresses of the researchers who may see it in the browser.
    researchers: tuple[str, ...] = ()


def check_slug(slug: str) -> str:
    if not _SLUG_RE.fullmatch(slug or ""):
        raise ValidationError(
            f"slug {slug!r} is not valid: use lower-case letters, digits and '-' (max 64)"
        )
    return slug


def create_study(
    session: Session,
    qset: QSet,
    *,
    slug: str | None = None,
    source_name: str = "",
    owner: Researcher | None = None,
) -> Study:
    """Store a new draft study holding a snapshot of ``qset``."""
    slug = check_slug(slug or qset.slug)
    if session.scalar(select(Study.id).where(Study.slug == slug)) is not None:
        raise ConflictError(f"a study called {slug!r} already exists: choose another with --slug")
    study = Study(
        slug=slug,
        title=qset.title,
        state="draft",
        qset=qset_to_dict(qset),
        source_name=source_name,
        settings={},
    )
    session.add(study)
    session.flush()
    if owner is not None:
        session.add(StudyResearcher(study_id=study.id, researcher_id=owner.id, role="owner"))
        session.flush()
    return study


def create_study_from_file(
    session: Session, path: str | Path, *, slug: str | None = None, owner: Researcher | None = None,
    owners: Sequence[str] = (),
) -> Study:
    """A draft study from a Q-set file, owned by ``owner`` and the accounts ``owners`` (e-mails).

    Every owner's account must exist; nothing is stored otherwise (the caller rolls back).
    """
    path = Path(path)
    qset = load_qset(path)
    accounts = [sharing.account(session, email) for email in owners]
    study = create_study(session, qset, slug=slug, source_name=path.name, owner=owner)
    for user in accounts:
        sharing.share(session, study, user.email, role="owner")
    return study


def get_study(session: Session, slug: str) -> Study:
    study = session.scalar(select(Study).where(Study.slug == slug))
    if study is None:
        known = session.scalars(select(Study.slug).order_by(Study.slug)).all()
        hint = f" (studies: {', '.join(known)})" if known else " (there are no studies yet)"
        raise NotFoundError(f"no study called {slug!r}{hint}")
    return study


def study_qset(study: Study) -> QSet:
    """The study's Q-set snapshot as a domain object (from the one per-process cache)."""
    if study.id is None:
        return qset_from_dict(study.qset)
    return cached_qset(None, study.id, study.created_at, study.qset)


def _counts(session: Session, study_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = session.execute(
        select(
            Response.study_id,
            func.count(Response.id),
            func.count(Response.finished_at),
        )
        .where(Response.study_id.in_(study_ids))
        .group_by(Response.study_id)
    ).all()
    return {sid: (started, finished) for sid, started, finished in rows}


def list_studies(session: Session, *, researcher: Researcher | None = None) -> list[StudySummary]:
    query = select(Study).order_by(Study.created_at, Study.id)
    if researcher is not None:
        query = query.join(StudyResearcher).where(StudyResearcher.researcher_id == researcher.id)
    studies = session.scalars(query).all()
    counts = _counts(session, [s.id for s in studies])
    emails = member_emails(session, [s.id for s in studies])
    return [
        StudySummary(
            slug=s.slug,
            title=s.title,
            state=s.state,
            n_statements=len(s.qset["statements"]),
            started=counts.get(s.id, (0, 0))[0],
            finished=counts.get(s.id, (0, 0))[1],
            researchers=emails.get(s.id, ()),
        )
        for s in studies
    ]


def summarise_study(session: Session, study: Study) -> StudySummary:
    started, finished = _counts(session, [study.id]).get(study.id, (0, 0))
    return StudySummary(
        study.slug, study.title, study.state, len(study.qset["statements"]), started, finished,
        member_emails(session, [study.id]).get(study.id, ()),
    )


_TRANSITIONS = {"open": ("draft", "closed"), "closed": ("open",)}


#: Longest grace period after closing: a year (a typo of hours must not keep sorts open forever).
MAX_GRACE_HOURS = 24 * 366


def set_state(session: Session, slug: str, state: str, *,
              grace_hours: float | None = None) -> tuple[Study, bool]:
    """Move a study to ``open`` or ``closed``; returns (study, whether it changed).

    Closing stops new sorts only: sorts already started may still be finished, for
    ``grace_hours`` after closing if given (kept as ``settings["grace_until"]``), else for as
    long as the respondent needs. Giving ``grace_hours`` to a closed study sets its grace
    period again (counted from now).
    """
    if state not in _TRANSITIONS:
        raise ValidationError(f"unknown study state {state!r}: use open or closed")
    if grace_hours is not None and not 0 <= grace_hours <= MAX_GRACE_HOURS:
        raise ValidationError(f"the grace period must be between 0 and {MAX_GRACE_HOURS} hours")
    study = get_study(session, slug)
    settings = dict(study.settings or {})
    settings.pop("grace_until", None)
    if state == "closed" and grace_hours is not None:
        until = utcnow() + dt.timedelta(hours=grace_hours)
        settings["grace_until"] = until.isoformat()
    if study.state == state:
        if state == "closed" and grace_hours is not None:
            study.settings = settings
            session.flush()
            return study, True
        return study, False
    if study.state not in _TRANSITIONS[state]:
        raise StateError(f"study {slug!r} is {study.state} and cannot be {state}")
    study.state = state
    study.settings = settings
    if state == "open":
        study.opened_at = utcnow()
        study.closed_at = None
    else:
        study.closed_at = utcnow()
    session.flush()
    return study, True


#: Characters of a code that give at least 64 bits (ASVS 2.2/3.2): 31 ** 13 is 2 ** 64.4.
CODE_LENGTH = 13


def new_code(length: int = CODE_LENGTH) -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


def create_invitations(session: Session, slug: str, count: int, *, label: str = "") -> list[str]:
    """Create ``count`` single-use invitation codes for a study."""
    if not 1 <= count <= 100_000:
        raise ValidationError("the number of invitation codes must be between 1 and 100000")
    study = get_study(session, slug)
    codes: set[str] = set()
    existing = set(session.scalars(select(Invitation.code)).all())
    while len(codes) < count:
        code = new_code()
        if code not in existing:
            codes.add(code)
    ordered = sorted(codes)
    session.add_all(Invitation(study_id=study.id, code=c, label=label) for c in ordered)
    session.flush()
    return ordered


def set_listed(session: Session, study: Study, listed: bool) -> Study:
    """Whether the study is listed on the server's home page while it is open."""
    study.settings = {**(study.settings or {}), "listed": bool(listed)}
    session.flush()
    return study


def listed_studies(session: Session) -> list[tuple[str, str]]:
    """``(slug, title)`` of the open studies that chose to be listed on the home page."""
    rows = session.execute(
        select(Study.slug, Study.title, Study.settings).where(Study.state == "open")
        .order_by(Study.title, Study.slug)
    ).all()
    return [(slug, title) for slug, title, settings in rows if (settings or {}).get("listed")]

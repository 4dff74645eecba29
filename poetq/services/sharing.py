"""Who may see and change a study: its researchers (owners and co-researchers).

A study belongs to every account linked to it in ``study_researchers``. Owners may add and
remove co-researchers in the browser; the command line (run by whoever runs the server) may
do anything. Only existing accounts can be added: an account is made with
``poetq user create``. Functions take the session first and leave the commit to the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from poetq.errors import NotFoundError, StateError, ValidationError
from poetq.services.users import normalise_email
from poetq.store.models import Researcher, Study, StudyResearcher

ROLES = ("owner", "researcher")


@dataclass(frozen=True)
class StudyMember:
    researcher_id: int
    email: str
    name: str
    role: str


def members(session: Session, study: Study) -> list[StudyMember]:
    """The study's researchers, owners first, then by e-mail."""
    rows = session.execute(
        select(Researcher.id, Researcher.email, Researcher.name, StudyResearcher.role)
        .join(StudyResearcher, StudyResearcher.researcher_id == Researcher.id)
        .where(StudyResearcher.study_id == study.id)
    ).all()
    out = [StudyMember(int(i), e, n or "", r) for i, e, n, r in rows]
    return sorted(out, key=lambda m: (m.role != "owner", m.email))


def member_emails(session: Session, study_ids: list[int]) -> dict[int, tuple[str, ...]]:
    """study id -> the e-mail addresses of its researchers (for lists of studies)."""
    if not study_ids:
        return {}
    rows = session.execute(
        select(StudyResearcher.study_id, Researcher.email)
        .join(Researcher, StudyResearcher.researcher_id == Researcher.id)
        .where(StudyResearcher.study_id.in_(study_ids))
        .order_by(Researcher.email)
    ).all()
    out: dict[int, list[str]] = {}
    for sid, email in rows:
        out.setdefault(sid, []).append(email)
    return {sid: tuple(v) for sid, v in out.items()}


def account(session: Session, email: str) -> Researcher:
    address = normalise_email(email)
    user = session.scalar(select(Researcher).where(Researcher.email == address))
    if user is None:
        raise NotFoundError(
            f"no account for {address}: create it first with `poetq user create {address}`"
        )
    return user


def role_of(session: Session, study: Study, researcher_id: int) -> str | None:
    link = session.get(StudyResearcher, (study.id, researcher_id))
    return None if link is None else link.role


def share(
    session: Session, study: Study, email: str, *, role: str = "researcher"
) -> tuple[Researcher, bool]:
    """Give the account ``email`` access to ``study``; returns (account, whether it changed).

    Sharing with someone who already has access keeps their role, except that ``owner``
    promotes a co-researcher.
    """
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r}: use {' or '.join(ROLES)}")
    user = account(session, email)
    link = session.get(StudyResearcher, (study.id, user.id))
    if link is not None:
        if role == "owner" and link.role != "owner":
            link.role = "owner"
            session.flush()
            return user, True
        return user, False
    session.add(StudyResearcher(study_id=study.id, researcher_id=user.id, role=role))
    session.flush()
    return user, True


def unshare(
    session: Session, study: Study, email: str, *, keep_an_owner: bool = False
) -> Researcher:
    """Take the account ``email``'s access to ``study`` away.

    With ``keep_an_owner`` (the browser), the last owner cannot be removed, so a study is
    never left that nobody can manage from its pages.
    """
    user = account(session, email)
    link = session.get(StudyResearcher, (study.id, user.id))
    if link is None:
        raise NotFoundError(f"{user.email} is not a researcher of study {study.slug!r}")
    if keep_an_owner and link.role == "owner":
        owners = [m for m in members(session, study) if m.role == "owner"]
        if len(owners) <= 1:
            raise StateError("a study needs at least one owner: add another owner first")
    session.delete(link)
    session.flush()
    return user

"""Researcher accounts: create, authenticate, give access to studies."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from poetq.errors import ConflictError, NotFoundError, ValidationError
from poetq.store.models import Researcher, StudyResearcher

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL_RE.match(email) or len(email) > 254:
        raise ValidationError(f"{email!r} is not an email address")
    return email


def check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(f"the password must have at least {MIN_PASSWORD} characters")


def create_user(session: Session, email: str, password: str, *, name: str = "") -> Researcher:
    """Create a researcher account; the password is hashed with scrypt."""
    email = normalise_email(email)
    check_password(password)
    if session.scalar(select(Researcher.id).where(Researcher.email == email)) is not None:
        raise ConflictError(f"there is already an account for {email}")
    user = Researcher(
        email=email, name=name.strip(), password_hash=generate_password_hash(password, "scrypt")
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, email: str) -> Researcher:
    user = session.scalar(select(Researcher).where(Researcher.email == normalise_email(email)))
    if user is None:
        raise NotFoundError(f"no account for {email.strip().lower()}")
    return user


def authenticate(session: Session, email: str, password: str) -> Researcher | None:
    """The active researcher with these credentials, or None."""
    try:
        email = normalise_email(email)
    except ValidationError:
        return None
    user = session.scalar(select(Researcher).where(Researcher.email == email))
    if user is None or not user.active or not check_password_hash(user.password_hash, password):
        return None
    return user


def grant(session: Session, study_id: int, user: Researcher, role: str = "owner") -> None:
    """Give a researcher access to a study (idempotent)."""
    link = session.get(StudyResearcher, (study_id, user.id))
    if link is None:
        session.add(StudyResearcher(study_id=study_id, researcher_id=user.id, role=role))
        session.flush()

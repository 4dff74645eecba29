"""Researcher accounts: create, authenticate, change passwords, disable, give access to studies.

Each account has a *session generation*: a signed-in browser carries the generation it
signed in with, and signing out, a password change or reset, or disabling the account
increases it, so every session made before (a copied cookie included) stops working.
"""

from __future__ import annotations

import functools
import re
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from poetq.bidi import has_controls
from poetq.errors import ConflictError, NotFoundError, ValidationError
from poetq.services.passwords import check_password as _check_rule
from poetq.store.models import Researcher, StudyResearcher

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL_RE.match(email) or len(email) > 254 or has_controls(email):
        raise ValidationError(f"{email!r} is not an email address")
    return email


def check_password(password: str, *, email: str = "") -> None:
    """Refuse a password that is short, common or made from the e-mail address."""
    _check_rule(password, email=email)


def _hash(password: str) -> str:
    return generate_password_hash(password, "scrypt")


@functools.cache
def _dummy_hash() -> str:
    # A real scrypt hash with the same cost: checked against when there is no such account,
    # so an unknown address takes as long to refuse as a wrong password.
    return _hash(secrets.token_urlsafe(16))


def create_user(session: Session, email: str, password: str, *, name: str = "") -> Researcher:
    """Create a researcher account; the password is hashed with scrypt."""
    email = normalise_email(email)
    check_password(password, email=email)
    if session.scalar(select(Researcher.id).where(Researcher.email == email)) is not None:
        raise ConflictError(f"there is already an account for {email}")
    user = Researcher(
        email=email, name=name.strip(), password_hash=_hash(password)
    )
    session.add(user)
    session.flush()
    return user


def find_user(session: Session, user_id: int) -> Researcher | None:
    """The account with id ``user_id``, or None."""
    return session.get(Researcher, user_id)


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
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def set_password(session: Session, email: str, password: str) -> Researcher:
    """Give an account a new password (``poetq user password``); ends its sessions."""
    user = get_user(session, email)
    check_password(password, email=user.email)
    user.password_hash = _hash(password)
    end_sessions(user)
    session.flush()
    return user


def change_password(session: Session, user_id: int, current: str, new: str) -> Researcher:
    """A signed-in researcher's own change: the current password first, then the rule.

    Ends every session of the account, this one included (the caller signs it in again).
    """
    user = session.get(Researcher, user_id)
    if user is None or not user.active:
        raise NotFoundError("no such account")
    if not check_password_hash(user.password_hash, current or ""):
        raise ValidationError("the current password is not right")
    if new == current:
        raise ValidationError("the new password is the same as the current one")
    check_password(new, email=user.email)
    user.password_hash = _hash(new)
    end_sessions(user)
    session.flush()
    return user


def disable_user(session: Session, email: str) -> tuple[Researcher, bool]:
    """Stop an account signing in and end its sessions; ``(user, changed)``."""
    user = get_user(session, email)
    changed = user.active
    user.active = False
    end_sessions(user)
    session.flush()
    return user, changed


def end_sessions(user: Researcher) -> None:
    """Every session the account has signed in with stops working (sign-out everywhere)."""
    user.session_generation = (user.session_generation or 0) + 1


def grant(session: Session, study_id: int, user: Researcher, role: str = "owner") -> None:
    """Give a researcher access to a study (idempotent)."""
    link = session.get(StudyResearcher, (study_id, user.id))
    if link is None:
        session.add(StudyResearcher(study_id=study_id, researcher_id=user.id, role=role))
        session.flush()

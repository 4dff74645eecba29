"""Respondents getting in: an open study's link, an invitation, a new response, a resume code.

Functions take the request's Core connection first (:mod:`poetq.store.responses`, no ORM)
and leave the commit to the caller. Refusals are :class:`~poetq.errors.UnavailableError` or
:class:`~poetq.errors.RespondError` with a key (``poetq.web.errors`` maps keys to statuses).
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import Connection

from poetq import flow
from poetq.errors import RespondError, UnavailableError
from poetq.services.steps import load_response, plausible, unused_code
from poetq.services.studies import CODE_LENGTH
from poetq.store import responses as store
from poetq.store.models import utcnow
from poetq.store.responses import InvitationRow, ResponseRow, StudyRow

__all__ = ["IDENTIFIER_MODES", "MAX_IDENTIFIER", "InvitationRow", "ResponseRow", "StudyRow",
           "check_invitation", "clean_identifier", "device_class", "identifier_mode",
           "load_response", "open_study", "start_response", "study_row"]

#: How a study may ask for an identifier (``Study.settings["identifier"]``).
IDENTIFIER_MODES = ("none", "optional", "required")
MAX_IDENTIFIER = 200


def device_class(user_agent: str | None) -> str:
    """``phone`` or ``desktop`` from a User-Agent header (for the funnel only)."""
    ua = (user_agent or "").lower()
    if not ua:
        return ""
    return "phone" if any(w in ua for w in ("mobi", "android", "iphone", "ipod")) else "desktop"


def check_open(study: StudyRow) -> None:
    if study.state == "draft":
        # exactly as an unknown address: a draft's existence and title are not public
        raise UnavailableError("study_missing")
    if study.state == "closed":
        raise UnavailableError("study_closed", study=study)


def open_study(connection: Connection, slug: str) -> StudyRow:
    """The study behind an open link; refused unless it is open."""
    study = store.study_by_slug(connection, slug) if plausible(slug) else None
    if study is None:
        raise UnavailableError("study_missing")
    check_open(study)
    return study


def check_invitation(connection: Connection, code: str) -> InvitationRow:
    """An unused invitation of an open study."""
    if not plausible(code) or "-" in code:
        raise UnavailableError("invitation_missing")
    invitation = store.invitation_by_code(connection, code.upper())
    if invitation is None:
        raise UnavailableError("invitation_missing")
    check_open(invitation.study)
    if invitation.used_at is not None:
        raise UnavailableError("invitation_used", study=invitation.study)
    return invitation


def study_row(connection: Connection, study_id: int) -> StudyRow:
    """A study as the respondents' pages see it (for the researchers' preview)."""
    return store.study_by_id(connection, study_id)


def identifier_mode(study: StudyRow) -> str:
    mode = (study.settings or {}).get("identifier", "none")
    return mode if mode in IDENTIFIER_MODES else "none"


def clean_identifier(study: StudyRow, raw: str | None, *, given: str | None = None) -> str | None:
    """The respondent's identifier: researcher-given (``given``) or typed (``raw``).

    None when the study asks for no identifier, whatever the form or link carries (anyone can
    add ``?id=`` to a link, and a name the study never asked for must not be stored).
    """
    if identifier_mode(study) == "none":
        return None
    value = (given or raw or "").strip()
    if len(value) > MAX_IDENTIFIER:
        raise RespondError("identifier_too_long", limit=MAX_IDENTIFIER)
    if not value and not given and identifier_mode(study) == "required":
        raise RespondError("identifier_required")
    return value or None


def start_response(
    connection: Connection,
    study: StudyRow,
    *,
    invitation_code: str | None = None,
    identifier: str | None = None,
    given_identifier: str | None = None,
    device: str = "",
    now: dt.datetime | None = None,
    seed: int | None = None,
) -> ResponseRow:
    """A new respondent who consented: their response starts at the pre-sort.

    With ``invitation_code`` the code is used up (atomically: of two requests with the same
    code, one wins). ``seed`` fixes the pre-sort order (random by default).
    """
    now = now or utcnow()
    check_open(study)
    ident = clean_identifier(study, identifier, given=given_identifier)
    invitation_id = None
    if invitation_code is not None:
        invitation = check_invitation(connection, invitation_code)
        if invitation.study_id != study.id:
            raise UnavailableError("invitation_missing")
        if not store.use_invitation(connection, invitation.id, now):
            raise UnavailableError("invitation_used", study=study)
        invitation_id = invitation.id
    seed = secrets.randbits(32) if seed is None else seed
    state = flow.new_state(study.qset.statement_ids, seed=seed)
    state["token"] = secrets.token_urlsafe(16)
    state["entered"] = now.isoformat()
    resume_code = unused_code(connection, "resume", CODE_LENGTH)
    respondent_id = store.insert_respondent(
        connection, study_id=study.id, resume_code=resume_code, identifier=ident,
        invitation_id=invitation_id, device=device[:16], created_at=now)
    response_id = store.insert_response(
        connection, study_id=study.id, respondent_id=respondent_id, stage=state["stage"],
        state=state, trace=[{"t": 0.0, "stage": "welcome", "action": "consent"}],
        started_at=now, updated_at=now)
    return ResponseRow(
        id=response_id, study_id=study.id, respondent_id=respondent_id, stage=state["stage"],
        version=1, state=state, timings={}, receipt=None, started_at=now, finished_at=None,
        step_tat=None, resume_code=resume_code, study=study)

"""Respondents' use cases: start a response, resume it, apply a step, submit, funnel counts.

Functions take the session first and leave the commit to the caller (one session per web
request). The staged sort itself is pure logic in :mod:`poetq.flow`; this module stores its
state in ``Response.state`` and keeps the researcher's record: piles, sort, comments,
answers, seconds per stage (``timings``) and a ``trace`` of every choice and swap.

Every saved step increases ``Response.version`` with a conditional ``UPDATE … WHERE
version = :expected``, so a stale or repeated post (another tab, a double click, a retried
request) is refused and changes nothing. The final submission is idempotent: a repeat with
the response's submission token returns the same receipt and stores nothing new.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Text, bindparam, func, select, update
from sqlalchemy.orm import Session, contains_eager

from poetq import flow
from poetq.domain import QSet, validate_sort
from poetq.errors import StateError, ValidationError
from poetq.services.studies import (
    CODE_LENGTH,
    StudyRow,
    as_connection,
    cached_qset,
    new_code,
    study_qset,
)
from poetq.store.models import Invitation, Respondent, Response, Study, utcnow
from poetq.store.ratelimit import next_tat
from poetq.store.sql import DriverQuery, json_array_append

#: Respondent-facing messages of this module (the web interface may translate them by key).
MESSAGES: Mapping[str, str] = {
    "study_missing": "There is no study at this address. Please check the link you were given.",
    "study_draft": "This study has not started yet. Please come back when the researchers "
    "have opened it.",
    "study_closed": "This study has closed and no longer takes part in new sorts. Thank you "
    "for your interest.",
    "study_closed_sorts": "This study has closed, and the time to finish sorts already started "
    "has passed. Thank you for your interest.",
    "invitation_missing": "This invitation code is not known. Please check the link you were "
    "given.",
    "invitation_used": "This invitation code has already been used. Each code can be used once; "
    "if you started the study, use the link with your resume code to continue.",
    "resume_missing": "No sort was found for this resume code. Please check the link.",
    "identifier_required": "Please enter the identifier you were given.",
    "identifier_too_long": "Please keep the identifier under {limit} characters.",
    "stale": "This page is out of date: it was changed in another window or sent twice. "
    "Here is where you are now.",
    "already_submitted": "This sort has already been submitted.",
    "unknown_action": "That action is not possible on this page.",
}
#: How a study may ask for an identifier (``Study.settings["identifier"]``).
IDENTIFIER_MODES = ("none", "optional", "required")
MAX_IDENTIFIER = 200
#: The funnel's stages, in order (``consented`` is every response).
FUNNEL_STAGES = ("consented",) + flow.FLOW_STAGES[1:]


class RespondError(ValidationError):
    """A refused respondent request; ``key``/``params`` name a message in :data:`MESSAGES`."""

    def __init__(self, key: str, **params: Any):
        self.key = key
        self.params = params
        super().__init__(MESSAGES[key].format(**params))


class UnavailableError(StateError):
    """The study, invitation or response cannot be used (draft, closed, used, unknown)."""

    def __init__(self, key: str, *, study: Study | None = None, status: int = 409, **params: Any):
        self.key = key
        self.params = params
        self.study = study
        self.status = status
        self.problems = [MESSAGES[key].format(**params)]
        super().__init__(self.problems[0])


class RateLimited(StateError):
    """A respondent posted faster than the rate limit allows; ``retry_after`` in seconds."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__("too many steps in a short time: wait a few seconds and try again")


def device_class(user_agent: str | None) -> str:
    """``phone`` or ``desktop`` from a User-Agent header (for the funnel only)."""
    ua = (user_agent or "").lower()
    if not ua:
        return ""
    return "phone" if any(w in ua for w in ("mobi", "android", "iphone", "ipod")) else "desktop"


# --------------------------------------------------------------------------------------------
# Getting in


def _check_open(study: Study) -> None:
    if study.state == "draft":
        # exactly as an unknown address: a draft's existence and title are not public
        raise UnavailableError("study_missing", status=404)
    if study.state == "closed":
        raise UnavailableError("study_closed", study=study, status=410)


def check_may_continue(study: Study | StudyRow, now: dt.datetime | None = None) -> None:
    """A sort already started may go on while the study is open, and after it closed until
    the end of its grace period (if the researcher set one): closing stops new sorts only."""
    if study.state == "draft":
        raise UnavailableError("study_missing", status=404)
    if study.state == "closed":
        until = (study.settings or {}).get("grace_until")
        if until and (now or utcnow()) > _aware(dt.datetime.fromisoformat(until)):
            raise UnavailableError("study_closed_sorts", study=study, status=410)


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def open_study(session: Session, slug: str) -> Study:
    """The study behind an open link; refused unless it is open."""
    plausible = bool(slug) and len(slug) <= 64 and slug.isascii() and slug.replace("-", "").isalnum()
    study = session.scalar(select(Study).where(Study.slug == slug)) if plausible else None
    if study is None:
        raise UnavailableError("study_missing", status=404)
    _check_open(study)
    return study


def _plausible_code(code: str | None) -> bool:
    """Codes are short runs of letters and digits: anything else (NUL bytes, quotes, very long
    strings) cannot match and is not sent to the database, which may reject it."""
    return bool(code) and len(code) <= 64 and code.isascii() and code.isalnum()


def check_invitation(session: Session, code: str) -> Invitation:
    """An unused invitation of an open study."""
    if not _plausible_code(code):
        raise UnavailableError("invitation_missing", status=404)
    invitation = session.scalar(select(Invitation).where(Invitation.code == (code or "").upper()))
    if invitation is None:
        raise UnavailableError("invitation_missing", status=404)
    _check_open(invitation.study)
    if invitation.used_at is not None:
        raise UnavailableError("invitation_used", study=invitation.study, status=410)
    return invitation


def identifier_mode(study: Study) -> str:
    mode = (study.settings or {}).get("identifier", "none")
    return mode if mode in IDENTIFIER_MODES else "none"


def clean_identifier(study: Study, raw: str | None, *, given: str | None = None) -> str | None:
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
    session: Session,
    study: Study,
    *,
    invitation_code: str | None = None,
    identifier: str | None = None,
    given_identifier: str | None = None,
    device: str = "",
    now: dt.datetime | None = None,
    seed: int | None = None,
) -> Response:
    """A new respondent who consented: their response starts at the pre-sort.

    With ``invitation_code`` the code is used up (atomically: of two requests with the same
    code, one wins). ``seed`` fixes the pre-sort order (random by default).
    """
    now = now or utcnow()
    _check_open(study)
    ident = clean_identifier(study, identifier, given=given_identifier)
    invitation_id = None
    if invitation_code is not None:
        invitation = check_invitation(session, invitation_code)
        if invitation.study_id != study.id:
            raise UnavailableError("invitation_missing", status=404)
        used = session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        if used.rowcount != 1:
            raise UnavailableError("invitation_used", study=study, status=410)
        session.expire(invitation)
        invitation_id = invitation.id
    qset = study_qset(study)
    seed = secrets.randbits(32) if seed is None else seed
    state = flow.new_state(qset.statement_ids, seed=seed)
    state["token"] = secrets.token_urlsafe(16)
    state["entered"] = now.isoformat()
    respondent = Respondent(
        study_id=study.id,
        resume_code=_unused(session, Respondent.resume_code, CODE_LENGTH),
        identifier=ident,
        invitation_id=invitation_id,
        device=device[:16],
        created_at=now,
    )
    session.add(respondent)
    session.flush()
    response = Response(
        study_id=study.id,
        respondent_id=respondent.id,
        stage=state["stage"],
        version=1,
        state=state,
        timings={},
        trace=[{"t": 0.0, "stage": "welcome", "action": "consent"}],
        comments={},
        answers={},
        started_at=now,
        updated_at=now,
    )
    session.add(response)
    session.flush()
    return response


def _unused(session: Session | Connection, column, length: int) -> str:
    while True:
        code = new_code(length)
        if session.scalar(select(func.count()).where(column == code)) == 0:
            return code


#: Built once: a statement object memoizes its cache key, so each request skips that work.
_FIND_RESPONSE = (
    select(Response)
    .join(Response.respondent)
    .where(Respondent.resume_code == bindparam("code"))
    .options(contains_eager(Response.respondent).joinedload(Respondent.study))
)


def find_response(session: Session, resume_code: str) -> Response:
    """The response behind a resume code (an ORM object; see :func:`load_response`)."""
    if not _plausible_code(resume_code):
        raise UnavailableError("resume_missing", status=404)
    # one query for the respondent, their response and the study
    # (loaded from the response's side, so that the response holds its respondent and the
    # respondent its study: nothing is garbage-collected and lazily loaded again)
    response = session.scalar(_FIND_RESPONSE, {"code": (resume_code or "").upper()})
    if response is None:
        raise UnavailableError("resume_missing", status=404)
    return response


@dataclass(slots=True)
class RespondentRow:
    id: int
    resume_code: str
    study: StudyRow


@dataclass(slots=True)
class ResponseRow:
    """A response as the respondents' pages use it, read in one Core query (no ORM).

    Has the attributes of :class:`~poetq.store.models.Response` that the steps read, so
    :func:`apply_step`, :func:`submit_response` and :func:`save_draft` take either; after a
    saved step the row holds the new values (an ORM response is expired instead). The
    trace is not read: a step adds its entries to the stored one in the database.
    """

    id: int
    study_id: int
    respondent_id: int
    stage: str
    version: int
    state: dict[str, Any]
    timings: dict[str, Any]
    receipt: str | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    step_tat: float | None
    respondent: RespondentRow


_R, _P, _S = Response.__table__, Respondent.__table__, Study.__table__


@functools.cache
def _load_query() -> DriverQuery:
    return DriverQuery(_load_statement())


@functools.cache
def _load_statement():
    columns = [
        _R.c.id, _R.c.study_id, _R.c.respondent_id, _R.c.stage, _R.c.version, _R.c.state,
        _R.c.timings, _R.c.receipt, _R.c.started_at, _R.c.finished_at, _R.c.step_tat,
        _P.c.resume_code, _S.c.slug, _S.c.title, _S.c.state.label("study_state"),
        _S.c.settings, _S.c.created_at.label("study_created_at"),
    ]
    return (
        select(*columns)
        .select_from(_R.join(_P, _P.c.id == _R.c.respondent_id).join(_S, _S.c.id == _R.c.study_id))
        .where(_P.c.resume_code == bindparam("code"))
    )


def load_response(session: Session | Connection, resume_code: str) -> ResponseRow:
    """The response behind a resume code, with its respondent and study, in one query.

    The hot path of every respondent's page: no ORM objects, and the study's Q-set comes
    from a per-process cache (read from the database once per study).
    """
    if not _plausible_code(resume_code):
        raise UnavailableError("resume_missing", status=404)
    row = _load_query().first(as_connection(session), {"code": resume_code.upper()})
    if row is None:
        raise UnavailableError("resume_missing", status=404)
    # unpacked by position (the order of _load_statement): faster than by name
    (id_, study_id, respondent_id, stage, version, state, timings, receipt, started_at,
     finished_at, step_tat, resume_code, slug, title, study_state, settings,
     study_created_at) = row
    study = StudyRow(
        id=study_id, slug=slug, title=title, state=study_state, settings=settings or {},
        created_at=study_created_at,
        qset=cached_qset(session, study_id, study_created_at),
    )
    return ResponseRow(
        id=id_, study_id=study_id, respondent_id=respondent_id, stage=stage, version=version,
        state=state, timings=timings, receipt=receipt, started_at=started_at,
        finished_at=finished_at, step_tat=step_tat,
        respondent=RespondentRow(respondent_id, resume_code, study),
    )


def response_qset(response: Response) -> QSet:
    return study_qset(response.respondent.study)


# --------------------------------------------------------------------------------------------
# Steps


@dataclass
class _Change:
    state: dict[str, Any]
    trace: list[dict[str, Any]] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)


def _seconds(response: Response, now: dt.datetime) -> float:
    return round((now - response.started_at).total_seconds(), 1)


def _step(state: Mapping[str, Any], action: str, params: Mapping[str, Any], qset: QSet) -> _Change:
    """Run one flow transition and describe it for the trace (pure)."""
    grid = qset.grid
    p = params
    if action == "presort":
        new = flow.presort_answer(state, p.get("statement", ""), p.get("pile", ""), grid)
        trace = [{"action": "presort", "statement": p["statement"], "pile": p["pile"]}]
    elif action == "back":
        new = flow.presort_back(state)
        sid, pile = state["presort"][-1]
        trace = [{"action": "back", "statement": sid, "pile": pile}]
    elif action == "choose":
        new = flow.rank_choose(state, p.get("statement", ""), grid)
        trace = [{"action": "choose", "statement": p["statement"],
                  "column": flow.ranking_step(state, grid)["column"]}]
    elif action == "hold_back":
        new = flow.rank_hold_back(state, p.get("statement", ""), grid)
        trace = [{"action": "hold_back", "statement": p["statement"],
                  "column": flow.ranking_step(state, grid)["column"]}]
    elif action == "undo":
        new = flow.undo(state, grid)
        trace = [{"action": "undo"}]
    elif action == "put_back":
        new = flow.rank_put_back(state, p.get("statement", ""), grid)
        trace = [{"action": "put_back", "statement": p["statement"]}]
    elif action == "swap":
        new = flow.review_swap(state, p.get("first", ""), p.get("second", ""))
        trace = [{"action": "swap", "first": p["first"], "second": p["second"],
                  "columns": [state["sort"][p["second"]], state["sort"][p["first"]]]}]
    elif action == "confirm":
        new = flow.review_confirm(state, p.get("placements", ()), grid, qset.statement_ids)
        trace = [{"action": "confirm"}]
    elif action == "extremes":
        new = flow.extremes_submit(state, p.get("comments", {}), grid,
                                   required=qset.require_comments)
        if new.get("drafts"):  # the comments are saved now: older drafts must not cover them
            new["drafts"] = {**new["drafts"], "comments": {}}
        trace = [{"action": "comments"}]
    elif action == "go_back":
        new = flow.go_back(state)
        if p.get("drafts"):  # what the page's form carried back: shown again, not lost
            new["drafts"] = _merged_drafts(state, p["drafts"])
        trace = [{"action": "go_back"}]
    elif action == "submit":
        new = flow.questions_submit(state, p.get("answers", {}), qset.questions, grid,
                                    qset.statement_ids)
        trace = [{"action": "submit"}]
    else:
        raise RespondError("unknown_action")
    if new.get("placed") and len(new["placed"]) > len(state.get("placed") or ()):
        old = {tuple(x) for x in state.get("placed") or ()}
        auto = [x for x in new["placed"] if x[2] != "chosen" and tuple(x) not in old]
        if auto:
            trace.append({"action": "auto", "placed": [[sid, v] for sid, v, _ in auto]})
    return _Change(new, trace)


def apply_step(
    session: Session | Connection,
    response: Response | ResponseRow,
    action: str,
    *,
    expected_version: int | str | None,
    now: dt.datetime | None = None,
    rate: Sequence[float] | None = None,
    **params: Any,
) -> Response | ResponseRow:
    """Apply one respondent action to a response and save it.

    ``action`` is one of ``presort`` (``statement``, ``pile``), ``back``, ``choose``
    (``statement``), ``hold_back`` (``statement``), ``undo``, ``put_back`` (``statement``), ``swap`` (``first``, ``second``),
    ``confirm`` (``placements``: the grid the review page shows), ``extremes``
    (``comments``), ``go_back`` and ``submit`` (``answers``, ``token``; see
    :func:`submit_response`). ``expected_version`` is the version the page was made from;
    ``rate`` is the respondent's rate limit ``(burst, per_second)``, checked in the same write.

    Raises
    ------
    flow.FlowError, RespondError
        Input that does not fit the current state; nothing is saved.
    UnavailableError
        The study is no longer open, or the page is stale (``key == "stale"``).
    RateLimited
        Over ``rate``; nothing is saved.
    """
    if action == "submit":
        receipt_response = submit_response(
            session, response, params.get("answers", {}), token=params.get("token"),
            expected_version=expected_version, now=now, rate=rate,
        )
        return receipt_response
    now = now or utcnow()
    study = response.respondent.study
    check_may_continue(study, now)
    if response.finished_at is not None:
        raise RespondError("already_submitted")
    _check_version(response, expected_version)
    qset = study_qset(study)
    change = _step(response.state, action, params, qset)
    _save(session, response, change, now=now, rate=rate)
    return response


def _check_version(response: Response, expected: int | str | None) -> int:
    try:
        expected_int = int(expected)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise UnavailableError("stale", status=400) from None
    if expected_int != response.version:
        raise UnavailableError("stale", status=400)
    return expected_int


@functools.cache
def _update_statement(columns: tuple[str, ...]):
    """``UPDATE responses SET <columns> WHERE id = :w_id AND version = :w_version``, built
    once per set of columns (Core: the compiled form is reused on every step)."""
    values = {name: bindparam(name, type_=_R.c[name].type) for name in columns}
    if "trace" in values:  # the new entries only, added to the stored list in the database
        values["trace"] = json_array_append(_R.c.trace, bindparam("trace", type_=Text))
    return (
        update(_R)
        .where(_R.c.id == bindparam("w_id"), _R.c.version == bindparam("w_version"))
        .values(values)
    )


def _write(session: Session | Connection, response: Response | ResponseRow, values: dict[str, Any]) -> bool:
    """Write ``values`` if the response is still at its version; the row afterwards holds them
    (an ORM response is expired, to be reloaded on its next use).

    ``values["trace"]``, if given, is the list of new trace entries: they are added to the
    stored trace.
    """
    statement = _update_statement(tuple(sorted(values)))
    params = {"w_id": response.id, "w_version": response.version, **values}
    if "trace" in values:
        params["trace"] = json.dumps(values["trace"])
    result = as_connection(session).execute(statement, params)
    if isinstance(response, ResponseRow):
        if result.rowcount == 1:
            for name, value in values.items():
                if name != "trace" and hasattr(response, name):
                    setattr(response, name, value)
    elif isinstance(session, Session):
        session.expire(response)
    return result.rowcount == 1


def _save(session: Session | Connection, response: Response | ResponseRow, change: _Change, *,
          now: dt.datetime, rate: Sequence[float] | None = None) -> None:
    """Write the new state if nobody saved in between (else refuse, changing nothing).

    ``rate`` is ``(burst, per_second)`` for the respondent's own token bucket, kept in the
    same row and written by the same ``UPDATE`` (one write per step).
    """
    old_state = response.state
    new_state = change.state
    timings = dict(response.timings or {})
    old_stage, new_stage = old_state["stage"], new_state["stage"]
    if new_stage != old_stage:
        entered = dt.datetime.fromisoformat(old_state.get("entered") or now.isoformat())
        spent = max(0.0, (now - entered).total_seconds())
        timings[old_stage] = round(timings.get(old_stage, 0.0) + spent, 1)
        new_state["entered"] = now.isoformat()
    t = _seconds(response, now)
    trace = [{"t": t, "stage": old_stage, **e} for e in change.trace]  # appended to the stored
    values: dict[str, Any] = {
        "state": new_state,
        "stage": new_stage,
        "timings": timings,
        "trace": trace,
        "version": response.version + 1,
        "updated_at": now,
        "piles": new_state.get("piles"),
        "comments": new_state.get("comments") or {},
        **change.values,
    }
    if rate:
        burst, per_second = rate
        tat = next_tat(response.step_tat, now=now.timestamp(), burst=int(burst),
                       per_second=float(per_second))
        if tat is None:
            raise RateLimited(max(1, round(1 / float(per_second))))
        values["step_tat"] = tat
    if not _write(session, response, values):
        raise UnavailableError("stale", status=400)


def submit_response(
    session: Session | Connection,
    response: Response | ResponseRow,
    answers: Mapping[str, Any],
    *,
    token: str | None,
    expected_version: int | str | None,
    now: dt.datetime | None = None,
    rate: Sequence[float] | None = None,
) -> Response | ResponseRow:
    """Finish a response: answers validated, the sort validated again, a receipt issued.

    Idempotent: once finished, a repeat with the response's submission token returns the
    response unchanged (same receipt), whatever else it carries.
    """
    now = now or utcnow()
    state = response.state
    if not token or not secrets.compare_digest(str(token), str(state.get("token", ""))):
        if response.finished_at is not None:
            raise RespondError("already_submitted")
        raise UnavailableError("stale", status=400)
    if response.finished_at is not None:
        return response
    check_may_continue(response.respondent.study, now)
    _check_version(response, expected_version)
    qset = study_qset(response.respondent.study)
    change = _step(state, "submit", {"answers": answers}, qset)
    change.values.update(
        sort=dict(change.state["sort"]),
        answers=change.state["answers"],
        receipt=_unused(session, Response.receipt, 10),
        finished_at=now,
    )
    _save(session, response, change, now=now, rate=rate)
    return response


def save_draft(
    session: Session | Connection,
    response: Response | ResponseRow,
    *,
    expected_version: int | str | None,
    drafts: Mapping[str, Any],
) -> bool:
    """Keep what a respondent has typed so far (autosave); returns whether it was saved.

    Drafts are not steps: the version does not change, so a submit racing an autosave is
    not refused. A draft for a page the response has moved past is ignored.
    """
    if response.finished_at is not None:
        return False
    try:
        expected = int(expected_version)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    if expected != response.version:
        return False
    state = dict(response.state)
    state["drafts"] = _merged_drafts(state, drafts)
    return _write(session, response, {"state": state})


def _merged_drafts(state: Mapping[str, Any], drafts: Mapping[str, Any]) -> dict[str, Any]:
    """The drafts kept so far, with the texts of one page's form over them (the other page's
    drafts stay)."""
    old = state.get("drafts") or {}
    return {
        "comments": {**(old.get("comments") or {}),
                     **{str(k): str(v)[: flow.MAX_COMMENT]
                        for k, v in dict(drafts.get("comments") or {}).items()}},
        "answers": {**(old.get("answers") or {}),
                    **{str(k): (v if isinstance(v, (str, list)) else str(v))
                       for k, v in dict(drafts.get("answers") or {}).items()}},
    }


# --------------------------------------------------------------------------------------------
# Funnel


@dataclass(frozen=True)
class Funnel:
    """How many responses reached each stage (``consented`` is all of them), by device."""

    reached: dict[str, int]
    devices: dict[str, int]

    @property
    def finished(self) -> int:
        return self.reached["done"]


def funnel(session: Session, study: Study) -> Funnel:
    """Counts of responses of a study that reached at least each stage."""
    rows = session.execute(
        select(Response.stage, func.count(Response.id))
        .where(Response.study_id == study.id)
        .group_by(Response.stage)
    ).all()
    at = dict(rows)
    reached: dict[str, int] = {}
    for i, stage in enumerate(FUNNEL_STAGES):
        later = flow.FLOW_STAGES[max(i, 0):]
        reached[stage] = sum(at.get(s, 0) for s in later)
    devices = dict(
        session.execute(
            select(Respondent.device, func.count(Respondent.id))
            .where(Respondent.study_id == study.id)
            .group_by(Respondent.device)
        ).all()
    )
    return Funnel(reached, {k or "unknown": v for k, v in devices.items()})


# --------------------------------------------------------------------------------------------
# Sorts that did not come through the pages (imported files, simulations)


def store_finished_sorts(
    session: Session,
    study: Study,
    sorts: Sequence[tuple[str, Mapping[str, Any]]],
    *,
    origin: str,
    origins: Sequence[str] | None = None,
    answers: Sequence[Mapping[str, Any]] | None = None,
    comments: Sequence[Mapping[str, str]] | None = None,
    now: dt.datetime | None = None,
) -> list[Response]:
    """Store finished sorts made elsewhere (a file, a simulation) as the pages store them.

    ``sorts`` pairs a name (kept as the respondent's identifier) with ``{statement id:
    value}``. Every sort is checked against the study's grid and statements first and the
    problems of all of them are listed together: either every sort is stored or none.
    ``origin`` (e.g. ``"imported from LIPSET.DAT"``), or ``origins[j]`` for sort ``j``, goes
    into each response's trace. ``answers[j]`` and ``comments[j]`` (statement id -> text)
    are kept with sort ``j``.
    """
    now = now or utcnow()
    qset = study_qset(study)
    checked, problems = [], []
    for name, placements in sorts:
        try:
            checked.append(validate_sort(qset.grid, qset.statement_ids, placements))
        except ValidationError as exc:
            problems += [f"sort {name!r}: {p}" for p in exc.problems]
    if problems:
        raise ValidationError(problems)
    out = []
    for j, ((name, _), qsort) in enumerate(zip(sorts, checked)):
        respondent = Respondent(
            study_id=study.id, resume_code=_unused(session, Respondent.resume_code, CODE_LENGTH),
            identifier=str(name)[:MAX_IDENTIFIER] or None, device="", created_at=now,
        )
        session.add(respondent)
        session.flush()
        sort = qsort.as_dict()
        given = dict((answers or [{}] * len(sorts))[j] or {})
        response = Response(
            study_id=study.id, respondent_id=respondent.id, stage="done", version=1,
            state={"stage": "done", "sort": sort}, sort=sort,
            comments=dict((comments or [{}] * len(sorts))[j] or {}), answers=given,
            timings={}, trace=[{"t": 0.0, "stage": "done", "action": origins[j] if origins else origin}],
            receipt=_unused(session, Response.receipt, 10), started_at=now, updated_at=now,
            finished_at=now,
        )
        session.add(response)
        out.append(response)
    session.flush()
    return out

"""Researchers' view of a study's responses: counts and funnel, each response, exclude, delete.

A response is *abandoned* when it is not finished and nothing has been saved for
:data:`ABANDONED_AFTER`; the stage it stands at is where that person stopped. Excluded
responses are kept (and shown) but left out of analyses and exports
(:func:`poetq.services.sorts.study_sorts`). Functions take the session first and leave the
commit to the caller.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poetq import flow
from poetq.errors import NotFoundError, ValidationError
from poetq.services.sorts import response_label
from poetq.services.studies import study_qset
from poetq.store import responses as store
from poetq.store.models import Invitation, Respondent, Response, Study, utcnow

ABANDONED_AFTER = dt.timedelta(hours=1)


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
    connection = session.connection()
    at = store.response_stages(connection, study.id)
    reached = {stage: sum(at.get(s, 0) for s in flow.FLOW_STAGES[i:])
               for i, stage in enumerate(flow.FUNNEL_STAGES)}
    devices = store.respondent_devices(connection, study.id)
    return Funnel(reached, {k or "unknown": v for k, v in devices.items()})


@dataclass(frozen=True)
class Overview:
    """Counts of a study's responses; ``stopped`` maps a stage to the abandoned responses
    standing there, in the flow's order."""

    started: int
    finished: int
    in_progress: int
    abandoned: int
    excluded: int
    stopped: dict[str, int]
    funnel: Funnel


def overview(session: Session, study: Study, *, now: dt.datetime | None = None,
             idle: dt.timedelta = ABANDONED_AFTER) -> Overview:
    now = now or utcnow()
    rows = session.execute(
        select(Response.stage, Response.finished_at, Response.updated_at, Response.excluded)
        .where(Response.study_id == study.id)
    ).all()
    stopped = {stage: 0 for stage in flow.FLOW_STAGES if stage != "done"}
    finished = abandoned = in_progress = excluded = 0
    for stage, finished_at, updated_at, is_excluded in rows:
        excluded += bool(is_excluded)
        if finished_at is not None:
            finished += 1
        elif updated_at is not None and now - updated_at >= idle:
            abandoned += 1
            stopped[stage] = stopped.get(stage, 0) + 1
        else:
            in_progress += 1
    return Overview(len(rows), finished, in_progress, abandoned, excluded, stopped,
                    funnel(session, study))


@dataclass(frozen=True)
class ResponseSummary:
    id: int
    label: str
    stage: str
    device: str
    started_at: dt.datetime
    updated_at: dt.datetime
    finished_at: dt.datetime | None
    excluded: bool
    #: The label of the invitation code the respondent came with ("" without one).
    invitation: str = ""
    #: Seconds spent on the stages (the respondent's active time), None before any.
    seconds: float | None = None
    #: How the sort came in when not through the pages ("entered by hand", "imported from …").
    origin: str = ""

    @property
    def duration(self) -> str:
        """``12 min 5 s`` (or ``—``)."""
        if self.seconds is None:
            return "—"
        minutes, seconds = divmod(int(round(self.seconds)), 60)
        return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


def _seconds(timings) -> float | None:
    values = [v for v in (timings or {}).values() if isinstance(v, (int, float))]
    return round(float(sum(values)), 1) if values else None


def _origin(trace) -> str:
    last = (trace or [{}])[-1] if trace else {}
    action = str(last.get("action", "")) if isinstance(last, dict) else ""
    return action if action.startswith(("entered by hand", "imported from", "simulated")) else ""


def _invitation_label(session: Session, invitation_id: int | None) -> str:
    invitation = session.get(Invitation, invitation_id) if invitation_id else None
    return invitation.label if invitation is not None else ""


def list_responses(session: Session, study: Study) -> list[ResponseSummary]:
    rows = session.execute(
        select(Response, Respondent, Invitation.label)
        .join(Respondent, Response.respondent_id == Respondent.id)
        .outerjoin(Invitation, Respondent.invitation_id == Invitation.id)
        .where(Response.study_id == study.id)
        .order_by(Response.started_at, Response.id)
    ).all()
    return [ResponseSummary(r.id, response_label(p), r.stage, p.device or "", r.started_at,
                        r.updated_at, r.finished_at, bool(r.excluded), label or "",
                        _seconds(r.timings), _origin(r.trace)) for r, p, label in rows]


def study_response(session: Session, study: Study, response_id: int) -> Response:
    """The response ``response_id`` of ``study`` (:class:`NotFoundError` for any other)."""
    response = session.scalar(
        select(Response).where(Response.id == response_id, Response.study_id == study.id)
    )
    if response is None:
        raise NotFoundError("there is no such response in this study")
    return response


@dataclass(frozen=True)
class ResponseDetail:
    """One response as the researcher reads it.

    ``columns``: ``[(value, [(number, id, text), …]), …]`` left to right (empty until sorted);
    ``comments``/``answers``: ``[(label, text), …]``; ``timings``: ``[(stage, seconds), …]``.
    """

    row: ResponseSummary
    columns: list[tuple[int, list[tuple[int, str, str]]]]
    comments: list[tuple[str, str]]
    answers: list[tuple[str, str]]
    timings: list[tuple[str, float]]
    receipt: str | None


def _answer_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def response_detail(session: Session, study: Study, response_id: int) -> ResponseDetail:
    response = study_response(session, study, response_id)
    respondent = response.respondent
    qset = study_qset(study)
    sort = response.sort or (response.state or {}).get("sort") or {}
    columns = []
    if sort:
        for value in qset.grid.values:
            cells = [(qset.number(s.id), s.id, s.text) for s in qset.statements
                     if sort.get(s.id) == value]
            columns.append((value, cells))
    texts = {s.id: s.text for s in qset.statements}
    comments = [(f"{qset.number(sid)}. {texts[sid]}" if sid in texts else sid, str(text))
                for sid, text in (response.comments or {}).items()]
    prompts = {q.id: q.prompt for q in qset.questions}
    answers = [
        (prompts.get(qid, qid), _answer_text(v)) for qid, v in (response.answers or {}).items()
    ]
    order = {s: i for i, s in enumerate(flow.FUNNEL_STAGES + ("welcome",))}
    timings = sorted(((str(k), float(v)) for k, v in (response.timings or {}).items()),
                     key=lambda kv: order.get(kv[0], 99))
    row = ResponseSummary(response.id, response_label(respondent), response.stage,
                      respondent.device or "", response.started_at, response.updated_at,
                      response.finished_at, bool(response.excluded),
                      _invitation_label(session, respondent.invitation_id),
                      _seconds(response.timings), _origin(response.trace))
    return ResponseDetail(row, columns, comments, answers, timings, response.receipt)


def set_excluded(session: Session, study: Study, response_id: int, excluded: bool) -> Response:
    """Leave a response out of analyses (kept, and shown as excluded) or take it back in."""
    response = study_response(session, study, response_id)
    response.excluded = bool(excluded)
    session.flush()
    return response


def delete_response(session: Session, study: Study, response_id: int) -> None:
    """Delete a response and its respondent for good (the invitation stays used)."""
    response = study_response(session, study, response_id)
    session.delete(response.respondent)
    session.flush()


BULK_ACTIONS = ("exclude", "include", "delete")


def bulk(session: Session, study: Study, response_ids, action: str, *, confirm: str = "") -> int:
    """Exclude, include or delete several responses of ``study`` at once; returns how many.

    Every id must be one of the study's responses (else nothing changes); deleting needs
    ``confirm == "delete"`` typed by the researcher.
    """
    if action not in BULK_ACTIONS:
        raise ValidationError(f"unknown action {action!r}: use {', '.join(BULK_ACTIONS)}")
    try:
        ids = sorted({int(i) for i in response_ids})
    except (TypeError, ValueError):
        raise ValidationError("the selection is not a list of responses") from None
    if not ids:
        raise ValidationError("select at least one response first")
    if len(ids) > 100_000:
        raise ValidationError("too many responses selected at once")
    found = list(session.scalars(
        select(Response).where(Response.study_id == study.id, Response.id.in_(ids))
    ))
    if len(found) != len(ids):
        raise NotFoundError("some of the selected responses are not in this study")
    if action == "delete":
        if (confirm or "").strip().lower() != "delete":
            raise ValidationError(
                "type delete in the box to delete the selected responses for good"
            )
        for response in found:
            session.delete(response.respondent)
    else:
        for response in found:
            response.excluded = action == "exclude"
    session.flush()
    return len(found)

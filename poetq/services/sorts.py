"""The finished sorts of a study: as a table for analysis and export, and stored from files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from poetq.domain import SortsTable, validate_sort
from poetq.errors import ValidationError
from poetq.services.respondents import MAX_IDENTIFIER
from poetq.services.steps import unused_code
from poetq.services.studies import CODE_LENGTH, get_study, study_qset
from poetq.store.models import Respondent, Response, Study, utcnow


def response_label(respondent: Respondent) -> str:
    """How a sort is named in analyses: the respondent's identifier, else ``r<id>``."""
    return respondent.identifier or f"r{respondent.id}"


def study_sorts(session: Session, slug: str, *, include_excluded: bool = False):
    """The finished, not excluded sorts of a study as a :class:`SortsTable`.

    Rows are the Q-set's statements in order, columns the sorts in finishing order.
    """
    return study_sorts_with_ids(session, slug, include_excluded=include_excluded)[0]


def study_sorts_with_ids(session: Session, slug: str, *, include_excluded: bool = False,
                         response_ids: list[int] | None = None):
    """``(SortsTable, response ids)`` of :func:`study_sorts`; with ``response_ids``, exactly
    those finished responses in that order, excluded or not (a saved analysis's sorts)."""
    study = get_study(session, slug)
    qset = study_qset(study)
    query = (
        select(Response, Respondent)
        .join(Respondent, Response.respondent_id == Respondent.id)
        .where(Response.study_id == study.id, Response.sort.is_not(None))
        .order_by(Response.finished_at, Response.id)
    )
    if response_ids is not None:
        query = query.where(Response.id.in_(response_ids))
    elif not include_excluded:
        query = query.where(Response.excluded.is_(False))
    rows = session.execute(query).all()
    if response_ids is not None:
        by_id = {resp.id: (resp, respondent) for resp, respondent in rows}
        missing = [i for i in response_ids if i not in by_id]
        if missing:
            raise ValidationError(
                f"{len(missing)} of the {len(response_ids)} responses this analysis used "
                f"{'is' if len(missing) == 1 else 'are'} no longer in study {slug!r} (deleted or "
                "reopened): run the analysis again and save it under a new name")
        rows = [by_id[i] for i in response_ids]
    if len(rows) < 2:
        raise ValidationError(
            f"study {slug!r} has {len(rows)} finished sort{'s' if len(rows) != 1 else ''} "
            "to analyse; at least 2 are needed"
        )
    ids = qset.statement_ids
    values = np.array([[resp.sort[sid] for sid in ids] for resp, _ in rows], dtype=float).T
    labels = sort_labels([respondent for _, respondent in rows])
    table = SortsTable(statement_ids=tuple(ids), sort_ids=tuple(labels), values=values)
    return table, [resp.id for resp, _ in rows]


def sort_labels(respondents) -> list[str]:
    """The sort id of each respondent's sort, in order: :func:`response_label`, made unique
    with ``-r<id>`` (the participants table joins analyses on these)."""
    labels = []
    seen: set[str] = set()
    for respondent in respondents:
        label = response_label(respondent)
        if label in seen:
            label = f"{label}-r{respondent.id}"
        seen.add(label)
        labels.append(label)
    return labels


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
            study_id=study.id, resume_code=unused_code(session.connection(), "resume", CODE_LENGTH),
            identifier=str(name)[:MAX_IDENTIFIER] or None, device="", created_at=now,
        )
        session.add(respondent)
        session.flush()
        sort = qsort.as_dict()
        given = dict((answers or [{}] * len(sorts))[j] or {})
        response = Response(
            study_id=study.id,
            respondent_id=respondent.id,
            stage="done",
            version=1,
            state={"stage": "done", "sort": sort},
            sort=sort,
            comments=dict((comments or [{}] * len(sorts))[j] or {}),
            answers=given,
            timings={},
            trace=[{"t": 0.0, "stage": "done", "action": origins[j] if origins else origin}],
            receipt=unused_code(session.connection(), "receipt", 10),
            started_at=now,
            updated_at=now,
            finished_at=now,
        )
        session.add(response)
        out.append(response)
    session.flush()
    return out

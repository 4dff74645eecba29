"""The finished sorts of a study as a table for analysis and export."""

from __future__ import annotations

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from poetq.errors import ValidationError
from poetq.services.studies import get_study, study_qset
from poetq.store.models import Respondent, Response


def response_label(respondent: Respondent) -> str:
    """How a sort is named in analyses: the respondent's identifier, else ``r<id>``."""
    return respondent.identifier or f"r{respondent.id}"


def study_sorts(session: Session, slug: str, *, include_excluded: bool = False):
    """The finished, not excluded sorts of a study as a :class:`SortsTable`.

    Rows are the Q-set's statements in order, columns the sorts in finishing order.
    """
    from poetq.domain import SortsTable

    study = get_study(session, slug)
    qset = study_qset(study)
    query = (
        select(Response, Respondent)
        .join(Respondent, Response.respondent_id == Respondent.id)
        .where(Response.study_id == study.id, Response.sort.is_not(None))
        .order_by(Response.finished_at, Response.id)
    )
    if not include_excluded:
        query = query.where(Response.excluded.is_(False))
    rows = session.execute(query).all()
    if len(rows) < 2:
        raise ValidationError(
            f"study {slug!r} has {len(rows)} finished sort{'s' if len(rows) != 1 else ''} "
            "to analyse; at least 2 are needed"
        )
    ids = qset.statement_ids
    values = np.array([[resp.sort[sid] for sid in ids] for resp, _ in rows], dtype=float).T
    labels = sort_labels([respondent for _, respondent in rows])
    return SortsTable(statement_ids=tuple(ids), sort_ids=tuple(labels), values=values)


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

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
    return study_sorts_with_ids(session, slug, include_excluded=include_excluded)[0]


def study_sorts_with_ids(session: Session, slug: str, *, include_excluded: bool = False,
                         response_ids: list[int] | None = None):
    """``(SortsTable, response ids)`` of :func:`study_sorts`; with ``response_ids``, exactly
    those finished responses in that order, excluded or not (a saved analysis's sorts)."""
    from poetq.domain import SortsTable

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

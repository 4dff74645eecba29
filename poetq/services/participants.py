"""The participants table: everything a study holds about each response, one row per response.

Sort id (as analyses name the sort), invitation label, times, seconds per stage, each
post-sort answer in its own column, each comment with its statement and column, and whether
the response is excluded. It is what ``poetq export SLUG --format participants`` writes, a
download on the study's pages, and (joined with loadings and flags) a sheet of the results
workbook. :func:`answers_by_factor` tabulates the answers of each factor's defining sorts.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from poetq import flow
from poetq.domain import QSet
from poetq.services.sorts import sort_labels
from poetq.services.studies import get_study, study_qset
from poetq.store.models import Invitation, Respondent, Response

#: Stages whose seconds get a column, in the respondent's order.
TIMED_STAGES: tuple[str, ...] = ("welcome",) + tuple(s for s in flow.FLOW_STAGES if s != "done")


@dataclass(frozen=True)
class ParticipantsTable:
    """``header`` names the columns; each row holds plain cells (str, int, float or None).

    ``sort_ids`` is the sort id of each row (``None`` for a response that is not finished);
    ``sort_column`` is the index of that column.
    """

    header: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    sort_ids: tuple[str | None, ...]
    answers: tuple[Mapping[str, Any], ...]
    sort_column: int = 0

    def __len__(self) -> int:
        return len(self.rows)


def answer_text(value: Any) -> Any:
    """An answer as one cell: choices joined with "; ", numbers kept as numbers."""
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        return value
    return str(value)


def _iso(t) -> str | None:
    return None if t is None else t.isoformat(timespec="seconds")


def participants(
    session: Session, slug: str, *, include_unfinished: bool = False
) -> ParticipantsTable:
    """The participants table of study ``slug`` (finished responses; all with
    ``include_unfinished``), in finishing order, then starting order for unfinished ones."""
    study = get_study(session, slug)
    qset = study_qset(study)
    query = (
        select(Response, Respondent, Invitation.label)
        .join(Respondent, Response.respondent_id == Respondent.id)
        .outerjoin(Invitation, Respondent.invitation_id == Invitation.id)
        .where(Response.study_id == study.id)
    )
    if not include_unfinished:
        query = query.where(Response.finished_at.is_not(None))
    rows = session.execute(query).all()
    finished = sorted((r for r in rows if r[0].sort is not None),
                      key=lambda r: (r[0].finished_at or r[0].started_at, r[0].id))
    unfinished = sorted((r for r in rows if r[0].sort is None),
                        key=lambda r: (r[0].started_at, r[0].id))
    # the analysis names sorts among the finished, not excluded ones (services.sorts)
    analysed = [r for r in finished if not r[0].excluded]
    labels = dict(zip((r[0].id for r in analysed), sort_labels([r[1] for r in analysed])))
    n_comments = max((len(r[0].comments or {}) for r in rows), default=0)
    # answers that are not the study's questions (kept from imported web results)
    asked = {q.id for q in qset.questions}
    others = sorted({k for r in rows for k in (r[0].answers or {}) if k not in asked})
    header = ["sort", "response", "identifier", "invitation", "device", "finished", "excluded",
              "started_at", "finished_at", *(f"seconds {s}" for s in TIMED_STAGES),
              "seconds total",
              *(f"{q.id}: {q.prompt}" for q in qset.questions), *others]
    for k in range(1, n_comments + 1):
        header += [f"comment {k} statement", f"comment {k} column", f"comment {k} text"]
    out, ids, answers = [], [], []
    for response, respondent, label in finished + unfinished:
        timings = response.timings or {}
        seconds = [_seconds(timings.get(s)) for s in TIMED_STAGES]
        total = round(sum(float(v) for v in timings.values() if _seconds(v) is not None), 1)
        sort_id = labels.get(response.id)
        given = response.answers or {}
        row = [sort_id or f"r{respondent.id}", response.id, respondent.identifier or "",
               label or "", respondent.device or "",
               "yes" if response.finished_at else "no", "yes" if response.excluded else "no",
               _iso(response.started_at), _iso(response.finished_at), *seconds, total,
               *(answer_text(given.get(q.id)) for q in qset.questions),
               *(answer_text(given.get(k)) for k in others)]
        row += _comment_cells(qset, response, n_comments)
        out.append(tuple(row))
        ids.append(sort_id)
        answers.append(dict(given))
    return ParticipantsTable(tuple(header), tuple(out), tuple(ids), tuple(answers))


def _seconds(v) -> float | None:
    try:
        return None if v is None else round(float(v), 1)
    except (TypeError, ValueError):
        return None


def _comment_cells(qset: QSet, response: Response, n: int) -> list[Any]:
    """Each comment as (statement id, grid column, text), the right-hand end first."""
    sort = response.sort or (response.state or {}).get("sort") or {}
    comments = response.comments or {}
    order = {sid: i for i, sid in enumerate(qset.statement_ids)}
    ranked = sorted(comments, key=lambda sid: (-(sort.get(sid) or 0), order.get(sid, 1 << 30)))
    cells: list[Any] = []
    for sid in ranked:
        column = sort.get(sid)
        cells += [sid, None if column is None else int(column), str(comments[sid])]
    return cells + [None] * (3 * n - len(cells))


def joined(table: ParticipantsTable, result) -> tuple[list[str], list[list[Any]]]:
    """The participants table with each analysed sort's loadings and flags appended
    (blank for responses the analysis left out: unfinished or excluded)."""
    names = list(result.factor_names)
    index = {sid: j for j, sid in enumerate(result.sort_ids)}
    header = [*table.header, *(f"loading {n}" for n in names), *(f"flag {n}" for n in names)]
    rows = []
    for row, sid in zip(table.rows, table.sort_ids):
        j = index.get(sid) if sid is not None else None
        if j is None:
            extra = [None] * (2 * len(names))
        else:
            extra = [*(float(v) for v in result.loadings[j]), *(bool(f) for f in result.flags[j])]
        rows.append([*row, *extra])
    return header, rows


@dataclass(frozen=True)
class AnswerTally:
    """One question's answers among each factor's defining sorts.

    ``rows`` are ``(label, [cell per factor])``: one per option (counts) for choice and
    likert questions; ``n``, ``mean`` and ``median`` for numbers; ``answered`` for text.
    """

    question_id: str
    prompt: str
    kind: str
    rows: tuple[tuple[str, tuple[Any, ...]], ...]


def answers_by_factor(qset: QSet, table: ParticipantsTable, result) -> list[AnswerTally]:
    """Tabulate the post-sort answers of each factor's defining (flagged) sorts."""
    by_sort = {sid: a for sid, a in zip(table.sort_ids, table.answers) if sid is not None}
    groups = []
    for k in range(len(result.factor_names)):
        groups.append([by_sort.get(sid, {}) for j, sid in enumerate(result.sort_ids)
                       if result.flags[j][k]])
    out = []
    for q in qset.questions:
        per = [[a.get(q.id) for a in g] for g in groups]
        per = [[v for v in vs if v not in (None, "", [])] for vs in per]
        if q.kind in ("single", "multiple", "likert"):
            options = list(q.options or q.scale)
            rows = []
            for option in options:
                rows.append((option, tuple(sum(_chose(v, option) for v in vs) for vs in per)))
            rows.append(("no answer", tuple(len(g) - len(vs) for g, vs in zip(groups, per))))
        elif q.kind == "number":
            nums = [[float(v) for v in vs if _is_number(v)] for vs in per]
            rows = [("n", tuple(len(v) for v in nums)),
                    ("mean", tuple(round(statistics.fmean(v), 3) if v else None for v in nums)),
                    ("median", tuple(statistics.median(v) if v else None for v in nums))]
        else:
            rows = [("answered", tuple(len(vs) for vs in per)),
                    ("no answer", tuple(len(g) - len(vs) for g, vs in zip(groups, per)))]
        out.append(AnswerTally(q.id, q.prompt, q.kind, tuple(rows)))
    return out


def _chose(value: Any, option: str) -> bool:
    if isinstance(value, (list, tuple)):
        return option in [str(v) for v in value]
    return str(value) == option


def _is_number(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


def tally_sheet(tallies: Sequence[AnswerTally], factor_names) -> tuple[list[str], list[list[Any]]]:
    """Answers by factor as one sheet: question, kind, row label, one column per factor."""
    header = [
        "question",
        "prompt",
        "kind",
        "answer",
        *(f"{n} (defining sorts)" for n in factor_names),
    ]
    rows = [[t.question_id, t.prompt, t.kind, label, *cells]
            for t in tallies for label, cells in t.rows]
    return header, rows

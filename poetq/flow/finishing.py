"""After the ranking: the review's swaps and confirmation, the reasons for the extremes,
the post-sort questions, and the drafts of typed text (see :mod:`poetq.flow`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from poetq.domain import Grid, Question, format_value, validate_sort
from poetq.errors import AnswerError
from poetq.flow.state import MAX_COMMENT, FlowError, _check_stage, _copy

# --------------------------------------------------------------------------------------------
# Review


def grid_columns(sort: Mapping[str, int], grid: Grid, order: Sequence[str]) -> list[dict[str, Any]]:
    """The finished grid as columns, left to right; statements in ``order`` within a column."""
    rank = {sid: i for i, sid in enumerate(order)}
    cols = []
    for v, c in zip(grid.values, grid.counts):
        members = sorted((s for s, x in sort.items() if x == v), key=lambda s: rank.get(s, 0))
        cols.append({"value": v, "label": format_value(v), "capacity": c, "statements": members})
    return cols


def review_swap(state: Mapping[str, Any], first: str, second: str) -> dict[str, Any]:
    """Swap the columns of two statements; the grid stays valid."""
    _check_stage(state, "review")
    sort = state["sort"]
    for sid in (first, second):
        if sid not in sort:
            raise FlowError("unknown_statement")
    if first == second:
        raise FlowError("swap_needs_two")
    new = _copy(state)
    new["sort"][first], new["sort"][second] = sort[second], sort[first]
    return new


def review_confirm(
    state: Mapping[str, Any],
    posted: Sequence[tuple[str, Any]] | Mapping[str, Any],
    grid: Grid,
    statement_ids: Sequence[str],
) -> dict[str, Any]:
    """Accept the grid the review page shows: it must be a valid sort and the saved one."""
    _check_stage(state, "review")
    qsort = validate_sort(grid, statement_ids, posted)
    if qsort.as_dict() != dict(state["sort"]):
        raise FlowError("sort_changed")
    new = _copy(state)
    new["stage"] = "extremes"
    return new


# --------------------------------------------------------------------------------------------
# Explaining the extremes


def extreme_statements(state: Mapping[str, Any], grid: Grid) -> list[tuple[str, int]]:
    """(id, value) of the statements in the outermost columns: right end first."""
    sort = state["sort"] or {}
    order = state["order"]
    ends = [grid.values[-1], grid.values[0]]
    return [(sid, v) for v in ends for sid in order if sort.get(sid) == v]


def extremes_submit(
    state: Mapping[str, Any], comments: Mapping[str, Any], grid: Grid, *, required: bool
) -> dict[str, Any]:
    """Store the comments on the extreme statements (required if the study says so)."""
    _check_stage(state, "extremes")
    allowed = {sid for sid, _ in extreme_statements(state, grid)}
    if set(comments) - allowed:
        raise FlowError("comment_unknown")
    cleaned: dict[str, str] = {}
    for sid in allowed:
        raw = comments.get(sid) or ""
        if not isinstance(raw, str):
            raise FlowError("comment_unknown")
        text = raw.strip()
        if len(text) > MAX_COMMENT:
            raise FlowError("comment_too_long", limit=f"{MAX_COMMENT:,}")
        if text:
            cleaned[sid] = text
    if required and len(cleaned) < len(allowed):
        raise FlowError("comment_required")
    new = _copy(state)
    new["comments"] = cleaned
    new["stage"] = "questions"
    return new


def go_back(state: Mapping[str, Any]) -> dict[str, Any]:
    """From the extremes back to the review, from the questions back to the extremes."""
    _check_stage(state, "extremes", "questions")
    new = _copy(state)
    new["stage"] = "review" if state["stage"] == "extremes" else "extremes"
    return new


# --------------------------------------------------------------------------------------------
# Questions and the end


def clean_answers(
    questions: Sequence[Question], raw: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, AnswerError]]:
    """Each question's cleaned answer, and the error of each question that has one (its
    ``key`` says why: :meth:`~poetq.domain.Question.clean`)."""
    unknown = set(raw) - {q.id for q in questions}
    if unknown:
        raise FlowError("unknown_question")
    answers: dict[str, Any] = {}
    errors: dict[str, AnswerError] = {}
    for q in questions:
        try:
            value = q.clean(raw.get(q.id))
        except AnswerError as exc:
            errors[q.id] = exc
            continue
        if value is not None:
            answers[q.id] = value
    return answers, errors


def questions_submit(
    state: Mapping[str, Any],
    raw: Mapping[str, Any],
    questions: Sequence[Question],
    grid: Grid,
    statement_ids: Sequence[str],
) -> dict[str, Any]:
    """Validate the answers and the finished sort once more; the response is then done."""
    _check_stage(state, "questions")
    answers, errors = clean_answers(questions, raw)
    if errors:
        first = next(iter(errors.values()))
        exc = FlowError(first.key, [p for e in errors.values() for p in e.problems], **first.params)
        exc.field_errors = errors
        raise exc
    validate_sort(grid, statement_ids, state["sort"])
    new = _copy(state)
    new["answers"] = answers
    new["stage"] = "done"
    return new


def merged_drafts(state: Mapping[str, Any], drafts: Mapping[str, Any]) -> dict[str, Any]:
    """The drafts kept so far (texts typed but not yet sent), with the texts of one page's
    form over them (the other page's drafts stay); comments cut at :data:`MAX_COMMENT`."""
    old = state.get("drafts") or {}
    return {
        "comments": {**(old.get("comments") or {}),
                     **{str(k): str(v)[:MAX_COMMENT]
                        for k, v in dict(drafts.get("comments") or {}).items()}},
        "answers": {**(old.get("answers") or {}),
                    **{str(k): (v if isinstance(v, (str, list)) else str(v))
                       for k, v in dict(drafts.get("answers") or {}).items()}},
    }

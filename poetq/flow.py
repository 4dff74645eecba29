"""The respondent's staged sort as pure state transitions (no I/O, no web framework).

A respondent's progress is one plain, JSON-ready ``dict`` (it is stored in
``Response.state``). Every transition takes the current state and the respondent's input,
checks the input against the state and returns a *new* state; the input state is never
changed. Input that does not fit (a stale page, a forged value, a statement that is not a
candidate) raises :class:`FlowError` (a :class:`~poetq.errors.ValidationError`) or
:class:`FlowStateError` (a :class:`~poetq.errors.StateError`) with a message a person can
act on and a ``key`` the web interface uses to show it in the study's language.

Stages (see :data:`FLOW_STAGES`): ``presort`` → ``ranking`` → ``review`` → ``extremes`` →
``questions`` → ``done``. The welcome page comes before a state exists.

Pre-sort
    Statements one at a time, in an order shuffled once from a stored seed, onto three piles
    (``agree``, ``neutral``, ``disagree``); the previous answer can be taken back.
Ranking by choosing
    The grid is filled from the extremes inward, alternating sides (right end, left end,
    next on the right, …); the last column left (the middle) takes the rest. A column on the
    agree side chooses from the agree pile, then the neutral pile, then the disagree pile
    (mirrored on the disagree side). When the source pile holds no more statements than the
    column still needs, they all go in without asking (there is nothing to choose); when it
    holds fewer, the rest of the column is chosen from the next pile with an explanation. A
    statement chosen for the current column, or for the last column where a choice was made,
    can be put back. When the column takes more than half of its candidates, the respondent
    is asked the other way round: which statements do *not* belong (they are held back for
    the columns further in, and the rest fill the column), which needs fewer actions with
    skewed piles. Every grid and every set of piles completes to a valid sort.
Undo
    :func:`undo` takes back the respondent's last pre-sort answer, choice or hold-back,
    from the pre-sort, the ranking or the review (the review's swaps are then redone from
    the ranking's result), so nothing is final before the final submission.
Review
    The whole grid; swapping two statements keeps it valid at every moment.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from poetq.domain import Grid, QSet, Question, format_value, validate_sort
from poetq.errors import StateError, ValidationError

#: The stages a response's state goes through, in order.
FLOW_STAGES: tuple[str, ...] = ("presort", "ranking", "review", "extremes", "questions", "done")
#: The pages a respondent sees, in order ("Step n of N"; the research preview shows each).
PAGES: tuple[str, ...] = ("welcome",) + FLOW_STAGES
#: The stages of the researchers' funnel: ``consented`` is every response.
FUNNEL_STAGES: tuple[str, ...] = ("consented",) + FLOW_STAGES[1:]
#: The pre-sort piles, from agree to disagree.
PILES: tuple[str, ...] = ("agree", "neutral", "disagree")
#: The order in which a column on each side draws on the piles.
SOURCES: Mapping[str, tuple[str, ...]] = {
    "agree": ("agree", "neutral", "disagree"),
    "disagree": ("disagree", "neutral", "agree"),
}
#: Longest comment kept for a statement at the extremes.
MAX_COMMENT = 5000
STATE_FORMAT = 1

#: English messages of the refusals; the web interface may translate them by key.
MESSAGES: Mapping[str, str] = {
    "wrong_stage": "This page is out of date: you are now at another step. "
    "Please continue from here.",
    "stale_statement": "This page is out of date: that statement has already been answered. "
    "Please continue from here.",
    "unknown_pile": "Choose Agree, Neutral or Disagree.",
    "nothing_to_undo": "There is no earlier answer to go back to.",
    "not_a_candidate": "That statement cannot be placed here: choose one of the statements shown.",
    "cannot_put_back": "That statement cannot be put back now: only statements you chose for "
    "this column or the previous one can be put back.",
    "unknown_statement": "That statement is not part of this study.",
    "swap_needs_two": "Choose two different statements to swap.",
    "sort_changed": "The grid on this page is not the one saved: it may have changed in another "
    "window. Please check it again.",
    "comment_too_long": "Please keep each comment under {limit} characters.",
    "comment_required": "Please say why you placed each of these statements "
    "at the end of the grid.",
    "comment_unknown": "Comments can only be given for the statements shown.",
    "answer_required": "Please answer: {prompt}",
    "answer_choose": "{prompt}: choose from the options given.",
    "answer_number": "{prompt}: enter a number, such as 42.",
    "answer_min": "{prompt}: enter a number of at least {minimum}.",
    "answer_max": "{prompt}: enter a number of at most {maximum}.",
    "answer_too_long": "{prompt}: please keep the answer under 10,000 characters.",
    "unknown_question": "An answer was given to a question this study does not ask.",
    "no_back": "You cannot go back from here.",
    "not_held_back": "That statement cannot be held back here: choose one of the statements shown.",
    "unknown_action": "That action is not possible on this page.",
}


def _copy(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, tuples, scalars): the state of a flow.

    Several times faster than :func:`copy.deepcopy`, which every step of every respondent
    used to pay for.
    """
    if isinstance(value, dict):
        return {k: _copy(v) if isinstance(v, (dict, list, tuple)) else v for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) if isinstance(v, (dict, list, tuple)) else v for v in value]
    if isinstance(value, tuple):
        return tuple(_copy(v) if isinstance(v, (dict, list, tuple)) else v for v in value)
    return value


class FlowError(ValidationError):
    """Input that does not fit the current state; ``key`` and ``params`` name the message."""

    def __init__(self, key: str, problems: str | Sequence[str] | None = None, **params: Any):
        self.key = key
        self.params = params
        #: Per-question errors (question id -> FlowError) when several answers are refused.
        self.field_errors: dict[str, FlowError] = {}
        super().__init__(problems if problems is not None else MESSAGES[key].format(**params))


class FlowStateError(StateError):
    """A step that belongs to another stage (typically a stale page)."""

    def __init__(self, key: str, **params: Any):
        self.key = key
        self.params = params
        self.problems = [MESSAGES[key].format(**params)]
        super().__init__(self.problems[0])


# --------------------------------------------------------------------------------------------
# Starting


def new_state(statement_ids: Sequence[str], *, seed: int) -> dict[str, Any]:
    """The state of a response that has just consented: pre-sort, order shuffled by ``seed``."""
    ids = list(statement_ids)
    if len(set(ids)) != len(ids) or not ids:
        raise ValidationError("statement ids must be unique and not empty")
    order = random.Random(seed).sample(ids, len(ids))
    return {
        "format": STATE_FORMAT,
        "stage": "presort",
        "seed": seed,
        "order": order,
        "presort": [],
        "piles": None,
        "placed": [],
        "sort": None,
        "comments": {},
        "answers": {},
    }


def _check_stage(state: Mapping[str, Any], *stages: str) -> None:
    if state.get("stage") not in stages:
        raise FlowStateError("wrong_stage")


# --------------------------------------------------------------------------------------------
# Pre-sort


def presort_current(state: Mapping[str, Any]) -> str | None:
    """The id of the statement to pre-sort next (``None`` when all are answered)."""
    done = len(state["presort"])
    return state["order"][done] if done < len(state["order"]) else None


def presort_left(state: Mapping[str, Any]) -> int:
    return len(state["order"]) - len(state["presort"])


def piles_of(state: Mapping[str, Any]) -> dict[str, list[str]]:
    """The piles so far, each in pre-sort order."""
    piles: dict[str, list[str]] = {p: [] for p in PILES}
    for sid, pile in state["presort"]:
        piles[pile].append(sid)
    return piles


def presort_answer(
    state: Mapping[str, Any], statement_id: str, pile: str, grid: Grid
) -> dict[str, Any]:
    """Put the current statement on ``pile``; the last answer starts the ranking."""
    _check_stage(state, "presort")
    if pile not in PILES:
        raise FlowError("unknown_pile")
    if statement_id != presort_current(state):
        if statement_id in state["order"]:
            raise FlowError("stale_statement")
        raise FlowError("unknown_statement")
    new = _copy(state)
    new["presort"].append([statement_id, pile])
    if presort_current(new) is None:
        new["piles"] = piles_of(new)
        new["stage"] = "ranking"
        new["placed"] = []
        _advance(new, grid)
    return new


def can_go_back(state: Mapping[str, Any]) -> bool:
    """Whether the previous pre-sort answer can be changed (also from an untouched ranking)."""
    if state["stage"] == "presort":
        return bool(state["presort"])
    if state["stage"] == "ranking":
        return not state.get("held") and not any(how == "chosen" for _, _, how in state["placed"])
    return False


def presort_back(state: Mapping[str, Any]) -> dict[str, Any]:
    """Take back the last pre-sort answer (from the pre-sort, or a ranking not yet begun)."""
    _check_stage(state, "presort", "ranking")
    if not can_go_back(state):
        raise FlowError("nothing_to_undo" if state["stage"] == "presort" else "no_back")
    new = _copy(state)
    new["presort"].pop()
    new.update(stage="presort", piles=None, placed=[], held=[])
    return new


# --------------------------------------------------------------------------------------------
# Ranking


def fill_order(grid: Grid) -> list[tuple[int, str]]:
    """Columns in the order they are filled, each with its side (``agree``, ``disagree`` or
    ``middle`` for the last one, which takes the rest)."""
    lo, hi = 0, len(grid.values) - 1
    order: list[tuple[int, str]] = []
    while lo < hi:
        order.append((grid.values[hi], "agree"))
        hi -= 1
        if lo < hi:
            order.append((grid.values[lo], "disagree"))
            lo += 1
    order.append((grid.values[lo], "middle"))
    return order


def _held(state: Mapping[str, Any], value: int) -> set[str]:
    """Statements the respondent held back from column ``value`` (for columns further in)."""
    return {sid for sid, v, _ in state.get("held") or () if v == value}


def _column_members(state: Mapping[str, Any], value: int) -> list[str]:
    return [sid for sid, v, _ in state["placed"] if v == value]


def _remaining(state: Mapping[str, Any]) -> dict[str, list[str]]:
    placed = {sid for sid, _, _ in state["placed"]}
    return {p: [s for s in state["piles"][p] if s not in placed] for p in PILES}


def ranking_step(state: Mapping[str, Any], grid: Grid) -> dict[str, Any] | None:
    """What the respondent is asked now (``None`` once the grid is full).

    Returns a dict with ``column`` (grid value), ``side``, ``capacity``, ``need`` (how many
    more to choose), ``source`` (the pile the candidates come from), ``candidates`` (ids in
    pre-sort order), ``in_column`` (ids already in this column), ``put_back`` (ids that can
    be put back), ``reason`` (``None`` or ``"<side>_<source>"`` when the column draws on a
    pile other than its side's own), ``index`` and ``steps`` (position in the fill order),
    ``action`` (``"choose"``, or ``"hold_back"`` when the respondent is asked which
    candidates do not belong: more than half of them go in) and ``hold`` (how many more to
    hold back).
    """
    _check_stage(state, "ranking")
    order = fill_order(grid)
    remaining = _remaining(state)
    for index, (value, side) in enumerate(order):
        members = _column_members(state, value)
        cap = grid.capacity(value)
        if len(members) >= cap:
            continue
        if side == "middle":  # pragma: no cover - _advance always fills the middle
            return None
        source = next(p for p in SOURCES[side] if remaining[p])
        held = _held(state, value)
        candidates = [sid for sid in remaining[source] if sid not in held]
        need = cap - len(members)
        hold = len(candidates) - need
        return {
            "column": value,
            "side": side,
            "capacity": cap,
            "need": need,
            "source": source,
            "candidates": candidates,
            "action": "hold_back" if held or hold < need else "choose",
            "hold": hold,
            "in_column": members,
            "put_back": put_back_candidates(state, grid),
            "reason": None if source == side else f"{side}_{source}",
            "index": index,
            "steps": len(order),
        }
    return None


def _advance(state: dict[str, Any], grid: Grid) -> None:
    """Place whatever needs no choice, in place; finish the ranking when the grid is full."""
    order = fill_order(grid)
    while True:
        remaining = _remaining(state)
        current = None
        for value, side in order:
            if len(_column_members(state, value)) < grid.capacity(value):
                current = (value, side)
                break
        if current is None:
            break
        value, side = current
        need = grid.capacity(value) - len(_column_members(state, value))
        if side == "middle":
            rest = [s for p in PILES for s in remaining[p]]
            state["placed"].extend([s, value, "auto"] for s in rest)
            continue
        source = next(p for p in SOURCES[side] if remaining[p])
        held = _held(state, value)
        candidates = [s for s in remaining[source] if s not in held]
        if len(candidates) <= need:
            how = "kept" if held else "auto"  # kept: the rest once the others were held back
            state["placed"].extend([s, value, how] for s in candidates)
            continue
        break
    if all(len(_column_members(state, v)) == c for v, c in zip(grid.values, grid.counts)):
        state["stage"] = "review"
        state["sort"] = {sid: v for sid, v, _ in state["placed"]}


def rank_choose(state: Mapping[str, Any], statement_id: str, grid: Grid) -> dict[str, Any]:
    """Place one of the current candidates in the current column."""
    _check_stage(state, "ranking")
    step = ranking_step(state, grid)
    if step is None or statement_id not in step["candidates"]:
        raise FlowError("not_a_candidate")
    new = _copy(state)
    new["placed"].append([statement_id, step["column"], "chosen"])
    _advance(new, grid)
    return new


def rank_hold_back(state: Mapping[str, Any], statement_id: str, grid: Grid) -> dict[str, Any]:
    """Hold one of the current candidates back from the current column (it does not
    belong there); once enough are held back, the rest fill the column."""
    _check_stage(state, "ranking")
    step = ranking_step(state, grid)
    if step is None or step["action"] != "hold_back" or statement_id not in step["candidates"]:
        raise FlowError("not_held_back")
    new = _copy(state)
    new.setdefault("held", []).append([statement_id, step["column"], len(new["placed"])])
    _advance(new, grid)
    return new


def can_undo(state: Mapping[str, Any]) -> bool:
    """Whether :func:`undo` has anything to take back."""
    return state.get("stage") in ("presort", "ranking", "review") and bool(state["presort"])


def undo(state: Mapping[str, Any], grid: Grid) -> dict[str, Any]:
    """Take back the respondent's last pre-sort answer, choice or hold-back (from the
    pre-sort, the ranking or the review), and everything placed automatically after it."""
    _check_stage(state, "presort", "ranking", "review")
    if not can_undo(state):
        raise FlowError("nothing_to_undo")
    placed = state.get("placed") or []
    chosen = [i for i, (_, _, how) in enumerate(placed) if how == "chosen"]
    held = state.get("held") or []
    last_chosen = chosen[-1] if chosen else -1
    last_held = held[-1][2] if held else -1
    if state["stage"] == "presort" or (last_chosen < 0 and not held):
        new = _copy(state)
        new["presort"].pop()
        new.update(stage="presort", piles=None, placed=[], held=[], sort=None)
        return new
    new = _copy(state)
    if held and last_held > last_chosen:
        new["held"].pop()
        new["placed"] = new["placed"][:last_held]
    else:
        new["placed"] = new["placed"][:last_chosen]
        new["held"] = [h for h in held if h[2] <= last_chosen]
    new.update(stage="ranking", sort=None)
    _advance(new, grid)
    return new


def put_back_candidates(state: Mapping[str, Any], grid: Grid) -> list[str]:
    """Chosen statements that can be put back: those of the last column with a choice."""
    placed = state["placed"]
    chosen = [(sid, v) for sid, v, how in placed if how == "chosen"]
    if not chosen:
        return []
    last_column = chosen[-1][1]
    return [sid for sid, v in chosen if v == last_column]


def rank_put_back(state: Mapping[str, Any], statement_id: str, grid: Grid) -> dict[str, Any]:
    """Take a chosen statement out of its column again; later columns are emptied."""
    _check_stage(state, "ranking")
    if statement_id not in put_back_candidates(state, grid):
        raise FlowError("cannot_put_back")
    value = next(v for sid, v, _ in state["placed"] if sid == statement_id)
    position = [v for v, _ in fill_order(grid)].index(value)
    later = {v for v, _ in fill_order(grid)[position + 1 :]}
    new = _copy(state)
    new["placed"] = [
        p for p in new["placed"] if p[0] != statement_id and p[1] not in later
    ]
    new["held"] = [h for h in new.get("held") or () if h[1] not in later]
    _advance(new, grid)
    return new


def ranking_columns(state: Mapping[str, Any], grid: Grid) -> list[dict[str, Any]]:
    """Each grid column (left to right) with its statements so far, for a progress view."""
    return [
        {
            "value": v,
            "label": format_value(v),
            "capacity": c,
            "statements": _column_members(state, v),
        }
        for v, c in zip(grid.values, grid.counts)
    ]


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


def _clean_answer(question: Question, raw: Any) -> Any:
    empty = raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []
    if empty and question.required:
        raise FlowError("answer_required", prompt=question.prompt)
    try:
        return question.clean(raw)
    except ValidationError:
        pass
    params = {"prompt": question.prompt}
    if question.kind == "text":
        raise FlowError("answer_too_long", **params)
    if question.kind != "number":
        raise FlowError("answer_choose", **params)
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise FlowError("answer_number", **params) from None
    if question.minimum is not None and number < question.minimum:
        raise FlowError("answer_min", minimum=f"{question.minimum:g}", **params)
    if question.maximum is not None and number > question.maximum:
        raise FlowError("answer_max", maximum=f"{question.maximum:g}", **params)
    raise FlowError("answer_number", **params)


def clean_answers(
    questions: Sequence[Question], raw: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, FlowError]]:
    """Each question's cleaned answer, and the error of each question that has one."""
    unknown = set(raw) - {q.id for q in questions}
    if unknown:
        raise FlowError("unknown_question")
    answers: dict[str, Any] = {}
    errors: dict[str, FlowError] = {}
    for q in questions:
        try:
            value = _clean_answer(q, raw.get(q.id))
        except FlowError as exc:
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


# --------------------------------------------------------------------------------------------
# The actions: one table for the pages' forms, the steps and the trace


@dataclass(frozen=True)
class Action:
    """One thing a respondent can do: its ``name`` (what the services and the table below
    call it), the form ``button`` that asks for it, and its name in the ``trace``."""

    name: str
    button: str
    trace: str


#: Every action, in the order a posted form is matched against the buttons.
ACTIONS: tuple[Action, ...] = (
    Action("presort", "pile", "presort"),
    Action("back", "back", "back"),
    Action("choose", "choose", "choose"),
    Action("hold_back", "hold_back", "hold_back"),
    Action("undo", "undo", "undo"),
    Action("put_back", "put_back", "put_back"),
    Action("swap", "pick", "swap"),
    Action("confirm", "confirm", "confirm"),
    Action("go_back", "go_back", "go_back"),
    Action("extremes", "comments", "comments"),
    Action("submit", "finish", "submit"),
)
ACTION_NAMES: Mapping[str, Action] = {a.name: a for a in ACTIONS}


def take(state: Mapping[str, Any], action: str, params: Mapping[str, Any],
         qset: QSet) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run one action on ``state``: the new state and the action's trace entries (pure).

    ``params`` by action: ``presort`` (``statement``, ``pile``), ``choose``, ``hold_back`` and
    ``put_back`` (``statement``), ``swap`` (``first``, ``second``), ``confirm``
    (``placements``: the grid the review page shows), ``extremes`` (``comments``), ``go_back``
    (``drafts``: what the page's form carried back, kept), ``submit`` (``answers``); ``back``
    and ``undo`` take none. Statements placed without a choice add an ``auto`` entry.
    """
    if action not in ACTION_NAMES:
        raise FlowError("unknown_action")
    grid = qset.grid
    p = params
    entry: dict[str, Any] = {"action": ACTION_NAMES[action].trace}
    if action == "presort":
        new = presort_answer(state, p.get("statement", ""), p.get("pile", ""), grid)
        entry.update(statement=p["statement"], pile=p["pile"])
    elif action == "back":
        new = presort_back(state)
        sid, pile = state["presort"][-1]
        entry.update(statement=sid, pile=pile)
    elif action == "choose":
        new = rank_choose(state, p.get("statement", ""), grid)
        entry.update(statement=p["statement"], column=ranking_step(state, grid)["column"])
    elif action == "hold_back":
        new = rank_hold_back(state, p.get("statement", ""), grid)
        entry.update(statement=p["statement"], column=ranking_step(state, grid)["column"])
    elif action == "undo":
        new = undo(state, grid)
    elif action == "put_back":
        new = rank_put_back(state, p.get("statement", ""), grid)
        entry.update(statement=p["statement"])
    elif action == "swap":
        new = review_swap(state, p.get("first", ""), p.get("second", ""))
        entry.update(first=p["first"], second=p["second"],
                     columns=[state["sort"][p["second"]], state["sort"][p["first"]]])
    elif action == "confirm":
        new = review_confirm(state, p.get("placements", ()), grid, qset.statement_ids)
    elif action == "extremes":
        new = extremes_submit(state, p.get("comments", {}), grid, required=qset.require_comments)
        if new.get("drafts"):  # the comments are saved now: older drafts must not cover them
            new["drafts"] = {**new["drafts"], "comments": {}}
    elif action == "go_back":
        new = go_back(state)
        if p.get("drafts"):  # what the page's form carried back: shown again, not lost
            new["drafts"] = merged_drafts(state, p["drafts"])
    else:  # submit
        new = questions_submit(state, p.get("answers", {}), qset.questions, grid,
                               qset.statement_ids)
    trace = [entry]
    if new.get("placed") and len(new["placed"]) > len(state.get("placed") or ()):
        old = {tuple(x) for x in state.get("placed") or ()}
        auto = [x for x in new["placed"] if x[2] != "chosen" and tuple(x) not in old]
        if auto:
            trace.append({"action": "auto", "placed": [[sid, v] for sid, v, _ in auto]})
    return new, trace


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

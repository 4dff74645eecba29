"""Pre-sort and ranking: the piles, choosing and holding back column by column, putting
back, and undo across the pre-sort, ranking and review (see :mod:`poetq.flow`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from poetq.domain import Grid
from poetq.flow.state import (
    PILES,
    SOURCES,
    FlowError,
    _check_stage,
    _copy,
    piles_of,
    presort_current,
)

# --------------------------------------------------------------------------------------------
# Pre-sort


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


def placed_counts(state: Mapping[str, Any], grid: Grid) -> dict[int, int]:
    """How many statements each grid column (left to right) holds so far in the ranking."""
    counts = dict.fromkeys(grid.values, 0)
    for _, value, _ in state["placed"]:
        if value in counts:
            counts[value] += 1
    return counts

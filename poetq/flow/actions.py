"""The actions: one table for the pages' forms, the steps and the trace, and :func:`take`,
which runs one action on a state (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from poetq.domain import QSet
from poetq.flow.finishing import (
    extremes_submit,
    go_back,
    merged_drafts,
    questions_submit,
    review_confirm,
    review_swap,
)
from poetq.flow.sorting import (
    presort_answer,
    presort_back,
    rank_choose,
    rank_hold_back,
    rank_put_back,
    ranking_step,
    undo,
)
from poetq.flow.state import FlowError


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

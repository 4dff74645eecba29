"""The state of a respondent's sort: its stages, the refusals and a new state.

A respondent's progress is one plain, JSON-ready ``dict`` (stored in ``Response.state``);
see :mod:`poetq.flow` for the stages.
"""

from __future__ import annotations

import marshal
import random
from collections.abc import Mapping, Sequence
from typing import Any

from poetq.errors import AnswerError, StateError, ValidationError

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
    "unknown_question": "An answer was given to a question this study does not ask.",
    "no_back": "You cannot go back from here.",
    "not_held_back": "That statement cannot be held back here: choose one of the statements shown.",
    "unknown_action": "That action is not possible on this page.",
}


def _copy(value: Any) -> Any:
    """A deep copy of JSON-like data (dicts, lists, tuples, scalars): the state of a flow.

    Every step that changes a state copies it first. :mod:`marshal` copies such data in C,
    three times as fast as :func:`_copy_each` and ten times as fast as
    :func:`copy.deepcopy` (whose result it is: an object found twice is copied once).
    """
    try:
        return marshal.loads(marshal.dumps(value))
    except ValueError:  # a type marshal does not take (a subclass, a mapping proxy)
        return _copy_each(value)


def _copy_each(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy_each(v) if isinstance(v, (dict, list, tuple)) else v
                for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_each(v) if isinstance(v, (dict, list, tuple)) else v for v in value]
    if isinstance(value, tuple):
        return tuple(_copy_each(v) if isinstance(v, (dict, list, tuple)) else v for v in value)
    return value


class FlowError(ValidationError):
    """Input that does not fit the current state; ``key`` and ``params`` name the message."""

    def __init__(self, key: str, problems: str | Sequence[str] | None = None, **params: Any):
        self.key = key
        self.params = params
        #: Per-question errors (question id -> AnswerError) when answers are refused.
        self.field_errors: dict[str, AnswerError] = {}
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

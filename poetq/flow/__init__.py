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

Modules: :mod:`~poetq.flow.state` (stages, refusals, a new state), :mod:`~poetq.flow.sorting`
(pre-sort, ranking, undo), :mod:`~poetq.flow.finishing` (review, reasons, questions, drafts)
and :mod:`~poetq.flow.actions` (the actions table and :func:`take`). Everything is used
through this package (``flow.take``, ``flow.ranking_step``, …).
"""

from poetq.flow.actions import ACTION_NAMES, ACTIONS, Action, take
from poetq.flow.finishing import (
    clean_answers,
    extreme_statements,
    extremes_submit,
    go_back,
    grid_columns,
    merged_drafts,
    questions_submit,
    review_confirm,
    review_swap,
)
from poetq.flow.sorting import (
    can_go_back,
    can_undo,
    fill_order,
    placed_counts,
    presort_answer,
    presort_back,
    put_back_candidates,
    rank_choose,
    rank_hold_back,
    rank_put_back,
    ranking_step,
    undo,
)
from poetq.flow.state import (
    FLOW_STAGES,
    FUNNEL_STAGES,
    MAX_COMMENT,
    MESSAGES,
    PAGES,
    PILES,
    SOURCES,
    STATE_FORMAT,
    FlowError,
    FlowStateError,
    new_state,
    piles_of,
    presort_current,
    presort_left,
)

__all__ = [
    "ACTIONS", "ACTION_NAMES", "FLOW_STAGES", "FUNNEL_STAGES", "MAX_COMMENT", "MESSAGES", "PAGES",
    "PILES", "SOURCES", "STATE_FORMAT", "Action", "FlowError", "FlowStateError", "can_go_back",
    "can_undo", "clean_answers", "extreme_statements", "extremes_submit", "fill_order",
    "go_back", "grid_columns", "merged_drafts", "new_state", "piles_of", "presort_answer",
    "presort_back", "presort_current", "presort_left", "put_back_candidates", "questions_submit",
    "placed_counts", "rank_choose", "rank_hold_back", "rank_put_back", "ranking_step",
    "review_confirm", "review_swap", "take", "undo",
]

"""The staged sort as pure transitions: any grid and any piles complete to a valid sort."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from poetq import flow
from poetq.domain import Grid, Question, validate_sort
from poetq.errors import StateError, ValidationError

JC_GRID = Grid.symmetric([2, 3, 4, 6, 10, 6, 4, 3, 2])


def ids(n: int) -> list[str]:
    return [f"s{i:02d}" for i in range(1, n + 1)]


def presorted(grid: Grid, piles: dict[str, str], seed: int = 7) -> dict:
    """A state after pre-sorting every statement onto ``piles[id]``."""
    state = flow.new_state(sorted(piles), seed=seed)
    while state["stage"] == "presort":
        sid = flow.presort_current(state)
        state = flow.presort_answer(state, sid, piles[sid], grid)
    return state


def complete_ranking(state: dict, grid: Grid, pick=lambda step: step["candidates"][0]) -> dict:
    """Choose until the grid is full; returns the state and counts choices in ``state['_n']``."""
    n = 0
    while state["stage"] == "ranking":
        step = flow.ranking_step(state, grid)
        state = flow.rank_choose(state, pick(step), grid)
        n += 1
    state["_n"] = n
    return state


def test_fill_order_goes_from_the_extremes_inward():
    assert flow.fill_order(JC_GRID) == [
        (4, "agree"), (-4, "disagree"), (3, "agree"), (-3, "disagree"), (2, "agree"),
        (-2, "disagree"), (1, "agree"), (-1, "disagree"), (0, "middle"),
    ]
    even = Grid((1, 2, 3, 4), (1, 2, 2, 1))
    assert flow.fill_order(even) == [(4, "agree"), (1, "disagree"), (3, "agree"), (2, "middle")]


def test_presort_order_is_shuffled_by_the_seed_and_stored():
    a = flow.new_state(ids(40), seed=1)
    b = flow.new_state(ids(40), seed=1)
    c = flow.new_state(ids(40), seed=2)
    assert a["order"] == b["order"] != c["order"]
    assert sorted(a["order"]) == ids(40)
    json.dumps(a)  # plain JSON


def test_balanced_piles_need_18_choices_for_the_40_statement_grid():
    statements = ids(40)
    piles = {s: "agree" for s in statements[:15]}
    piles.update({s: "neutral" for s in statements[15:25]})
    piles.update({s: "disagree" for s in statements[25:]})
    state = complete_ranking(presorted(JC_GRID, piles), JC_GRID)
    assert state["stage"] == "review"
    assert state["_n"] == 2 + 2 + 3 + 3 + 4 + 4
    sort = validate_sort(JC_GRID, statements, state["sort"]).as_dict()
    assert all(sort[s] > 0 for s in statements[:15])
    assert all(sort[s] == 0 for s in statements[15:25])
    assert all(sort[s] < 0 for s in statements[25:])


def test_a_short_pile_is_placed_and_the_rest_chosen_from_the_next_with_a_reason():
    statements = ids(40)
    piles = {s: "neutral" for s in statements}
    piles["s01"] = "agree"
    state = presorted(JC_GRID, piles)
    step = flow.ranking_step(state, JC_GRID)
    # s01 went into +4 on its own; one more comes from the neutral pile, with an explanation
    assert step["column"] == 4 and step["in_column"] == ["s01"] and step["need"] == 1
    assert step["source"] == "neutral" and step["reason"] == "agree_neutral"
    assert "s01" not in step["candidates"] and len(step["candidates"]) == 39


def test_an_exact_fit_goes_in_without_asking():
    grid = Grid.symmetric([1, 2, 1])
    piles = {"a": "agree", "b": "neutral", "c": "neutral", "d": "disagree"}
    state = presorted(grid, piles)
    assert state["stage"] == "review"
    assert state["sort"] == {"a": 1, "b": 0, "c": 0, "d": -1}


def test_overflowing_agree_pile_reaches_the_disagree_side_with_a_reason():
    grid = Grid.symmetric([1, 1, 1])
    state = presorted(grid, {"a": "agree", "b": "agree", "c": "agree"})
    step = flow.ranking_step(state, grid)
    assert (step["column"], step["source"]) == (1, "agree")
    state = flow.rank_choose(state, step["candidates"][0], grid)
    step = flow.ranking_step(state, grid)
    assert (step["column"], step["source"], step["reason"]) == (-1, "agree", "disagree_agree")


def test_put_back_reopens_the_column_and_refuses_older_ones():
    statements = ids(40)
    piles = {s: ("agree" if i < 15 else "neutral" if i < 25 else "disagree")
             for i, s in enumerate(statements)}
    state = presorted(JC_GRID, piles)
    first = flow.ranking_step(state, JC_GRID)["candidates"][0]
    state = flow.rank_choose(state, first, JC_GRID)
    assert flow.put_back_candidates(state, JC_GRID) == [first]
    state2 = flow.rank_put_back(state, first, JC_GRID)
    assert state2["placed"] == [] and flow.ranking_step(state2, JC_GRID)["need"] == 2
    # fill +4; the -4 column now starts, and +4's statements can still be put back
    second = flow.ranking_step(state, JC_GRID)["candidates"][0]
    state = flow.rank_choose(state, second, JC_GRID)
    assert flow.ranking_step(state, JC_GRID)["column"] == -4
    assert flow.put_back_candidates(state, JC_GRID) == [first, second]
    d = flow.ranking_step(state, JC_GRID)["candidates"][0]
    state = flow.rank_choose(state, d, JC_GRID)
    before = copy.deepcopy(state)
    with pytest.raises(ValidationError, match="cannot be put back"):
        flow.rank_put_back(state, first, JC_GRID)
    assert state == before


def test_every_refusal_leaves_the_state_untouched():
    grid = Grid.symmetric([1, 2, 1])
    state = flow.new_state(["a", "b", "c", "d"], seed=3)
    before = copy.deepcopy(state)
    current = flow.presort_current(state)
    other = next(s for s in state["order"] if s != current)
    with pytest.raises(ValidationError, match="out of date"):
        flow.presort_answer(state, other, "agree", grid)
    with pytest.raises(ValidationError, match="Agree, Neutral or Disagree"):
        flow.presort_answer(state, current, "maybe", grid)
    with pytest.raises(ValidationError, match="not part of this study"):
        flow.presort_answer(state, "zz", "agree", grid)
    with pytest.raises(ValidationError, match="no earlier answer"):
        flow.presort_back(state)
    with pytest.raises(StateError):
        flow.rank_choose(state, current, grid)
    with pytest.raises(StateError):
        flow.review_swap(state, "a", "b")
    assert state == before


def test_presort_back_changes_the_previous_answer_even_from_an_untouched_ranking():
    grid = Grid.symmetric([1, 2, 1])
    state = flow.new_state(["a", "b", "c", "d"], seed=3)
    for _ in range(4):
        state = flow.presort_answer(state, flow.presort_current(state), "agree", grid)
    assert state["stage"] == "ranking"
    assert flow.can_go_back(state)
    back = flow.presort_back(state)
    assert back["stage"] == "presort" and len(back["presort"]) == 3 and back["placed"] == []


def test_review_swaps_keep_the_grid_valid_and_confirm_checks_the_posted_sort():
    grid = Grid.symmetric([1, 2, 1])
    state = presorted(grid, {"a": "agree", "b": "neutral", "c": "neutral", "d": "disagree"})
    state = flow.review_swap(state, "a", "d")
    assert state["sort"] == {"a": -1, "b": 0, "c": 0, "d": 1}
    validate_sort(grid, ["a", "b", "c", "d"], state["sort"])
    with pytest.raises(ValidationError, match="two different"):
        flow.review_swap(state, "a", "a")
    with pytest.raises(ValidationError, match="not the one saved"):
        flow.review_confirm(state, {"a": 1, "b": 0, "c": 0, "d": -1}, grid, ["a", "b", "c", "d"])
    with pytest.raises(ValidationError, match="column \\+1 holds 2"):
        flow.review_confirm(
            state, [("a", 1), ("b", 1), ("c", 0), ("d", -1)], grid, ["a", "b", "c", "d"]
        )
    done = flow.review_confirm(state, dict(state["sort"]), grid, ["a", "b", "c", "d"])
    assert done["stage"] == "extremes"
    assert flow.extreme_statements(done, grid) == [("d", 1), ("a", -1)]


def test_extremes_and_questions():
    grid = Grid.symmetric([1, 2, 1])
    statement_ids = ["a", "b", "c", "d"]
    state = presorted(grid, {"a": "agree", "b": "neutral", "c": "neutral", "d": "disagree"})
    state = flow.review_confirm(state, state["sort"], grid, statement_ids)
    with pytest.raises(ValidationError, match="say why"):
        flow.extremes_submit(state, {"a": "because"}, grid, required=True)
    with pytest.raises(ValidationError, match="only be given"):
        flow.extremes_submit(state, {"b": "x"}, grid, required=False)
    state = flow.extremes_submit(state, {"a": " yes ", "d": "no"}, grid, required=True)
    assert state["comments"] == {"a": "yes", "d": "no"}
    questions = [
        Question("years", "number", "Years?", minimum=0, maximum=60),
        Question("sector", "single", "Sector?", required=True, options=("NHS", "Other")),
    ]
    with pytest.raises(ValidationError) as info:
        flow.questions_submit(state, {"years": "99"}, questions, grid, statement_ids)
    assert set(info.value.field_errors) == {"years", "sector"}
    assert info.value.field_errors["years"].key == "answer_max"
    assert info.value.field_errors["sector"].key == "answer_required"
    # the keys are Question.clean's own (no second guess of why it refused): a number that is
    # not one, an option not offered, a text question given a list
    more = [Question("note", "text", "Note?"),
            Question("act", "multiple", "Which?", options=("a", "b"))]
    _, errors = flow.clean_answers(questions + more,
                                   {"years": "x", "sector": "NHS", "note": ["y"], "act": ["c"]})
    assert {q: (e.key, dict(e.params)) for q, e in errors.items()} == {
        "years": ("answer_number", {"prompt": "Years?"}),
        "note": ("answer_text", {"prompt": "Note?"}),
        "act": ("answer_not_option", {"prompt": "Which?", "option": "c"}),
    }
    done = flow.questions_submit(state, {"years": "12", "sector": "NHS"}, questions, grid,
                                 statement_ids)
    assert done["stage"] == "done" and done["answers"] == {"years": 12, "sector": "NHS"}


# --------------------------------------------------------------------------------------------
# Properties


@st.composite
def grids_and_piles(draw):
    counts = draw(st.lists(st.integers(1, 6), min_size=2, max_size=11))
    start = draw(st.integers(-6, 3))
    grid = Grid(tuple(range(start, start + len(counts))), tuple(counts))
    statements = ids(grid.size)
    piles = {s: draw(st.sampled_from(flow.PILES)) for s in statements}
    return grid, piles


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(grids_and_piles(), st.randoms(use_true_random=False), st.integers(0, 2**32 - 1))
def test_any_grid_and_any_piles_complete_to_a_valid_sort(data, rnd, seed):
    grid, piles = data
    state = presorted(grid, piles, seed=seed)
    steps = 0
    while state["stage"] == "ranking":
        step = flow.ranking_step(state, grid)
        assert step["need"] >= 1 and len(step["candidates"]) > step["need"]
        assert set(step["candidates"]) <= {s for s, p in piles.items() if p == step["source"]}
        # now and then put a statement back, which must re-open a choice
        if step["put_back"] and rnd.random() < 0.2:
            state = flow.rank_put_back(state, rnd.choice(step["put_back"]), grid)
            continue
        state = flow.rank_choose(state, rnd.choice(step["candidates"]), grid)
        steps += 1
        assert steps < 1000
    assert state["stage"] == "review"
    statement_ids = sorted(piles)
    qsort = validate_sort(grid, statement_ids, state["sort"])
    # the ranking respects the piles: the right end holds an agreed statement, the left end a
    # disagreed one, whenever there is one
    a = [qsort.as_dict()[s] for s in statement_ids if piles[s] == "agree"]
    d = [qsort.as_dict()[s] for s in statement_ids if piles[s] == "disagree"]
    if a and d:
        assert min(a) >= min(d) and max(a) >= max(d)
    json.dumps(state)


@settings(max_examples=60, deadline=None)
@given(
    grids_and_piles(), st.randoms(use_true_random=False), st.lists(st.integers(0, 1000), max_size=8)
)
def test_review_swaps_always_leave_a_valid_sort(data, rnd, picks):
    grid, piles = data
    state = complete_ranking(presorted(grid, piles), grid)
    state.pop("_n")
    statement_ids = sorted(piles)
    for p in picks:
        a, b = statement_ids[p % len(statement_ids)], rnd.choice(statement_ids)
        if a != b:
            state = flow.review_swap(state, a, b)
        validate_sort(grid, statement_ids, state["sort"])


# --------------------------------------------------------------------------------------------
# Holding back and undo


def _act(state: dict, grid: Grid, pick) -> dict:
    step = flow.ranking_step(state, grid)
    move = flow.rank_hold_back if step["action"] == "hold_back" else flow.rank_choose
    return move(state, pick(step), grid)


def test_skewed_piles_ask_which_statements_do_not_belong():
    """18/9/13 on the 40-statement grid: +1 takes 6 of the 9 agreed statements left, so the
    respondent holds back 3 instead of choosing 6 (23 ranking actions instead of 26)."""
    statements = ids(40)
    piles = {s: ("agree" if i < 18 else "neutral" if i < 27 else "disagree")
             for i, s in enumerate(statements)}
    state = presorted(JC_GRID, piles)
    actions, held_steps = 0, []
    while state["stage"] == "ranking":
        step = flow.ranking_step(state, JC_GRID)
        if step["action"] == "hold_back":
            held_steps.append((step["column"], step["need"], step["hold"], len(step["candidates"])))
        state = _act(state, JC_GRID, lambda s: s["candidates"][-1])
        actions += 1
    assert held_steps[0] == (1, 6, 3, 9)
    assert actions == 23
    sort = validate_sort(JC_GRID, statements, state["sort"]).as_dict()
    held = {sid for sid, v, _ in state["held"]}
    assert all(sort[s] == 0 for s in held)  # held back from +1: they went further in
    assert sum(1 for s in statements[:18] if sort[s] == 1) == 6


def test_a_held_back_statement_cannot_be_chosen_for_the_column():
    statements = ids(40)
    piles = {s: ("agree" if i < 18 else "neutral" if i < 27 else "disagree")
             for i, s in enumerate(statements)}
    state = presorted(JC_GRID, piles)
    while flow.ranking_step(state, JC_GRID)["action"] != "hold_back":
        state = _act(state, JC_GRID, lambda s: s["candidates"][0])
    step = flow.ranking_step(state, JC_GRID)
    with pytest.raises(ValidationError):
        flow.rank_choose(state, "nope", JC_GRID)
    held = flow.rank_hold_back(state, step["candidates"][0], JC_GRID)
    assert step["candidates"][0] not in flow.ranking_step(held, JC_GRID)["candidates"]
    with pytest.raises(ValidationError):
        flow.rank_hold_back(presorted(JC_GRID, {s: "agree" for s in statements}),
                            statements[0], JC_GRID)


def _core(state: dict) -> tuple:
    return (state["stage"], state["presort"], state["placed"], state.get("held") or [],
            state["sort"])


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.large_base_example])
@given(grids_and_piles(), st.randoms(use_true_random=False), st.integers(0, 2**32 - 1))
def test_undo_takes_back_exactly_the_last_action_across_stages(data, rnd, seed):
    grid, piles = data
    state = flow.new_state(sorted(piles), seed=seed)
    history = [_core(state)]
    steps = 0
    while state["stage"] in ("presort", "ranking"):
        if len(history) > 1 and rnd.random() < 0.25:
            state = flow.undo(state, grid)
            history.pop()
            assert _core(state) == history[-1]
            continue
        if state["stage"] == "presort":
            sid = flow.presort_current(state)
            state = flow.presort_answer(state, sid, piles[sid], grid)
        else:
            state = _act(state, grid, lambda s: rnd.choice(s["candidates"]))
        history.append(_core(state))
        steps += 1
        assert steps < 2000
    assert state["stage"] == "review"
    validate_sort(grid, sorted(piles), state["sort"])
    # from the review, undo goes back into the ranking (or the pre-sort) until nothing is left
    while flow.can_undo(state):
        state = flow.undo(state, grid)
        history.pop()
        assert _core(state) == history[-1]
    assert state["stage"] == "presort" and not state["presort"]
    json.dumps(state)


def test_placed_counts_follow_the_ranking_column_by_column():
    """The ranking's overview shades as many cells of a column as it holds statements."""
    statements = ids(40)
    piles = {s: ("agree" if i < 15 else "neutral" if i < 25 else "disagree")
             for i, s in enumerate(statements)}
    state = presorted(JC_GRID, piles)
    assert flow.placed_counts(state, JC_GRID) == dict.fromkeys(JC_GRID.values, 0)
    while state["stage"] == "ranking":
        counts = flow.placed_counts(state, JC_GRID)
        assert list(counts) == list(JC_GRID.values)
        for value in JC_GRID.values:
            assert counts[value] == sum(1 for _, v, _ in state["placed"] if v == value)
            assert counts[value] <= JC_GRID.capacity(value)
        state = _act(state, JC_GRID, lambda s: s["candidates"][0])
    assert flow.placed_counts(state, JC_GRID) == dict(zip(JC_GRID.values, JC_GRID.counts))

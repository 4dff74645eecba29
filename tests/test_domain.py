"""The domain model: Grid, Question.clean and, above all, the Q-sort validator."""

from __future__ import annotations

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poetq.domain import Grid, QSet, QSort, Question, Statement, format_value, validate_sort
from poetq.errors import AnswerError, ValidationError

LIPSET = Grid.symmetric((2, 3, 4, 5, 5, 5, 4, 3, 2))
IDS = tuple(f"s{i}" for i in range(1, 34))


def problems(grid: Grid, ids, placements) -> list[str]:
    with pytest.raises(ValidationError) as info:
        validate_sort(grid, ids, placements)
    return info.value.problems


def a_valid_sort(grid: Grid, ids) -> dict[str, int]:
    return dict(zip(ids, grid.distribution()))


# -- Grid -----------------------------------------------------------------------------------------


def test_symmetric_grid():
    assert LIPSET.values == tuple(range(-4, 5))
    assert LIPSET.size == 33
    assert LIPSET.capacity(3) == 3 and LIPSET.capacity(5) == 0
    assert LIPSET.distribution()[:3] == (-4, -4, -3)
    assert LIPSET.labels == ("Most disagree", "Most agree")


def test_symmetric_grid_needs_an_odd_number_of_columns():
    with pytest.raises(ValidationError, match="odd number of columns"):
        Grid.symmetric((2, 2))


@pytest.mark.parametrize(
    "values,counts,message",
    [
        ((0,), (1,), "the grid needs at least 2 columns"),
        ((-1, 0, 1), (1, 2),
         "the grid has 3 column values but 2 counts: give one count per column"),
        ((0, 1), (1, 0), "grid count 0 is not a whole number from 1 to 500"),
        ((0, 1.5), (1, 1), "grid column value 1.5 is not a whole number"),
        ((0, 1), (1, True), "grid count True is not a whole number from 1 to 500"),
        ((1, 0), (1, 1), "grid column values must increase from left to right without repeats"),
        ((0, 0), (1, 1), "grid column values must increase from left to right without repeats"),
    ],
)
def test_grid_problems(values, counts, message):
    with pytest.raises(ValidationError) as info:
        Grid(values, counts)
    assert message in info.value.problems


def test_grid_reports_every_problem_at_once():
    with pytest.raises(ValidationError) as info:
        Grid((0, "x", 2), (0, 1), ("only one",))
    assert len(info.value.problems) == 4


def test_grid_labels_must_be_two_texts():
    with pytest.raises(ValidationError, match="two texts"):
        Grid((0, 1), (1, 1), ("left", "middle", "right"))


def test_check_fits():
    LIPSET.check_fits(33)
    with pytest.raises(ValidationError) as info:
        LIPSET.check_fits(34)
    assert str(info.value) == (
        "the grid counts add up to 33 (2+3+4+5+5+5+4+3+2) but there are 34 statements: "
        "change the counts so they add up to 34"
    )


def test_format_value():
    assert [format_value(v) for v in (-4, 0, 3)] == ["-4", "0", "+3"]


def test_qset_rejects_a_grid_that_does_not_fit():
    statements = [Statement("a", "A"), Statement("b", "B"), Statement("a", "C")]
    with pytest.raises(ValidationError) as info:
        QSet("x", "X", statements, Grid((0, 1), (1, 1)))
    assert info.value.problems == [
        "statement id 'a' is used more than once",
        "the grid counts add up to 2 (1+1) but there are 3 statements: "
        "change the counts so they add up to 3",
    ]


# -- validate_sort: examples ----------------------------------------------------------------------


def test_a_valid_sort_comes_back_in_qset_order():
    placements = a_valid_sort(LIPSET, IDS)
    reversed_pairs = list(reversed(list(placements.items())))
    sort = validate_sort(LIPSET, IDS, reversed_pairs)
    assert isinstance(sort, QSort)
    assert sort.statement_ids == IDS
    assert sort.values == LIPSET.distribution()
    assert sort.as_dict() == placements


def test_values_may_be_written_as_text():
    placements = {sid: format_value(v) for sid, v in a_valid_sort(LIPSET, IDS).items()}
    placements["s1"] = " -4 "
    placements["s33"] = 4.0
    assert validate_sort(LIPSET, IDS, placements).values == LIPSET.distribution()


def test_an_overfilled_column_is_named():
    placements = a_valid_sort(LIPSET, IDS)
    placements["s1"] = 3  # was -4
    assert problems(LIPSET, IDS, placements) == [
        "column +3 holds 4 statements, the grid allows 3"
    ]


def test_underfilled_columns_are_named_when_nothing_else_is_wrong():
    grid = Grid((-1, 0, 1), (1, 1, 1))  # holds 3, but the sort has only 2 statements
    assert problems(grid, ("a", "b"), {"a": -1, "b": 0}) == [
        "column +1 holds 0 statements, the grid needs 1"
    ]


def test_missing_statements_are_named():
    placements = a_valid_sort(LIPSET, IDS)
    del placements["s7"]
    assert problems(LIPSET, IDS, placements) == ["1 statement not placed: 's7'"]


def test_many_missing_statements_are_abbreviated():
    assert problems(LIPSET, IDS, {}) == [
        "33 statements not placed: 's1', 's2', 's3', 's4', 's5' …"
    ]


def test_a_statement_placed_twice_is_reported():
    pairs = list(a_valid_sort(LIPSET, IDS).items()) + [("s5", 0)]
    assert problems(LIPSET, IDS, pairs) == ["statement 's5' is placed 2 times; place it once"]


def test_unknown_statements_are_reported():
    placements = a_valid_sort(LIPSET, IDS) | {"s99": 0}
    assert problems(LIPSET, IDS, placements) == ["statement 's99' is not in this Q-set"]


@pytest.mark.parametrize("value", ["high", 2.5, True, None, "+", [1]])
def test_values_that_are_not_whole_numbers(value):
    placements = a_valid_sort(LIPSET, IDS)
    placements["s3"] = value
    assert problems(LIPSET, IDS, placements) == [
        f"statement 's3' has value {value!r}, which is not a whole number"
    ]


def test_a_value_outside_the_grid():
    placements = a_valid_sort(LIPSET, IDS)
    placements["s1"] = 5
    assert problems(LIPSET, IDS, placements) == [
        "statement 's1' is in column +5, which is not in the grid (-4 to +4)"
    ]


def test_every_problem_is_reported_at_once():
    placements = a_valid_sort(LIPSET, IDS)
    del placements["s33"]
    placements["s1"] = "x"
    placements["s2"] = 3
    placements["zz"] = 0
    found = problems(LIPSET, IDS, placements)
    assert "statement 's1' has value 'x', which is not a whole number" in found
    assert "statement 'zz' is not in this Q-set" in found
    assert "1 statement not placed: 's33'" in found
    assert "column +3 holds 4 statements, the grid allows 3" in found


# -- validate_sort: properties --------------------------------------------------------------------


@st.composite
def grids(draw) -> Grid:
    counts = draw(st.lists(st.integers(1, 6), min_size=2, max_size=9))
    start = draw(st.integers(-6, 0))
    gaps = draw(st.lists(st.integers(1, 2), min_size=len(counts) - 1, max_size=len(counts) - 1))
    values = [start]
    for gap in gaps:
        values.append(values[-1] + gap)
    return Grid(tuple(values), tuple(counts))


@st.composite
def grid_and_sort(draw):
    grid = draw(grids())
    ids = tuple(f"st{i}" for i in range(1, grid.size + 1))
    values = draw(st.permutations(grid.distribution()))
    return grid, ids, dict(zip(ids, values))


@given(grid_and_sort())
def test_any_permutation_of_the_distribution_is_valid(case):
    grid, ids, placements = case
    sort = validate_sort(grid, ids, placements)
    assert sort.as_dict() == placements
    assert sorted(sort.values) == list(grid.distribution())


@given(grid_and_sort(), st.data())
def test_moving_one_statement_overfills_its_new_column(case, data):
    grid, ids, placements = case
    sid = data.draw(st.sampled_from(ids))
    target = data.draw(st.sampled_from([v for v in grid.values if v != placements[sid]]))
    placements[sid] = target
    found = problems(grid, ids, placements)
    have, cap = grid.capacity(target) + 1, grid.capacity(target)
    assert found == [
        f"column {format_value(target)} holds {have} statements, the grid allows {cap}"
    ]


@given(grid_and_sort(), st.data())
def test_dropping_a_statement_names_it(case, data):
    grid, ids, placements = case
    sid = data.draw(st.sampled_from(ids))
    del placements[sid]
    assert problems(grid, ids, placements) == [f"1 statement not placed: {sid!r}"]


@given(grid_and_sort(), st.data())
def test_a_duplicated_statement_is_reported(case, data):
    grid, ids, placements = case
    sid = data.draw(st.sampled_from(ids))
    again = data.draw(st.sampled_from(grid.values))
    pairs = list(placements.items())
    pairs.insert(data.draw(st.integers(0, len(pairs))), (sid, again))
    found = problems(grid, ids, pairs)
    assert f"statement {sid!r} is placed 2 times; place it once" in found


@given(grid_and_sort(), st.data())
def test_a_non_integer_value_is_reported(case, data):
    grid, ids, placements = case
    sid = data.draw(st.sampled_from(ids))
    bad = data.draw(
        st.one_of(
            st.floats().filter(lambda x: not (math.isfinite(x) and x.is_integer())),
            st.text().filter(lambda s: not re.fullmatch(r"[+-]?\d+", s.strip())),
            st.booleans(),
            st.none(),
        )
    )
    placements[sid] = bad
    found = problems(grid, ids, placements)
    assert found[0] == f"statement {sid!r} has value {bad!r}, which is not a whole number"


@settings(max_examples=50)
@given(grid_and_sort())
def test_validate_sort_never_changes_its_input(case):
    grid, ids, placements = case
    before = dict(placements)
    validate_sort(grid, ids, placements)
    assert placements == before


# -- Question.clean -------------------------------------------------------------------------------


SECTOR = Question("sector", "single", "Which sector?", required=True, options=("NHS", "Council"))
ACTIVITIES = Question("act", "multiple", "Which?", options=("a", "b", "c"))
YEARS = Question("years", "number", "Years in role?", minimum=0, maximum=60)
AGREE = Question("agree", "likert", "Agree?", scale=("No", "Maybe", "Yes"))
COMMENTS = Question("comments", "text", "Anything else?")


def test_unanswered_questions():
    for q in (ACTIVITIES, YEARS, AGREE, COMMENTS):
        assert q.clean(None) is None
        assert q.clean("  ") is None
    assert ACTIVITIES.clean([]) is None
    with pytest.raises(AnswerError, match="Please answer: Which sector?") as info:
        SECTOR.clean("")
    assert info.value.key == "answer_required"


def test_text_answers():
    assert COMMENTS.clean("  fine  ") == "fine"
    with pytest.raises(AnswerError, match="must be text") as info:
        COMMENTS.clean(42)
    assert info.value.key == "answer_text"
    with pytest.raises(AnswerError, match="under 10,000 characters") as info:
        COMMENTS.clean("x" * 10_001)
    assert (info.value.key, info.value.params["limit"]) == ("answer_too_long", "10,000")


def test_single_and_likert_answers():
    assert SECTOR.clean("NHS") == "NHS"
    assert AGREE.clean("Maybe") == "Maybe"
    for q, raw in ((SECTOR, "Police"), (AGREE, "Perhaps"), (SECTOR, ["NHS"])):
        with pytest.raises(AnswerError, match="choose from the options given") as info:
            q.clean(raw)
        assert info.value.key == "answer_choose"


def test_multiple_answers_keep_the_option_order():
    assert ACTIVITIES.clean(["c", "a"]) == ["a", "c"]
    assert ACTIVITIES.clean("b") == ["b"]
    with pytest.raises(AnswerError, match="“d” is not one of the options") as info:
        ACTIVITIES.clean(["a", "d"])
    assert (info.value.key, info.value.params["option"]) == ("answer_not_option", "d")
    with pytest.raises(AnswerError, match="choose from the options given"):
        ACTIVITIES.clean([1])


@pytest.mark.parametrize("raw,expected", [("12", 12), (12, 12), ("2.5", 2.5), (0, 0), ("60", 60)])
def test_number_answers(raw, expected):
    assert YEARS.clean(raw) == expected
    assert type(YEARS.clean(raw)) is type(expected)


@pytest.mark.parametrize(
    "raw,message,key",
    [("many", "enter a number, such as 42", "answer_number"),
     ("nan", "enter a number", "answer_number"), ("inf", "enter a number", "answer_number"),
     (True, "enter a number", "answer_number"), (-1, "at least 0", "answer_min"),
     (61, "at most 60", "answer_max")],
)
def test_bad_number_answers(raw, message, key):
    with pytest.raises(AnswerError, match=message) as info:
        YEARS.clean(raw)
    assert info.value.key == key  # the pages translate the message by this key


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (dict(kind="choice"),
         "has kind 'choice': use one of text, single, multiple, number, likert"),
        (dict(kind="single"), "(single choice) needs at least 2 options"),
        (dict(kind="multiple", options=("a", "a")), "lists the same option twice"),
        (dict(kind="likert"), "(likert) needs a scale of at least 2 labels"),
        (dict(kind="number", minimum=5, maximum=1), "has a minimum above its maximum"),
        (dict(kind="text", prompt=" "), "has no prompt"),
        (dict(kind="text", id="no spaces"), "question id 'no spaces' is not valid"),
    ],
)
def test_question_problems(kwargs, message):
    fields = dict(id="q", kind="text", prompt="Why?") | kwargs
    with pytest.raises(ValidationError) as info:
        Question(**fields)
    assert any(message in p for p in info.value.problems), info.value.problems

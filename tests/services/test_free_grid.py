"""A Q-set grid with forced = false: paper and imported sorts may break its column counts."""

from __future__ import annotations

import pytest

from poetq.errors import ValidationError


def test_a_free_grid_takes_paper_and_imported_sorts_that_break_the_counts():
    from poetq.domain import Grid, QSet, Statement, validate_sort
    from poetq.services.paper import check_entry

    statements = tuple(Statement(f"s{i}", f"Statement {i}") for i in range(1, 6))
    forced = QSet(slug="g", title="G", statements=statements, grid=Grid((-1, 0, 1), (1, 3, 1)))
    free = QSet(
        slug="f", title="F", statements=statements, grid=Grid((-1, 0, 1), (1, 3, 1), forced=False)
    )
    sort = {"s1": "1", "s2": "1", "s3": "0", "s4": "-1", "s5": "-1"}
    with pytest.raises(ValidationError, match="column \\+1 holds 1 statements but was given 2"):
        check_entry(forced, sort)
    assert check_entry(free, sort)["s2"] == 1
    with pytest.raises(ValidationError):
        validate_sort(forced.grid, forced.statement_ids, sort)
    assert validate_sort(free.grid, free.statement_ids, sort).values == (1, 1, 0, -1, -1)
    with pytest.raises(ValidationError, match="not in the grid"):
        validate_sort(free.grid, free.statement_ids, {**sort, "s1": "2"})

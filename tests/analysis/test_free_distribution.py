"""Free (unforced) sorts against qmethod(forced = FALSE, distribution = ...) (tests/data/free,
made by tests/r/make_free_distribution_case.R from KADE's unforced lipset file)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from poetq.analysis import analyse
from poetq.errors import ValidationError
from poetq.formats.qmethod_csv import numeric, read_table
from poetq.formats.sorts_csv import read_sorts_csv

DATA = Path(__file__).resolve().parent.parent / "data" / "free"
DISTRIBUTION = [float(v) for v in (DATA / "distribution.txt").read_text().split(",")]


def ref(case: str, file: str) -> np.ndarray:
    return numeric(read_table(DATA / case / file)[2])


@pytest.mark.parametrize("k", [2, 3])
def test_free_sorts_equal_qmethod_forced_false(k):
    table = read_sorts_csv(DATA / "sorts.csv")
    r = analyse(table.values, k, distribution=DISTRIBUTION, sort_ids=table.sort_ids,
                statement_ids=table.statement_ids)
    case = f"pca_varimax_{k}"
    np.testing.assert_allclose(r.loadings, ref(case, "loadings.csv"), atol=1e-8)
    np.testing.assert_array_equal(r.flags, ref(case, "flagged.csv").astype(bool))
    np.testing.assert_allclose(r.zscores, ref(case, "zscores.csv"), atol=1e-8)
    np.testing.assert_array_equal(r.factor_arrays, ref(case, "factor_arrays.csv"))


def test_without_a_distribution_the_error_names_the_odd_sort_and_the_option():
    table = read_sorts_csv(DATA / "sorts.csv")
    with pytest.raises(ValidationError) as err:
        analyse(table.values, 2, sort_ids=table.sort_ids)
    message = str(err.value)
    assert "--distribution" in message and "forced = false" in message and "\n" not in message
    # the odd one out is named even when it comes first
    forced = read_sorts_csv(
        Path(__file__).resolve().parent.parent / "data" / "lipset" / "sorts.csv"
    )
    x = np.array(forced.values)
    x[0, 0] += 1 if x[0, 0] < 4 else -1  # the first sort now breaks the grid
    with pytest.raises(ValidationError, match="sort 'US1' does not follow"):
        analyse(x, 2, sort_ids=forced.sort_ids)
    x = np.array(forced.values)
    x[0, 4] += 1 if x[0, 4] < 4 else -1
    with pytest.raises(ValidationError, match="sort 'JP5' does not follow"):
        analyse(x, 2, sort_ids=forced.sort_ids)


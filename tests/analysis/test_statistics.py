"""poetq.analysis.statistics against scipy.stats (which the analysis no longer imports)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from poetq.analysis.statistics import kendall_tau_b, normal_quantile, rank_columns, t_quantile
from poetq.errors import ValidationError

PROBABILITIES = np.concatenate([np.logspace(-12, -1, 45), np.linspace(0.01, 0.99, 99),
                                1 - np.logspace(-15, -1, 15), [0.025, 0.5, 0.975]])


def test_normal_quantile_matches_scipy_to_machine_precision():
    p = np.concatenate([np.logspace(-300, -12, 60), PROBABILITIES])
    assert_allclose(normal_quantile(p), stats.norm.ppf(p), rtol=1e-14, atol=1e-14)
    assert normal_quantile(0.975) == pytest.approx(1.959963984540054, abs=1e-15)


def test_normal_quantile_ends_and_bad_probabilities():
    assert_array_equal(normal_quantile([0.0, 0.5, 1.0]), [-np.inf, 0.0, np.inf])
    for bad in (-0.1, 1.5, math.nan):
        with pytest.raises(ValidationError):
            normal_quantile(bad)


@pytest.mark.parametrize("df", [0.5, 1, 2, 3, 5, 10, 19.9, 20, 38, 100, 1e3, 1e4, 1e5, 1e7])
def test_t_quantile_matches_scipy(df):
    ours = np.array([t_quantile(float(p), df) for p in PROBABILITIES])
    assert_allclose(ours, stats.t.ppf(PROBABILITIES, df), rtol=3e-12, atol=1e-13)


def test_t_quantile_far_tail_inverts_scipy_cdf():
    # scipy's own t.ppf is off by a factor of 2 out here; its cdf is not.
    for df, p in ((3, 1e-150), (1, 1e-100), (0.5, 1e-60), (40, 1e-200)):
        t = t_quantile(p, df)
        assert stats.t.cdf(t, df) == pytest.approx(p, rel=1e-11)


def test_t_quantile_ends_and_bad_input():
    assert t_quantile(0.5, 7) == 0.0
    assert t_quantile(0.0, 7) == -math.inf and t_quantile(1.0, 7) == math.inf
    with pytest.raises(ValidationError):
        t_quantile(2.0, 7)
    with pytest.raises(ValidationError):
        t_quantile(0.1, 0)


def test_ranks_match_scipy_with_ties():
    rng = np.random.default_rng(3)
    x = rng.integers(-4, 5, size=(41, 120)).astype(float)
    x[:, 0] = 2.0  # one column all tied
    assert_array_equal(rank_columns(x), stats.rankdata(x, axis=0, method="average"))


def test_kendall_tau_b_matches_scipy_pair_by_pair():
    rng = np.random.default_rng(4)
    x = rng.integers(-4, 5, size=(33, 25)).astype(float)
    x[:, 3] = x[:, 4]  # identical sorts: tau = 1
    tau = kendall_tau_b(x)
    for i in range(x.shape[1]):
        for j in range(x.shape[1]):
            assert tau[i, j] == pytest.approx(
                stats.kendalltau(x[:, i], x[:, j]).statistic, abs=1e-13
            )
    assert tau[3, 4] == pytest.approx(1.0)

"""Invariants of the analysis, bad input, and the features beyond qmethod."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poetq.analysis import (
    analyse,
    bootstrap,
    correlate,
    distinguishing,
    factor_arrays,
    factor_guidance,
    invert_factor,
    rotate_factors,
    varimax,
    with_flags,
)
from poetq.domain import Grid
from poetq.errors import ConvergenceWarning, ValidationError
from poetq.formats.sorts_csv import read_sorts_csv
from poetq.simulate import simulate_sorts

DATA = Path(__file__).resolve().parent.parent / "data" / "lipset"
JC_GRID = Grid.symmetric([2, 3, 4, 6, 10, 6, 4, 3, 2])


@pytest.fixture(scope="module")
def lipset():
    return read_sorts_csv(DATA / "sorts.csv")


@pytest.fixture(scope="module")
def sim():
    return simulate_sorts(JC_GRID, 60, n_viewpoints=4, seed=5)


@pytest.mark.parametrize("extraction", ["pca", "centroid"])
def test_rotation_is_orthogonal_and_keeps_communalities(lipset, extraction):
    r = analyse(lipset.values, 3, extraction=extraction)
    rot = r.rotation_matrix
    np.testing.assert_allclose(rot.T @ rot, np.eye(3), atol=1e-12)
    np.testing.assert_allclose((r.loadings**2).sum(1), (r.unrotated**2).sum(1), atol=1e-12)
    np.testing.assert_allclose(r.unrotated @ rot, r.loadings, atol=1e-12)


def test_results_do_not_depend_on_column_order(sim):
    a = analyse(sim.values, 4, sort_ids=sim.sort_ids)
    perm = np.random.default_rng(1).permutation(sim.values.shape[1])
    b = analyse(sim.values[:, perm], 4, sort_ids=[sim.sort_ids[p] for p in perm])
    np.testing.assert_allclose(b.loadings, a.loadings[perm], atol=1e-8)
    np.testing.assert_array_equal(b.flags, a.flags[perm])
    np.testing.assert_allclose(b.zscores, a.zscores, atol=1e-8)
    np.testing.assert_array_equal(b.factor_arrays, a.factor_arrays)
    assert b.qdc_labels == a.qdc_labels


def test_svd_and_eigen_paths_agree(sim):
    """The thin-SVD PCA equals an eigen-decomposition of the correlation matrix."""
    from poetq.analysis import pca

    fast, eig_fast = pca(sim.values, 4)
    slow, eig_slow = pca(sim.values, 4, corr=correlate(sim.values))
    np.testing.assert_allclose(fast, slow, atol=1e-8)
    np.testing.assert_allclose(eig_fast, eig_slow, atol=1e-8)


def test_planted_viewpoints_are_recovered():
    s = simulate_sorts(JC_GRID, 45, n_viewpoints=3, noise=0.4, seed=11)
    r = analyse(s.values, 3)
    # each planted viewpoint's respondents load highest on one and the same factor
    best = np.abs(r.loadings).argmax(axis=1)
    for v in range(3):
        members = best[s.viewpoint_of == v]
        assert np.mean(members == np.bincount(members).argmax()) > 0.9


@settings(max_examples=40, deadline=None)
@given(z=st.lists(st.integers(-3, 3), min_size=40, max_size=40))
def test_factor_arrays_are_valid_sorts_even_with_ties(z):
    dist = np.array(JC_GRID.distribution(), dtype=float)
    arrays = factor_arrays(np.array(z, dtype=float)[:, None], dist)
    np.testing.assert_array_equal(np.sort(arrays[:, 0]), dist)
    zz = np.array(z)
    order = np.argsort(zz, kind="stable")
    assert np.all(np.diff(arrays[order, 0]) >= 0)  # monotone in z


def test_correlation_options_match_scipy(lipset):
    from scipy import stats

    x = lipset.values
    np.testing.assert_allclose(
        correlate(x, cor="spearman"), stats.spearmanr(x).statistic, atol=1e-12
    )
    tau = correlate(x, cor="kendall")
    assert tau[0, 1] == pytest.approx(stats.kendalltau(x[:, 0], x[:, 1]).statistic)
    r = analyse(x, 2, cor="spearman")
    assert r.cor == "spearman" and r.loadings.shape == (9, 2)
    r = analyse(x, 2, cor="kendall")
    assert r.loadings.shape == (9, 2)


def test_extra_rotations_keep_communalities(lipset):
    for rotation in ("quartimax", "none"):
        r = analyse(lipset.values, 3, rotation=rotation)
        np.testing.assert_allclose((r.loadings**2).sum(1), (r.unrotated**2).sum(1), atol=1e-8)


def test_manual_flags_change_the_scores(lipset):
    auto = analyse(lipset.values, 3, sort_ids=lipset.sort_ids)
    flags = np.array(auto.flags)
    flags[:, 2] = False
    flags[8, 2] = True  # FR9 alone defines f3
    manual = with_flags(auto, flags)
    assert manual.manual_flags and manual.characteristics["nload"][2] == 1
    assert not np.allclose(manual.zscores[:, 2], auto.zscores[:, 2])
    same = analyse(lipset.values, 3, flags=flags, sort_ids=lipset.sort_ids)
    np.testing.assert_allclose(same.zscores, manual.zscores)


def test_a_factor_with_no_defining_sort_is_reported_not_a_crash(lipset):
    flags = np.zeros((9, 3), dtype=bool)
    flags[[0, 1], 0] = True
    flags[[2, 3], 1] = True
    r = analyse(lipset.values, 3, flags=flags)
    assert r.empty_factors == (2,)
    assert np.isnan(r.zscores[:, 2]).all() and np.isnan(r.factor_arrays[:, 2]).all()
    assert any("f3 defines no sort" in n for n in r.notes)
    assert r.qdc_pairs == ((0, 1),)
    # an empty factor in the middle works too (qmethod errors)
    flags2 = flags[:, [0, 2, 1]]
    r2 = analyse(lipset.values, 3, flags=flags2)
    assert r2.empty_factors == (1,) and r2.qdc_pairs == ((0, 2),)


def test_judgmental_rotation_and_inversion(lipset):
    r = analyse(lipset.values, 3)
    turned = rotate_factors(r, 1, 2, 30)
    np.testing.assert_allclose(
        turned.rotation_matrix.T @ turned.rotation_matrix, np.eye(3), atol=1e-12
    )
    np.testing.assert_allclose((turned.loadings**2).sum(1), (r.loadings**2).sum(1), atol=1e-12)
    c, s = np.cos(np.pi / 6), np.sin(np.pi / 6)
    np.testing.assert_allclose(
        turned.loadings[:, 0], c * r.loadings[:, 0] - s * r.loadings[:, 1], atol=1e-12
    )
    back = rotate_factors(turned, 1, 2, -30)
    np.testing.assert_allclose(back.loadings, r.loadings, atol=1e-12)
    assert turned.adjustments == (("rotate", 1, 2, 30),)
    inv = invert_factor(r, 2)
    np.testing.assert_allclose(inv.loadings[:, 1], -r.loadings[:, 1])
    np.testing.assert_allclose(inv.zscores[:, 1], -r.zscores[:, 1], atol=1e-12)
    with pytest.raises(ValidationError, match="no factor 4"):
        invert_factor(r, 4)
    with pytest.raises(ValidationError, match="two different factors"):
        rotate_factors(r, 1, 1, 10)


def test_labels_are_right_for_ten_or_more_factors():
    """qmethod matches 'f1' inside 'f10'; poetq matches factor indices exactly."""
    n, k = 6, 11
    z = np.zeros((n, k))
    z[0, 0] = 10.0  # statement 0: factor 1 differs from all others, nothing else differs
    sed = np.full((k, k), 0.1)
    _, _, _, labels = distinguishing(z, sed, list(range(k)))
    assert labels[0] == "Distinguishes f1 only"
    z2 = np.zeros((n, k))
    z2[0, 9] = 10.0
    _, _, _, labels2 = distinguishing(z2, sed, list(range(k)))
    assert labels2[0] == "Distinguishes f10 only"
    assert labels2[1] == "Consensus"


def test_varimax_warns_when_it_does_not_converge(lipset):
    r = analyse(lipset.values, 3, rotation="none")
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        varimax(np.asarray(r.unrotated), max_iter=1, eps=-1.0)


def test_guidance(lipset):
    g = factor_guidance(lipset.values, seed=1, iterations=50)
    np.testing.assert_allclose(g.eigenvalues[:2], [2.38377318900568, 2.01532507454543], atol=1e-10)
    assert g.kaiser == 4 and 1 <= g.humphrey <= 8 and g.parallel.shape[0] == 9
    again = factor_guidance(lipset.values, seed=1, iterations=50)
    np.testing.assert_array_equal(g.parallel, again.parallel)


def test_bootstrap_is_seeded_and_aligned(sim):
    b1 = bootstrap(sim.values, 4, steps=20, seed=3)
    b2 = bootstrap(sim.values, 4, steps=20, seed=3)
    np.testing.assert_array_equal(b1.zscore_mean, b2.zscore_mean)
    assert b1.valid_steps >= 15
    # planted viewpoints are stable: bootstrap mean z-scores close to the full sample's
    corr = [np.corrcoef(b1.zscore_mean[:, f], b1.full.zscores[:, f])[0, 1] for f in range(4)]
    assert min(corr) > 0.95
    assert np.all((b1.flag_freq >= 0) & (b1.flag_freq <= 1))
    np.testing.assert_array_equal(np.sort(b1.array[:, 0]), np.sort(JC_GRID.distribution()))
    calls = []
    bootstrap(sim.values, 2, steps=5, seed=1, progress=calls.append)
    assert calls == [1, 2, 3, 4, 5]


BAD = [
    (lambda x: np.where(np.arange(x.shape[1]) == 2, 0, x), 3, r"same column \(zero variance\)"),
    (
        lambda x: np.where(
            (np.arange(x.shape[0])[:, None] == 4) & (np.arange(x.shape[1]) == 1), np.nan, x
        ),
        3,
        "has no number",
    ),
    (
        lambda x: np.c_[
            x[:, :1] * 0
            + np.r_[x[1:, 0], x[:1, 0]][:, None]
            + (np.arange(x.shape[0]) == 0)[:, None],
            x[:, 1:],
        ],
        3,
        "does not follow the distribution",
    ),
    (lambda x: x, 10, "cannot extract 10 factors from 9 sorts"),
    (lambda x: x, 0, "at least 1"),
    (lambda x: x[:1], 1, "at least 2 statements"),
]


@pytest.mark.parametrize("change,k,message", BAD)
def test_bad_input_gives_a_clear_error(lipset, change, k, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        x = change(lipset.values.copy())
    with pytest.raises(ValidationError, match=message):
        analyse(x, k, sort_ids=lipset.sort_ids[: x.shape[1]] if x.ndim == 2 else None)


def test_duplicate_sort_ids_and_unforced_with_distribution(lipset):
    ids = list(lipset.sort_ids)
    ids[1] = ids[0]
    with pytest.raises(ValidationError, match="used more than once"):
        analyse(lipset.values, 2, sort_ids=ids)
    x = lipset.values.copy()
    x[1, 0] = 1  # US1 statement 2: +1 instead of 0 (the kade 'unforced' file)
    with pytest.raises(ValidationError, match="US1|does not follow"):
        analyse(x, 2, sort_ids=lipset.sort_ids)
    r = analyse(x, 2, sort_ids=lipset.sort_ids, distribution=np.sort(lipset.values[:, 1]))
    np.testing.assert_array_equal(np.sort(r.factor_arrays[:, 0]), np.sort(lipset.values[:, 1]))


def test_result_is_read_only(lipset):
    r = analyse(lipset.values, 2)
    with pytest.raises(ValueError):
        r.loadings[0, 0] = 1.0
    x = lipset.values.copy()
    analyse(x, 2)
    np.testing.assert_array_equal(x, lipset.values)  # input untouched

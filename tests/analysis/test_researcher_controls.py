"""Researcher controls: inverting a factor, splitting a bipolar one, the auto-flag options and
the communalities (h²), on lipset and on the free-sort synthetic data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from poetq.analysis import (
    AnalysisOptions,
    analyse,
    auto_flags,
    invert_factor,
    split_factor,
    with_flags,
)
from poetq.errors import ValidationError
from poetq.formats.sorts_csv import read_sorts_csv

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def lipset():
    return read_sorts_csv(DATA / "lipset" / "sorts.csv")


@pytest.fixture(scope="module")
def bipolar():
    """A study whose f1 has sorts flagged at both poles (synth_a, 3 factors, from the R cases)."""
    table = read_sorts_csv(DATA / "rotations" / "synth_a" / "sorts.csv")
    r = analyse(table.values, 3, sort_ids=table.sort_ids)
    f = next(f for f in range(3) if (r.flags[:, f] & (r.loadings[:, f] < 0)).any()
             and (r.flags[:, f] & (r.loadings[:, f] > 0)).any())
    return table, r, f


def test_invert_mirrors_loadings_scores_and_array(lipset):
    r = analyse(lipset.values, 3)
    inv = invert_factor(r, 2)
    np.testing.assert_allclose(inv.loadings[:, 1], -r.loadings[:, 1])
    np.testing.assert_allclose(inv.zscores[:, 1], -r.zscores[:, 1])
    np.testing.assert_array_equal(np.sort(inv.factor_arrays[:, 1]), np.sort(r.factor_arrays[:, 1]))
    np.testing.assert_array_equal(inv.factor_arrays[:, 1], -r.factor_arrays[:, 1])  # symmetric grid
    np.testing.assert_allclose(inv.zscores[:, [0, 2]], r.zscores[:, [0, 2]])
    np.testing.assert_array_equal(inv.flags, r.flags)
    np.testing.assert_allclose(inv.communalities, r.communalities)
    with pytest.raises(ValidationError, match="no factor 4"):
        invert_factor(r, 4)


def test_split_gives_each_pole_its_own_sorts_and_array(bipolar):
    table, r, f = bipolar
    neg = r.flags[:, f] & (r.loadings[:, f] < 0)
    pos = r.flags[:, f] & (r.loadings[:, f] > 0)
    s = split_factor(r, f + 1)
    k = r.n_factors
    assert s.n_factors == k + 1 and s.manual_flags
    np.testing.assert_array_equal(s.flags[:, f], pos)
    np.testing.assert_array_equal(s.flags[:, k], neg)
    np.testing.assert_allclose(s.loadings[:, k], -r.loadings[:, f])
    # each pole's z-scores come from its own sorts only, all with positive weights
    x = np.asarray(table.values, dtype=float)
    for col, members in ((f, pos), (k, neg)):
        a = s.loadings[members, col]
        assert (a > 0).all()
        total = x[:, members] @ (a / (1 - a**2))
        np.testing.assert_allclose(s.zscores[:, col], (total - total.mean()) / total.std(ddof=1))
    np.testing.assert_allclose(s.communalities, r.communalities)
    np.testing.assert_allclose(s.unrotated @ s.rotation_matrix, s.loadings, atol=1e-12)
    assert any(f"f{k + 1} is the negative pole of f{f + 1}" in n for n in s.notes)
    assert s.qdc_pairs and (f, k) in s.qdc_pairs


def test_split_refuses_a_factor_that_is_not_bipolar(lipset):
    r = analyse(lipset.values, 3)
    flags = np.array(r.flags) & (np.asarray(r.loadings) > 0)  # keep only positive defining sorts
    unipolar = with_flags(r, flags)
    with pytest.raises(ValidationError, match="not bipolar"):
        split_factor(unipolar, 1)
    only_negative = with_flags(r, np.array(r.flags) & (np.asarray(r.loadings) < 0))
    f = int(np.where(only_negative.flags.any(axis=0))[0][0])
    with pytest.raises(ValidationError, match="invert the factor"):
        split_factor(only_negative, f + 1)


@pytest.mark.parametrize("p,z", [(0.05, 1.96), (0.01, 2.58), (0.001, 3.29)])
def test_flag_p_sets_the_significance_threshold(lipset, p, z):
    r = analyse(lipset.values, 3, flag_p=p)
    a = np.asarray(r.loadings)
    a2 = a**2
    expected = (a2 > a2.sum(1, keepdims=True) - a2) & (np.abs(a) > z / np.sqrt(33))
    np.testing.assert_array_equal(r.flags, expected)
    assert r.flag_rule.startswith(f"automatic: |a| > {z:g}/")


def test_stricter_flags_flag_fewer_sorts(lipset):
    counts = [int(analyse(lipset.values, 3, flag_p=p).flags.sum()) for p in (0.05, 0.01, 0.001)]
    assert counts[0] >= counts[1] >= counts[2] and counts[0] > counts[2]


def test_no_majority_flags_significant_sorts_on_their_largest_loading():
    a = np.array([[0.5, 0.4, 0.4], [0.2, 0.1, 0.0], [-0.5, 0.45, 0.1], [0.1, 0.7, 0.0]])
    with_rule = auto_flags(a, 33)
    without = auto_flags(a, 33, majority=False)
    F, T = False, True
    np.testing.assert_array_equal(with_rule, [[F, F, F], [F, F, F], [T, F, F], [F, T, F]])
    np.testing.assert_array_equal(without, [[T, F, F], [F, F, F], [T, F, F], [F, T, F]])
    assert (without.sum(axis=1) <= 1).all()


def test_options_record_carries_the_controls_and_says_them_in_the_method_line():
    o = AnalysisOptions(factors=3, flag_p="0.01", no_majority=True, invert=(2,), split=(1,),
                        distribution=(-1.0, 0.0, 0.0, 1.0))
    assert AnalysisOptions.from_json(o.to_json()) == o
    line = o.describe()
    assert "p < .01" in line and "a² > h² − a²" not in line and "inverted f2" in line
    assert "bipolar split of f1" in line and "free distribution" in line
    assert "a² > h² − a²" in AnalysisOptions(factors=2).describe()
    assert AnalysisOptions(factors=2, invert=(3,)).problems() == [
        "invert: there is no factor 3, choose 1 to 2"
    ]
    assert o.analyse_kwargs()["flag_p"] == 0.01 and o.analyse_kwargs()["majority"] is False

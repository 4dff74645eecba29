"""The distinguishing rule against R qmethod's ``dist.and.cons`` labels.

qmethod labels a statement "Distinguishes all", "Distinguishes fN only" or "Distinguishes fN"
(two factors: "Distinguishing") when every pair involving factor N differs significantly;
:func:`poetq.analysis.marks.distinguishing_marks` must mark exactly those statements of factor N,
on the lipset reference runs (tests/data/lipset) and on the demo's 60 sorts with 5 factors
(tests/data/demo, made by tests/r/demo_labels.R).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from poetq.analysis import analyse
from poetq.analysis.marks import distinguishing_marks
from poetq.formats.qmethod_csv import read_table
from poetq.formats.sorts_csv import read_sorts_csv

DATA = Path(__file__).resolve().parent.parent / "data"
RUNS = {
    ("lipset", "pca_varimax_3"): dict(n_factors=3, extraction="pca"),
    ("lipset", "pca_varimax_2"): dict(n_factors=2, extraction="pca"),
    ("lipset", "centroid_varimax_3"): dict(n_factors=3, extraction="centroid"),
    ("demo", "pca_varimax_5"): dict(n_factors=5, extraction="pca"),
}


def qmethod_sets(labels: list[str], k: int) -> dict[int, set[int]]:
    """Factor index -> statements qmethod's labels call distinguishing for it."""
    out: dict[int, set[int]] = {f: set() for f in range(k)}
    for i, label in enumerate(labels):
        if label in ("Distinguishes all", "Distinguishing"):
            for f in range(k):
                out[f].add(i)
        for n in re.findall(r"Distinguishes f(\d+)", label):
            out[int(n) - 1].add(i)
    return out


def _run(data: str, name: str):
    opts = RUNS[(data, name)]
    table = read_sorts_csv(DATA / data / "sorts.csv")
    result = analyse(table.values, opts["n_factors"], extraction=opts["extraction"],
                     sort_ids=table.sort_ids, statement_ids=table.statement_ids)
    _, ids, cells = read_table(DATA / data / name / "distinguishing_consensus.csv")
    assert list(ids) == list(result.statement_ids)
    return result, [row[0] for row in cells]


@pytest.mark.parametrize(("data", "name"), list(RUNS))
def test_marks_equal_qmethods_distinguishes_labels(data, name):
    result, labels = _run(data, name)
    assert list(result.qdc_labels) == labels  # the tests behind the marks are qmethod's
    k = result.n_factors
    expected = qmethod_sets(labels, k)
    consensus = {i for i, lab in enumerate(labels) if lab == "Consensus"}
    for f in range(k):
        marks = distinguishing_marks(result.qdc_pairs, result.qdc_diffs, result.qdc_sig,
                                     result.qdc_labels, f)
        assert {i for i, m in marks.items() if m != "consensus"} == expected[f], f"factor {f + 1}"
        assert {i for i, m in marks.items() if m == "consensus"} == consensus
        z = np.asarray(result.zscores)
        for i, mark in marks.items():
            others = [z[i, f] - z[i, g] for g in range(k) if g != f]
            if mark.startswith("higher"):
                assert min(others) > 0
            elif mark.startswith("lower"):
                assert max(others) < 0
            elif mark.startswith("differs"):
                assert min(others) < 0 < max(others)


def test_lipset_factor_3_marks_statements_1_7_19_without_an_arrow():
    result, _ = _run("lipset", "pca_varimax_3")
    marks = distinguishing_marks(result.qdc_pairs, result.qdc_diffs, result.qdc_sig,
                                 result.qdc_labels, 2)
    for number in (1, 7, 19):
        assert marks[number - 1].startswith("differs"), number


def test_level_is_01_only_when_every_difference_is():
    pairs = [(0, 1), (0, 2), (1, 2)]
    diffs = np.array([[2.0, 2.0, 0.0], [2.0, -2.0, -4.0], [2.0, 2.0, 0.0]])
    sig = np.array([["**", "***", ""], ["6*", "**", "***"], ["*", "**", ""]], dtype=object)
    labels = ["Distinguishes f1 only", "Distinguishes all", "Distinguishes f1 only"]
    assert distinguishing_marks(pairs, diffs, sig, labels, 0) == {
        0: "higher01", 1: "differs01", 2: "higher05"}
    assert distinguishing_marks(pairs, diffs, sig, labels, 1) == {1: "lower01"}
    assert distinguishing_marks(pairs, diffs, sig, labels, 2) == {1: "higher01"}

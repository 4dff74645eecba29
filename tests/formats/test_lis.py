"""The PQMethod-style .LIS report: PQMethod's sections in PQMethod's order (the titles R
qmethod's export.qm(style = "PQMethod") also uses), and their numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from poetq.analysis import analyse
from poetq.analysis.marks import distinguishing_marks
from poetq.formats.lis import SECTIONS, format_lis
from poetq.formats.sorts_csv import read_sorts_csv

DATA = Path(__file__).resolve().parent.parent / "data" / "lipset"


@pytest.fixture(scope="module")
def result():
    t = read_sorts_csv(DATA / "sorts.csv")
    return analyse(t.values, 3, sort_ids=t.sort_ids, statement_ids=t.statement_ids)


def section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(title) + 2
    end = next((i for i in range(start, len(lines)) if lines[i] == "" ), len(lines))
    return lines[start:end]


def test_sections_follow_pqmethods_order(result):
    text = format_lis(result)
    expected = []
    for title in SECTIONS:
        if "{g}" in title:
            expected += [title.format(f=a, g=b) for a, b in ((1, 2), (1, 3), (2, 3))]
        elif "{f}" in title:
            expected += [title.format(f=f) for f in (1, 2, 3)]
        else:
            expected.append(title)
    lines = text.splitlines()
    positions = [lines.index(t) for t in expected]
    assert positions == sorted(positions)


def test_ranks_differences_and_communalities(result):
    text = format_lis(result)
    rows = section(text, "Factor Scores with Corresponding Ranks")[1:]
    ranks = np.array([[int(x) for x in r.split()[-5::2]] for r in rows])
    for f in range(3):
        assert sorted(ranks[:, f]) == list(range(1, 34))
        assert ranks[int(np.argmax(result.zscores[:, f])), f] == 1
    diffs = section(text, "Descending Array of Differences Between Factors 1 and 3")[1:]
    values = [float(r.split()[-1]) for r in diffs]
    assert values == sorted(values, reverse=True)
    top = int(np.argmax(result.zscores[:, 0] - result.zscores[:, 2]))
    assert diffs[0].split()[0] == str(top + 1)
    np.testing.assert_allclose(
        values[0], result.zscores[top, 0] - result.zscores[top, 2], atol=5e-4
    )
    cum = section(text, "Cumulative Communalities Matrix")[1:10]
    np.testing.assert_allclose([float(r.split()[-1]) for r in cum], result.communalities, atol=5e-5)
    matrix = section(text, "Factor Matrix with an X Indicating a Defining Sort")[1:10]
    np.testing.assert_allclose(
        [float(r.split()[-1]) for r in matrix], result.communalities, atol=5e-5
    )


def test_asterisk_marks_every_statement_significant_at_p01(result):
    """PQMethod's asterisk: p < .01 against every other factor ('**', '***' and '6*' all count;
    a count("*") >= 2 test missed '6*')."""
    text = format_lis(result)
    starred = 0
    for f in range(3):
        rows = section(text, f"Distinguishing Statements for Factor {f + 1}")[2:]
        marks = distinguishing_marks(list(result.qdc_pairs), result.qdc_diffs, result.qdc_sig,
                                     result.qdc_labels, f)
        for row in rows:
            i = int(row.split()[0]) - 1
            pairs = [p for p, (a, b) in enumerate(result.qdc_pairs) if f in (a, b)]
            strong = all(result.qdc_sig[i, p] in ("**", "***", "6*") for p in pairs)
            assert ("*" in row) == strong, (f, row, marks[i])
            starred += strong
    assert starred >= 17

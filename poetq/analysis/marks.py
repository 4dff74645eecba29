"""Which statements a factor ranks apart from every other: the one rule of every output.

Composite Q-sorts, crib sheets, the report and the ``.LIS`` all read their marks from
:func:`distinguishing_marks`, so a statement is marked the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: Every mark :func:`distinguishing_marks` gives. ``higher``/``lower``: significant against
#: every other factor in the same direction; ``differs``: significant against every other
#: factor but in mixed directions; ``01``/``05``: every difference at p < .01, or at least one
#: only at p < .05; ``consensus``: no pair of factors differs.
MARKS = ("higher01", "higher05", "lower01", "lower05", "differs01", "differs05", "consensus")


def distinguishing_marks(
    pairs: Sequence[tuple[int, int]],
    diffs: np.ndarray,
    sig: np.ndarray,
    labels: Sequence[str],
    factor: int,
) -> dict[int, str]:
    """The distinguishing and consensus marks of one factor's statements.

    Parameters
    ----------
    pairs : sequence of (int, int)
        Pairs of 0-based factor indices, as ``AnalysisResult.qdc_pairs``.
    diffs : ndarray, shape (n_statements, n_pairs)
        The differences ``z[:, a] - z[:, b]`` for each pair (a, b).
    sig : ndarray of str, shape (n_statements, n_pairs)
        Significance labels ``""``, ``*`` (p < .05), ``**`` (p < .01), ``***``, ``6*``.
    labels : sequence of str
        The ``dist.and.cons`` labels of qmethod; ``"Consensus"`` marks consensus statements.
    factor : int
        0-based factor index.

    Returns
    -------
    dict of int to str
        Statement index -> one of :data:`MARKS`; statements without a mark are absent.

    Notes
    -----
    A statement is distinguishing for factor F when |z_F - z_G| > 1.96 SED_FG for every other
    factor G that defines a sort (PQMethod's "distinguishing statements"; qmethod's
    "Distinguishes all", "Distinguishes fF only" and "Distinguishes fF" labels, Zabala 2014).
    It is ``01`` when every such difference exceeds 2.576 SED (PQMethod's asterisk). The
    direction (``higher``/``lower``) is given only when z_F - z_G has one sign for every G;
    otherwise the mark is ``differs``. With one defined factor there is nothing to compare.
    """
    marks: dict[int, str] = {}
    mine = [(p, 1.0 if a == factor else -1.0) for p, (a, b) in enumerate(pairs) if factor in (a, b)]
    for i, label in enumerate(labels):
        if label == "Consensus":
            marks[i] = "consensus"
            continue
        if not mine:
            continue
        levels = [str(sig[i, p]) for p, _ in mine]
        if not all(levels):
            continue
        level = "05" if "*" in levels else "01"
        signs = {np.sign(float(diffs[i, p]) * s) for p, s in mine}
        kind = "higher" if signs == {1.0} else "lower" if signs == {-1.0} else "differs"
        marks[i] = kind + level
    return marks

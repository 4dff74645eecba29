"""What an analysis is given, checked before any work: the sorts, their names, the grid."""

from __future__ import annotations

from collections import Counter

import numpy as np

from poetq.errors import ValidationError


def validate_sorts(
    sorts,
    *,
    distribution=None,
    sort_ids=None,
    statement_ids=None,
):
    """Check the sorts and their names before an analysis, naming the first problem.

    Parameters
    ----------
    sorts : array_like of shape (n_statements, n_sorts)
        Grid values.
    distribution : array_like of shape (n_statements,), optional
        The nominal grid of free sorts; without it every sort must share one distribution.
    sort_ids, statement_ids : sequence, optional
        Names of the columns and rows (default 1, 2, ...).

    Returns
    -------
    sorts : ndarray of shape (n_statements, n_sorts)
        As floats.
    distribution : ndarray of shape (n_statements,)
        Ascending.
    sort_ids, statement_ids : tuple of str
        The names.

    Raises
    ------
    ValidationError
        If the sorts are not a finite numeric table of at least 2 x 2, names do not match its
        shape or repeat a sort, a sort has zero variance, or (without ``distribution``) a sort
        departs from the most common distribution.

    Notes
    -----
    R qmethod: the checks at the top of ``qmethod()``; with ``forced = TRUE`` it compares every
    sort with the first one's distribution, here with the most common one, so the sort named
    is the odd one out.
    """
    try:
        x = np.asarray(sorts, dtype=float)
    except (TypeError, ValueError):
        raise ValidationError("the sorts must be numbers (grid values)") from None
    if x.ndim != 2:
        raise ValidationError(
            "the sorts must be a table: one row per statement, one column per sort"
        )
    n, m = x.shape
    if n < 2 or m < 2:
        raise ValidationError(
            f"need at least 2 statements and 2 sorts (got {n} statements, {m} sorts)"
        )
    sort_ids = tuple(str(s) for s in (sort_ids if sort_ids is not None else range(1, m + 1)))
    statement_ids = tuple(
        str(s) for s in (statement_ids if statement_ids is not None else range(1, n + 1))
    )
    if len(sort_ids) != m or len(statement_ids) != n:
        raise ValidationError("the sort ids and statement ids must match the table's shape")
    dup = [s for s, c in Counter(sort_ids).items() if c > 1]
    if dup:
        raise ValidationError(f"sort id {dup[0]!r} is used more than once")
    bad = np.argwhere(~np.isfinite(x))
    if len(bad):
        i, j = bad[0]
        raise ValidationError(
            f"sort {sort_ids[j]!r} has no number for statement {statement_ids[i]!r}"
        )
    flat = np.where(np.ptp(x, axis=0) == 0)[0]
    if len(flat):
        raise ValidationError(
            f"sort {sort_ids[flat[0]]!r} puts every statement in the same column (zero variance)"
        )
    if distribution is None:
        ordered = np.sort(x, axis=0)
        # The most common distribution is the grid; name the first sort that departs from it
        # (comparing with the first sort would blame every sort when the first is the odd one).
        shapes = Counter(tuple(col) for col in ordered.T)
        common = np.array(max(shapes, key=lambda shape: shapes[shape]))
        differs = np.where((ordered != common[:, None]).any(axis=0))[0]
        if len(differs):
            j = differs[0]
            grid = ",".join(f"{v:g}" for v in common)
            raise ValidationError(
                f"sort {sort_ids[j]!r} does not follow the distribution of the other sorts: for "
                f"free (unforced) sorts give the nominal grid, one value per statement, with "
                f"--distribution (e.g. --distribution {grid}) or forced = false in the Q-set"
            )
        distribution = common.astype(float)
    else:
        distribution = np.sort(np.asarray(distribution, dtype=float))
        if distribution.shape != (n,):
            raise ValidationError(
                f"the distribution has {distribution.size} values but there are {n} statements"
            )
    return x, distribution, sort_ids, statement_ids

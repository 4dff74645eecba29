"""Solutions side by side: what changes from k to k + 1 factors.

Pure summaries of :class:`~poetq.analysis.pipeline.AnalysisResult` objects of the same sorts
(numpy only): per factor the SS loadings, explained variance and defining sorts; the sorts
that define no factor and those that are confounded; the largest correlation between factor
scores; and where the sorts defining each factor of k go in the solution with k + 1.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from poetq.errors import ValidationError


@dataclass(frozen=True)
class Solution:
    """One number of factors, summarised for comparison with the next.

    Attributes
    ----------
    k : int
        Number of factors.
    ss_loadings : tuple of float
        Sum of squared rotated loadings per factor.
    explained : tuple of float
        Percent of variance explained per factor.
    defining : tuple of tuple of str
        The sorts flagged on each factor.
    no_factor : tuple of str
        Sorts flagged on no factor.
    confounded : tuple of str
        Sorts that load significantly on more than one factor.
    largest_cor : float or None
        The largest (in absolute value) correlation between two factors' z-scores.
    largest_pair : (int, int) or None
        Its factors (1-based).
    factor_of : tuple of int
        Each sort's flagged factor (1-based), 0 for none.
    """

    k: int
    ss_loadings: tuple[float, ...]
    explained: tuple[float, ...]
    defining: tuple[tuple[str, ...], ...]
    no_factor: tuple[str, ...]
    confounded: tuple[str, ...]
    largest_cor: float | None
    largest_pair: tuple[int, int] | None
    factor_of: tuple[int, ...]

    @property
    def total_explained(self) -> float:
        """Percent of variance the k factors explain together."""
        return float(sum(self.explained))


@dataclass(frozen=True)
class Comparison:
    """Solutions for each k of the same sorts, and the moves from each k to k + 1.

    Attributes
    ----------
    sort_ids : tuple of str
        The sorts, in order.
    solutions : tuple of Solution
        One per number of factors, by increasing k.
    """

    sort_ids: tuple[str, ...]
    solutions: tuple[Solution, ...]

    def moves(self, k: int) -> list[tuple[int, int, tuple[str, ...]]]:
        """Where the sorts of each factor at k go at k + 1.

        Parameters
        ----------
        k : int
            The smaller number of factors.

        Returns
        -------
        list of (int, int, tuple of str)
            ``(factor at k, factor at k + 1, sorts)`` for every pair that shares sorts (0 = no
            factor), by the factor at k, then the number of sorts (largest first).

        Raises
        ------
        ValidationError
            If there are no solutions with k and k + 1 factors.
        """
        by_k = {s.k: s for s in self.solutions}
        if k not in by_k or k + 1 not in by_k:
            raise ValidationError(f"there is no solution with {k} and {k + 1} factors to compare")
        a, b = by_k[k].factor_of, by_k[k + 1].factor_of
        groups: dict[tuple[int, int], list[str]] = {}
        for sid, fa, fb in zip(self.sort_ids, a, b):
            groups.setdefault((fa, fb), []).append(sid)
        order = sorted(groups, key=lambda p: (p[0] == 0, p[0], -len(groups[p]), p[1]))
        return [(fa, fb, tuple(groups[(fa, fb)])) for fa, fb in order]


def summarise_solution(result) -> Solution:
    r"""The :class:`Solution` of one analysis result.

    Parameters
    ----------
    result : AnalysisResult
        An analysis.

    Returns
    -------
    Solution
        Its summary.

    Notes
    -----
    A sort is *confounded* when it loads significantly, :math:`|a| > 1.96/\sqrt{n}` (p < .05,
    n statements), on more than one factor (Brown 1980; Watts & Stenner 2012, ch. 6).
    ``largest_cor`` is :math:`\max_{f<g} |r(z_f, z_g)|` over defined factors (with its sign).
    qmethod has no such summary: it means running ``qmethod()`` once per k.
    """
    loadings = np.asarray(result.loadings, dtype=float)
    flags = np.asarray(result.flags, dtype=bool)
    k = loadings.shape[1]
    ch = result.characteristics
    threshold = 1.96 / np.sqrt(len(result.statement_ids))
    significant = (np.abs(loadings) > threshold).sum(axis=1)
    ids = result.sort_ids
    factor_of = tuple(int(np.argmax(row)) + 1 if row.any() else 0 for row in flags)
    cor = np.asarray(result.cor_zsc, dtype=float)
    best, pair = None, None
    for a in range(k):
        for b in range(a + 1, k):
            v = cor[a, b]
            if np.isfinite(v) and (best is None or abs(v) > abs(best)):
                best, pair = float(v), (a + 1, b + 1)
    return Solution(
        k=k,
        ss_loadings=tuple(float(x) for x in ch["eigenvals"]),
        explained=tuple(float(x) for x in ch["expl_var"]),
        defining=tuple(tuple(s for s, f in zip(ids, factor_of) if f == i + 1) for i in range(k)),
        no_factor=tuple(s for s, f in zip(ids, factor_of) if f == 0),
        confounded=tuple(s for s, n in zip(ids, significant) if n > 1),
        largest_cor=best,
        largest_pair=pair,
        factor_of=factor_of,
    )


def compare_results(results) -> Comparison:
    """The :class:`Comparison` of results of the same sorts, in the order of k.

    Parameters
    ----------
    results : iterable of AnalysisResult
        Analyses of the same sorts with different numbers of factors.

    Returns
    -------
    Comparison
        The solutions by increasing k.

    Raises
    ------
    ValidationError
        If no result is given, or they are not of the same sorts.

    Notes
    -----
    Each result is summarised by :func:`summarise_solution`; the moves between k and k + 1
    cross-tabulate the sorts' flagged factors. qmethod has no equivalent.
    """
    results = sorted(results, key=lambda r: r.n_factors)
    if not results:
        raise ValidationError("give at least one number of factors to compare")
    ids = results[0].sort_ids
    if any(r.sort_ids != ids for r in results):
        raise ValidationError("the solutions to compare must be of the same sorts")
    return Comparison(sort_ids=tuple(ids), solutions=tuple(summarise_solution(r) for r in results))


def move_counts(comparison: Comparison, k: int) -> Counter:
    r"""How many sorts move between each pair of factors from k to k + 1.

    Parameters
    ----------
    comparison : Comparison
        Solutions of the same sorts.
    k : int
        The smaller number of factors.

    Returns
    -------
    collections.Counter
        ``{(factor at k, factor at k + 1): number of sorts}`` (0 = no factor).

    Notes
    -----
    The cross-tabulation :math:`n_{ab} = \#\{j : F_k(j) = a,\ F_{k+1}(j) = b\}` of the sorts'
    flagged factors. qmethod has no equivalent.
    """
    return Counter({(a, b): len(s) for a, b, s in comparison.moves(k)})

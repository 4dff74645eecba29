"""From rotated loadings to a factor's viewpoint, as R ``qmethod`` 1.8.4 computes it.

Flags (which sorts define a factor), weighted z-scores, factor arrays, the factors'
characteristics, and distinguishing and consensus statements. Loadings and flags are
``(n_sorts, n_factors)``; z-scores and factor arrays ``(n_statements, n_factors)``. A flagged
sort with a negative loading enters its factor mirrored (negative weight).

References
----------
Brown, S. R. (1980). *Political subjectivity*. Yale University Press.
Zabala, A. (2014). qmethod: a package to explore human perspectives using Q methodology.
*The R Journal*, 6(2), 163-173.
"""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np

from poetq.errors import ValidationError

#: Two-sided normal quantiles of the significance levels a flag may ask for (Brown 1980:
#: a loading is significant when it exceeds z / sqrt(n_statements); 2.58 as PQMethod).
FLAG_Z = {0.05: 1.96, 0.01: 2.58, 0.001: 3.29}
#: Significance thresholds in SED units for p < .05, .01, .001 and 1e-6 (qmethod's qdc).
SIG_LEVELS = ((4.8916, "6*"), (3.291, "***"), (2.576, "**"), (1.96, "*"))


def auto_flags(loadings: np.ndarray, n_statements: int, *, flag_p: float = 0.05,
               majority: bool = True) -> np.ndarray:
    r"""Automatic flags: which sorts define which factor (qmethod's ``qflag`` by default).

    Parameters
    ----------
    loadings : ndarray of shape (n_sorts, k)
        Rotated loadings.
    n_statements : int
        Number of statements, for the significance threshold.
    flag_p : {0.05, 0.01, 0.001}, default 0.05
        Significance a loading needs: ``|a| > z / sqrt(n_statements)`` with z = 1.96, 2.58 or
        3.29 (:data:`FLAG_Z`).
    majority : bool, default True
        Also require the factor to hold most of the sort's common variance (below), so that a
        sort is flagged on at most one factor. False drops this rule; a sort significant on
        several factors is then flagged on the one of largest ``|a|`` (the first of equal ones).

    Returns
    -------
    ndarray of bool, shape (n_sorts, k)
        At most one True per row.

    Raises
    ------
    ValidationError
        If ``flag_p`` is not one of the three levels.

    Notes
    -----
    Sort j is flagged on factor f when (both strictly)

    .. math:: |a_{jf}| > \frac{z_p}{\sqrt{n}} \quad\text{and}\quad
              a_{jf}^2 > h_j^2 - a_{jf}^2, \qquad h_j^2 = \sum_g a_{jg}^2,

    that is :math:`a_{jf}^2 > h_j^2 / 2`, with ``n`` statements and the sum over the k
    factors' loadings (Brown 1980: the standard error of a loading is :math:`1/\sqrt{n}`).
    Negative loadings are flagged too. R qmethod: ``qflag(loa, nstat)`` is
    ``flag_p = 0.05, majority = True``; qmethod has no other level.
    """
    if flag_p not in FLAG_Z:
        raise ValidationError(f"flag_p must be one of {', '.join(str(p) for p in FLAG_Z)}")
    significant = np.abs(loadings) > FLAG_Z[flag_p] / np.sqrt(n_statements)
    if majority:
        a2 = loadings**2
        rest = a2.sum(axis=1, keepdims=True) - a2
        return (a2 > rest) & significant
    largest = np.abs(loadings) == np.abs(loadings).max(axis=1, keepdims=True)
    first = np.cumsum(largest, axis=1) == 1  # one factor per sort, the first of equal ones
    return significant & largest & first


def zscores(sorts: np.ndarray, loadings: np.ndarray, flags: np.ndarray) -> np.ndarray:
    r"""Factor scores: weighted z-scores per statement and factor (qmethod's ``qzscores``).

    Parameters
    ----------
    sorts : ndarray of shape (n_statements, n_sorts)
        Grid values.
    loadings : ndarray of shape (n_sorts, k)
        Rotated loadings.
    flags : ndarray of bool, shape (n_sorts, k)
        Which sorts define each factor.

    Returns
    -------
    ndarray of shape (n_statements, k)
        Each defined column has mean 0 and sample SD 1; a factor no sort defines is all NaN.

    Raises
    ------
    ValidationError
        If a flagged sort has ``|a| >= 1`` (its weight would be undefined).

    Notes
    -----
    Brown's weight of a flagged sort, 0 for the others (a negative loading gives a negative
    weight: the sort enters mirrored),

    .. math:: w_{jf} = \frac{a_{jf}}{1 - a_{jf}^2},

    the weighted sum of the raw grid values :math:`S_{if} = \sum_j w_{jf} x_{ij}`, and

    .. math:: z_{if} = \frac{S_{if} - \bar S_f}{s_f}, \qquad
              s_f^2 = \frac{1}{n - 1} \sum_i (S_{if} - \bar S_f)^2

    (the sample SD, as qmethod; its issue #65). R qmethod:
    ``qzscores(dataset, nfactors, loa, flagged)$zsc``.
    """
    if np.any(flags & (np.abs(loadings) >= 1)):
        raise ValidationError("a flagged sort has a loading of 1 or more: its weight is undefined")
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = np.where(flags, loadings / (1 - loadings**2), 0.0)
    total = sorts @ weights
    z = np.full(total.shape, np.nan)
    defined = flags.any(axis=0)
    t = total[:, defined]
    sd = t.std(axis=0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        z[:, defined] = (t - t.mean(axis=0)) / sd
    return z


def factor_arrays(z: np.ndarray, distribution: np.ndarray) -> np.ndarray:
    r"""Factor arrays: each factor's z-scores rounded into the grid's distribution.

    Parameters
    ----------
    z : ndarray of shape (n_statements, k)
        Factor z-scores (NaN columns for factors no sort defines).
    distribution : array_like of shape (n_statements,)
        The grid values with repetition, in any order.

    Returns
    -------
    ndarray of shape (n_statements, k)
        Grid values; NaN columns stay NaN.

    Notes
    -----
    With the distribution sorted, :math:`d_{(1)} \le \dots \le d_{(n)}`, the statement with the
    i-th smallest z-score gets :math:`d_{(i)}`; equal z-scores are ordered by statement, so
    every array is a valid sort of the grid. R qmethod: ``qzscores(...)$zsc_n``, which gives tied
    statements ``qscores[floor(mean rank)]`` and can break the grid (its issue #196); without
    ties the two agree.
    """
    dist = np.sort(np.asarray(distribution, dtype=float))
    out = np.full(z.shape, np.nan)
    idx = np.arange(z.shape[0])
    for f in range(z.shape[1]):
        if np.all(np.isnan(z[:, f])):
            continue
        order = np.lexsort((idx, z[:, f]))
        out[order, f] = dist
    return out


# --------------------------------------------------------------------------------------
# characteristics and distinguishing / consensus statements


def characteristics(
    loadings: np.ndarray, flags: np.ndarray, z: np.ndarray, *, av_rel_coef: float = 0.8
):
    r"""Factor characteristics, as qmethod's ``qfcharact``.

    Parameters
    ----------
    loadings : ndarray of shape (n_sorts, k)
        Rotated loadings.
    flags : ndarray of bool, shape (n_sorts, k)
        Which sorts define each factor.
    z : ndarray of shape (n_statements, k)
        Factor z-scores.
    av_rel_coef : float, default 0.8
        Average reliability of one sort (qmethod's ``av_rel_coef``).

    Returns
    -------
    dict of str to ndarray
        Per factor (shape (k,)): ``av_rel_coef``, ``nload``, ``eigenvals``, ``expl_var``,
        ``reliability``, ``se_fscores``; between factors (shape (k, k)): ``cor_zsc``, ``sed``.

    Notes
    -----
    With :math:`n_f` sorts flagged on factor f, m sorts and :math:`r` = ``av_rel_coef``:

    * ``eigenvals`` :math:`= \sum_j a_{jf}^2` of the rotated loadings (not the eigenvalues of
      the correlation matrix), ``expl_var`` :math:`= 100\,\mathrm{eigenvals}_f / m`;
    * ``reliability`` :math:`\rho_f = \frac{r n_f}{1 + (n_f - 1) r}` (0 when :math:`n_f = 0`);
    * ``se_fscores`` :math:`\mathrm{SE}_f = \mathrm{sd}(z_f) \sqrt{1 - \rho_f}`;
    * ``cor_zsc`` the Pearson correlations of the z-scores (NaN for an empty factor);
    * ``sed`` the standard error of differences
      :math:`\mathrm{SED}_{fg} = \sqrt{\mathrm{SE}_f^2 + \mathrm{SE}_g^2}`.

    R qmethod: ``qfcharact(loa, flagged, zsc, nfactors, av_rel_coef = 0.8)``, in
    ``qmethod(...)$f_char``.
    """
    m = loadings.shape[0]
    nload = flags.sum(axis=0)
    eigenvals = (loadings**2).sum(axis=0)
    reliability = np.where(nload > 0, av_rel_coef * nload / (1 + (nload - 1) * av_rel_coef), 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.array(
            [
                np.std(z[:, f], ddof=1) if not np.all(np.isnan(z[:, f])) else np.nan
                for f in range(z.shape[1])
            ]
        )
    se = sd * np.sqrt(1 - reliability)
    k = z.shape[1]
    cor_zsc = np.full((k, k), np.nan)
    ok = [f for f in range(k) if not np.all(np.isnan(z[:, f]))]
    if ok:
        sub = np.corrcoef(z[:, ok].T) if len(ok) > 1 else np.ones((1, 1))
        cor_zsc[np.ix_(ok, ok)] = sub
    sed = np.sqrt(se[:, None] ** 2 + se[None, :] ** 2)
    return {
        "av_rel_coef": np.full(k, av_rel_coef),
        "nload": nload,
        "eigenvals": eigenvals,
        "expl_var": 100 * eigenvals / m,
        "reliability": reliability,
        "se_fscores": se,
        "cor_zsc": cor_zsc,
        "sed": sed,
    }


def significance(diff: np.ndarray, sed: float) -> np.ndarray:
    r"""Significance labels of differences between two factors' z-scores.

    Parameters
    ----------
    diff : ndarray of shape (n_statements,)
        :math:`z_f - z_g` for each statement.
    sed : float
        :math:`\mathrm{SED}_{fg}` of the pair.

    Returns
    -------
    ndarray of object, shape (n_statements,)
        ``""``, ``"*"``, ``"**"``, ``"***"`` or ``"6*"``.

    Notes
    -----
    The label of the largest threshold that ``|diff|`` exceeds (strictly):
    :math:`|d| > c \cdot \mathrm{SED}` with c = 1.96 (``*``, p < .05), 2.576 (``**``, p < .01),
    3.291 (``***``, p < .001), 4.8916 (``6*``, p < 1e-6) (:data:`SIG_LEVELS`). R qmethod: the
    ``sig_f1_f2`` columns of ``qdc()``.
    """
    out = np.full(diff.shape, "", dtype=object)
    for level, label in reversed(SIG_LEVELS):
        out[np.abs(diff) > level * sed] = label
    return out


def distinguishing(z: np.ndarray, sed: np.ndarray, factors: list[int]):
    """Distinguishing and consensus statements of the given factors (qmethod's ``qdc``).

    Parameters
    ----------
    z : ndarray of shape (n_statements, k)
        Factor z-scores.
    sed : ndarray of shape (k, k)
        Standard errors of differences (:func:`characteristics`).
    factors : list of int
        0-based indices of the factors to compare (those that define a sort).

    Returns
    -------
    pairs : list of (int, int)
        Factor pairs ``(f, g)``, ``f < g``, in ``combn`` order.
    diffs : ndarray of shape (n_statements, n_pairs)
        The differences :math:`z_f - z_g` per pair.
    sig : ndarray of object, shape (n_statements, n_pairs)
        Their labels from :func:`significance`.
    labels : list of str
        The ``dist.and.cons`` label of each statement, as qmethod gives it.

    Notes
    -----
    A statement with no significant pair (p < .05) is ``"Consensus"``. With two factors any
    other is ``"Distinguishing"``. With more, for each factor f: every pair with f significant
    and no other pair gives ``"Distinguishes f<f> only"``; every pair significant gives
    ``"Distinguishes all"``; every pair with f and some others significant appends
    ``"Distinguishes f<f> "``. R qmethod: ``qdc(dataset, nfactors, zsc, sed)``; unlike it,
    the pairs "with f" are matched exactly, so the labels are right with 10 or more factors.
    """
    pairs = list(combinations(factors, 2))
    n = z.shape[0]
    diffs = np.column_stack([z[:, f] - z[:, g] for f, g in pairs]) if pairs else np.zeros((n, 0))
    sig = np.empty(diffs.shape, dtype=object)
    for p, (f, g) in enumerate(pairs):
        sig[:, p] = significance(diffs[:, p], sed[f, g])
    labels = [""] * n
    k = len(factors)
    for s in range(n):
        hit = np.array([x != "" for x in sig[s]], dtype=bool)
        if not hit.any():
            labels[s] = "Consensus"
            continue
        if k == 2:
            labels[s] = "Distinguishing"
            continue
        label = ""
        for f in factors:
            inside = np.array([f in pair for pair in pairs])
            all_in = hit[inside].all()
            any_out = hit[~inside].any()
            if all_in and not any_out:
                label = f"Distinguishes f{f + 1} only"
            elif hit.all():
                label = "Distinguishes all"
            elif all_in and any_out:
                label = label + f"Distinguishes f{f + 1} "
        labels[s] = label
    return pairs, diffs, sig, labels

"""By-person factor analysis of Q-sorts, step by step as R ``qmethod`` 1.8.4 computes it.

Orientation: sorts are a matrix of shape ``(n_statements, n_sorts)`` of grid values.
Loadings and flags are ``(n_sorts, n_factors)``; z-scores and factor arrays are
``(n_statements, n_factors)``.

Conventions (tested):

* PCA: the top-k eigenvectors of the correlation matrix scaled by sqrt(eigenvalue), each
  column signed so that its sum is >= 0 (as ``psych::principal``). After varimax the
  columns are reordered by decreasing sum of squared loadings and signed again.
* Centroid: Brown's method as ``qmethod::centroid``; after varimax there is *no* reordering
  and no sign change (as qmethod).
* A flagged sort with a negative loading enters its factor mirrored (negative weight).

References
----------
Brown, S. R. (1980). *Political subjectivity*. Yale University Press.
Watts, S. & Stenner, P. (2012). *Doing Q methodological research*. Sage.
Zabala, A. (2014). qmethod: a package to explore human perspectives using Q methodology.
*The R Journal*, 6(2), 163-173.
"""

from __future__ import annotations

import warnings
from itertools import combinations

import numpy as np

from poetq.analysis.options import CORRELATIONS
from poetq.analysis.statistics import kendall_tau_b, rank_columns
from poetq.errors import ConvergenceWarning, ValidationError

#: Significance thresholds in SED units for p < .05, .01, .001 and 1e-6 (qmethod's qdc).
SIG_LEVELS = ((4.8916, "6*"), (3.291, "***"), (2.576, "**"), (1.96, "*"))


# --------------------------------------------------------------------------------------
# correlation


def _standardise_columns(x: np.ndarray) -> np.ndarray:
    """Columns centred and scaled to unit Euclidean norm, so ``z.T @ z`` is Pearson's r."""
    xc = x - x.mean(axis=0)
    return xc / np.sqrt((xc * xc).sum(axis=0))


def standardised(sorts: np.ndarray, cor: str = "pearson") -> np.ndarray | None:
    """The ``(n_statements, n_sorts)`` matrix ``z`` with ``corr = z.T @ z``, or None (Kendall)."""
    if cor == "pearson":
        return _standardise_columns(sorts)
    if cor == "spearman":
        return _standardise_columns(rank_columns(sorts))
    return None


def correlate(sorts: np.ndarray, *, cor: str = "pearson") -> np.ndarray:
    """By-person correlation matrix of the sorts, shape ``(n_sorts, n_sorts)``.

    Parameters
    ----------
    sorts : ndarray of shape (n_statements, n_sorts)
    cor : {"pearson", "spearman", "kendall"}, default "pearson"
        As ``stats::cor(sorts, method=cor)`` in R (Kendall is tau-b).
    """
    if cor not in CORRELATIONS:
        raise ValidationError(f"unknown correlation {cor!r}: use one of {', '.join(CORRELATIONS)}")
    z = standardised(sorts, cor)
    if z is not None:
        r = z.T @ z
    else:
        r = kendall_tau_b(sorts)
    np.fill_diagonal(r, 1.0)
    return r


# --------------------------------------------------------------------------------------
# extraction


def _sign_columns(loadings: np.ndarray) -> np.ndarray:
    signs = np.sign(loadings.sum(axis=0))
    signs[signs == 0] = 1.0
    return signs


def pca(
    sorts: np.ndarray, n_factors: int, *, cor: str = "pearson", corr: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Principal components of the by-person correlation matrix.

    Returns ``(loadings, eigenvalues)``: loadings ``(n_sorts, n_factors)`` = top eigenvectors
    times sqrt(eigenvalue), each column signed to a non-negative sum (``psych::principal``
    with ``rotate="none"``); all ``n_sorts`` eigenvalues in decreasing order.

    Notes
    -----
    For Pearson and Spearman with more sorts than statements, the correlation matrix
    ``corr = z.T z`` (``z`` the standardised ``(n_statements, n_sorts)`` data) has rank below
    n_statements; its top eigenvectors come from the eigen-decomposition of the small Gram
    matrix ``z z.T`` in O(n_statements^2 n_sorts) instead of O(n_sorts^3), and the
    correlation matrix is never built.
    """
    m = sorts.shape[1]
    z = standardised(sorts, cor) if corr is None else None
    if z is not None and z.shape[0] < m:
        # corr = z.T z has rank < n_statements: take the eigenvectors of the small Gram
        # matrix z z.T (n_statements^2) and map them back, v = z.T u / sqrt(eigenvalue).
        eig, u = np.linalg.eigh(z @ z.T)
        eig, u = eig[::-1], u[:, ::-1]
        top = np.sqrt(np.maximum(eig[:n_factors], np.finfo(float).tiny))
        vectors = (z.T @ u[:, :n_factors]) / top
    else:
        r = (z.T @ z) if z is not None else (correlate(sorts, cor=cor) if corr is None else corr)
        eig, vectors = np.linalg.eigh(r)
        eig, vectors = eig[::-1], vectors[:, ::-1]
    eig = np.maximum(eig, np.finfo(float).eps)
    eigenvalues = np.zeros(m)
    eigenvalues[: len(eig)] = eig[:m]
    loadings = vectors[:, :n_factors] * np.sqrt(eig[:n_factors])
    return loadings * _sign_columns(loadings), eigenvalues


def centroid(
    corr: np.ndarray, n_factors: int, *, spc: float = 1e-5, max_iter: int = 10_000
) -> np.ndarray:
    """Brown's centroid extraction with reflection and iterated communalities.

    As ``qmethod::centroid(tmat, nfactors, spc)``: for each factor, zero the diagonal,
    reflect sorts until every column sum is positive, iterate the communality estimates
    until they change by less than ``spc``, un-reflect, and take the residual.

    Returns loadings of shape ``(n_sorts, n_factors)``.
    """
    m = corr.shape[0]
    t = np.array(corr, dtype=float, copy=True)
    out = np.zeros((m, n_factors))
    for i in range(n_factors):
        np.fill_diagonal(t, 0.0)
        reflected: list[int] = []
        for _ in range(10 * m + 10):
            sums = t.sum(axis=0)
            if np.all(sums > 0):
                break
            o = int(np.argmin(sums))
            t[o, :] *= -1
            t[:, o] *= -1
            reflected.append(o)
        c = t.sum(axis=0)
        h = c / (m - 1)
        f = (h + c) / np.sqrt((h + c).sum())
        for _ in range(max_iter):
            if np.max(np.abs(h - f**2)) < spc:
                break
            h = f**2
            f = (c + h) / np.sqrt((c + h).sum())
        else:
            warnings.warn(
                f"centroid factor {i + 1} did not converge in {max_iter} iterations",
                ConvergenceWarning,
                stacklevel=2,
            )
        unreflected = f.copy()
        for o in reflected:
            unreflected[o] *= -1
        out[:, i] = unreflected
        t = t - np.outer(f, f)
        for o in reversed(reflected):
            t[o, :] *= -1
            t[:, o] *= -1
    return out


# --------------------------------------------------------------------------------------
# rotation


def varimax(
    loadings: np.ndarray, *, eps: float = 1e-5, max_iter: int = 1000
) -> tuple[np.ndarray, np.ndarray]:
    """Kaiser-normalised varimax exactly as R's ``stats::varimax(x, normalize=TRUE, eps)``.

    Returns ``(rotated, rotation_matrix)`` with ``rotated = loadings @ rotation_matrix``.
    Warns :class:`~poetq.errors.ConvergenceWarning` if ``max_iter`` is reached.
    """
    p, k = loadings.shape
    if k < 2:
        return loadings.copy(), np.eye(k)
    norms = np.sqrt((loadings**2).sum(axis=1))
    norms[norms == 0] = 1.0
    x = loadings / norms[:, None]
    rot = np.eye(k)
    d = 0.0
    for _ in range(max_iter):
        z = x @ rot
        b = x.T @ (z**3 - z * ((z**2).sum(axis=0) / p))
        u, s, vt = np.linalg.svd(b)
        rot = u @ vt
        d_old, d = d, s.sum()
        if d < d_old * (1 + eps):
            break
    else:
        warnings.warn(
            f"varimax did not converge in {max_iter} iterations", ConvergenceWarning, stacklevel=2
        )
    return loadings @ rot, rot


def rotate_pair(
    loadings: np.ndarray, a: int, b: int, degrees: float
) -> tuple[np.ndarray, np.ndarray]:
    """Judgmental rotation of factors ``a`` and ``b`` (0-based) by ``degrees`` counter-clockwise.

    Points in the plane (factor a on x, factor b on y) turn by ``degrees``; the axes turn the
    other way. Returns ``(rotated, rotation_matrix)`` with ``rotated = loadings @ matrix``.
    """
    k = loadings.shape[1]
    if not (0 <= a < k and 0 <= b < k) or a == b:
        raise ValidationError(f"rotate two different factors between 1 and {k}")
    theta = np.deg2rad(degrees)
    rot = np.eye(k)
    rot[a, a] = rot[b, b] = np.cos(theta)
    rot[a, b] = np.sin(theta)
    rot[b, a] = -np.sin(theta)
    return loadings @ rot, rot


# --------------------------------------------------------------------------------------
# flags, scores, arrays


#: Two-sided normal quantiles of the significance levels a flag may ask for (Brown 1980:
#: a loading is significant when it exceeds z / sqrt(n_statements); 2.58 as PQMethod).
FLAG_Z = {0.05: 1.96, 0.01: 2.58, 0.001: 3.29}


def auto_flags(loadings: np.ndarray, n_statements: int, *, flag_p: float = 0.05,
               majority: bool = True) -> np.ndarray:
    """Automatic flags (n_sorts, k) as ``qmethod::qflag`` by default.

    Parameters
    ----------
    loadings : ndarray of shape (n_sorts, k)
    n_statements : int
    flag_p : {0.05, 0.01, 0.001}, default 0.05
        Significance of the loading: ``|a| > z / sqrt(n_statements)`` with z = 1.96, 2.58, 3.29.
    majority : bool, default True
        Also require ``a^2 > h^2 - a^2`` (the factor holds most of the sort's common
        variance), so a sort is flagged on at most one factor. False drops this rule; a
        sort significant on several factors is then flagged on the one of largest ``|a|``
        (poetq refuses a sort flagged twice).

    Notes
    -----
    ``qflag(loa, nstat)`` is ``flag_p = 0.05, majority = True``.
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
    """Weighted z-scores per statement and factor (``qmethod::qzscores``).

    Notes
    -----
    Weights ``w = a / (1 - a^2)`` for flagged sorts (0 otherwise); ``S = X w``; each column
    standardised with the sample SD (n - 1). A factor with no flagged sort gets NaN.
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
    """Round z-scores into the forced distribution: the i-th smallest z gets the i-th value.

    Ties are broken by statement order, so every array is a valid sort of the grid (qmethod
    can break the grid on ties, its issue #196). NaN columns stay NaN.
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
    """Factor characteristics as ``qmethod::qfcharact``.

    Returns a dict of arrays (one value per factor): ``nload``, ``eigenvals`` (sum of squared
    rotated loadings), ``expl_var`` (percent), ``reliability`` = 0.8n / (1 + 0.8(n - 1)),
    ``se_fscores`` = sd(z) sqrt(1 - reliability); plus ``cor_zsc`` (k, k) and ``sed`` (k, k),
    SED[f, g] = sqrt(se_f^2 + se_g^2).
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
    """Labels ``""``, ``*``, ``**``, ``***``, ``6*`` for |diff| above 1.96/2.576/3.291/4.8916 SED.
    """
    out = np.full(diff.shape, "", dtype=object)
    for level, label in reversed(SIG_LEVELS):
        out[np.abs(diff) > level * sed] = label
    return out


def distinguishing(z: np.ndarray, sed: np.ndarray, factors: list[int]):
    """Distinguishing and consensus statements (``qmethod::qdc``), for the given factors.

    Returns ``(pairs, diffs, sig, labels)``: pairs of factor indices in ``combn`` order,
    differences ``(n_statements, n_pairs)``, their significance labels and one
    ``dist.and.cons`` label per statement. Unlike qmethod, pairs "involving factor f" are
    matched exactly, so labels are right with 10 or more factors.
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

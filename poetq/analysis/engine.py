"""Correlation, extraction and varimax of Q-sorts, step by step as R ``qmethod`` 1.8.4.

Orientation: sorts are a matrix of shape ``(n_statements, n_sorts)`` of grid values.
Loadings are ``(n_sorts, n_factors)``. What follows the loadings (flags, z-scores, factor
arrays, characteristics, distinguishing statements) is in :mod:`poetq.analysis.scores`.

Conventions (tested):

* PCA: the top-k eigenvectors of the correlation matrix scaled by sqrt(eigenvalue), each
  column signed so that its sum is >= 0 (as ``psych::principal``). After varimax the
  columns are reordered by decreasing sum of squared loadings and signed again.
* Centroid: Brown's method as ``qmethod::centroid``; after varimax there is *no* reordering
  and no sign change (as qmethod).

References
----------
Brown, S. R. (1980). *Political subjectivity*. Yale University Press.
Watts, S. & Stenner, P. (2012). *Doing Q methodological research*. Sage.
Zabala, A. (2014). qmethod: a package to explore human perspectives using Q methodology.
*The R Journal*, 6(2), 163-173.
"""

from __future__ import annotations

import warnings

import numpy as np

from poetq.analysis.options import CORRELATIONS
from poetq.analysis.statistics import kendall_tau_b, rank_columns
from poetq.errors import ConvergenceWarning, ValidationError

# --------------------------------------------------------------------------------------
# correlation


def _standardise_columns(x: np.ndarray) -> np.ndarray:
    """Columns centred and scaled to unit Euclidean norm, so ``z.T @ z`` is Pearson's r."""
    xc = x - x.mean(axis=0)
    return xc / np.sqrt((xc * xc).sum(axis=0))


def standardised(sorts: np.ndarray, cor: str = "pearson") -> np.ndarray | None:
    r"""The standardised sorts ``z`` whose cross-product is the correlation matrix.

    Parameters
    ----------
    sorts : ndarray of shape (n_statements, n_sorts)
        Grid values.
    cor : {"pearson", "spearman", "kendall"}, default "pearson"
        Spearman standardises the ranks within each sort (:func:`rank_columns`).

    Returns
    -------
    ndarray of shape (n_statements, n_sorts) or None
        ``z``, or None for Kendall's tau, which is no cross-product of a transformed matrix.

    Notes
    -----
    Each column is centred and scaled to unit Euclidean norm,

    .. math:: z_{ij} = \frac{x_{ij} - \bar x_j}{\sqrt{\sum_i (x_{ij} - \bar x_j)^2}},

    so that :math:`r_{jk} = \sum_i z_{ij} z_{ik}` is Pearson's r between sorts j and k
    (``corr = z.T @ z``). R: ``scale()`` up to the constant ``sqrt(n_statements - 1)``.
    """
    if cor == "pearson":
        return _standardise_columns(sorts)
    if cor == "spearman":
        return _standardise_columns(rank_columns(sorts))
    return None


def correlate(sorts: np.ndarray, *, cor: str = "pearson") -> np.ndarray:
    r"""By-person correlation matrix of the sorts (R: ``cor(sorts, method = cor)``).

    Parameters
    ----------
    sorts : ndarray of shape (n_statements, n_sorts)
        Grid values, one column per sort.
    cor : {"pearson", "spearman", "kendall"}, default "pearson"
        Pearson's r, Spearman's rho (Pearson's r of average ranks) or Kendall's tau-b.

    Returns
    -------
    ndarray of shape (n_sorts, n_sorts)
        Symmetric, with ones on the diagonal.

    Raises
    ------
    ValidationError
        If ``cor`` is not one of the three.

    Notes
    -----
    Pearson: :math:`R = Z^\top Z` with ``Z`` from :func:`standardised`,

    .. math:: r_{jk} = \frac{\sum_i (x_{ij} - \bar x_j)(x_{ik} - \bar x_k)}
              {\sqrt{\sum_i (x_{ij} - \bar x_j)^2 \sum_i (x_{ik} - \bar x_k)^2}}.

    Spearman is the same on ranks (ties averaged, as R's ``rank``); Kendall's tau-b is
    :func:`~poetq.analysis.statistics.kendall_tau_b`. R qmethod: the first step of ``qmethod()``,
    ``cor(dataset, method = cor.method)``.
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
    r"""Principal components of the by-person correlation matrix, as ``psych::principal``.

    Parameters
    ----------
    sorts : ndarray of shape (n_statements, n_sorts)
        Grid values.
    n_factors : int
        Number of components k to keep (1 <= k <= n_sorts).
    cor : {"pearson", "spearman", "kendall"}, default "pearson"
        Correlation between sorts, when ``corr`` is not given.
    corr : ndarray of shape (n_sorts, n_sorts), optional
        The correlation matrix if it is already known (always used when given).

    Returns
    -------
    loadings : ndarray of shape (n_sorts, n_factors)
        Unrotated loadings, each column signed to a non-negative sum.
    eigenvalues : ndarray of shape (n_sorts,)
        Every eigenvalue of the correlation matrix, decreasing (those beyond its rank are 0
        when the small Gram matrix is used).

    Notes
    -----
    With the eigen-decomposition :math:`R = V \Lambda V^\top` (eigenvalues clamped below at
    machine epsilon, as psych does) the loadings are the top k eigenvectors scaled by the
    square roots of their eigenvalues,

    .. math:: L = V_k \Lambda_k^{1/2}, \qquad L_{\cdot f} \leftarrow
              \operatorname{sign}\Big(\sum_j L_{jf}\Big) L_{\cdot f}

    (a zero sum keeps the sign). For Pearson and Spearman with more sorts than statements,
    ``R = Z'Z`` (``Z`` the standardised ``(n_statements, n_sorts)`` data) has rank below
    n_statements; its top eigenvectors come from the small Gram matrix, :math:`Z Z^\top = U
    \Lambda U^\top` and :math:`V = Z^\top U \Lambda^{-1/2}`, in O(n_statements² n_sorts)
    instead of O(n_sorts³), and R is never built.

    R qmethod: ``principal(cor(dataset), nfactors, rotate = "none")$loadings``, as
    ``qmethod(..., extraction = "PCA", rotation = "none")`` calls it.
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
    r"""Brown's centroid extraction with reflection and iterated communalities.

    Parameters
    ----------
    corr : ndarray of shape (n_sorts, n_sorts)
        By-person correlation matrix (not changed).
    n_factors : int
        Number of factors k to extract.
    spc : float, default 1e-5
        Tolerance of the communality iteration (qmethod's ``spc``; Brown used 0.02).
    max_iter : int, default 10000
        Most iterations per factor (qmethod has no cap).

    Returns
    -------
    ndarray of shape (n_sorts, n_factors)
        Unrotated centroid loadings, un-reflected (no reordering, no sign change).

    Warns
    -----
    ConvergenceWarning
        If a factor's communalities have not settled after ``max_iter`` iterations.

    Notes
    -----
    For each factor, on the residual matrix ``T`` (first ``corr``) with a zero diagonal:

    1. Reflect: while some column sum of ``T`` is not positive, negate the row and column of
       the sort with the smallest sum (and remember it).
    2. With ``c = colSums(T)`` and the first communalities ``h = c / (m - 1)``, iterate

       .. math:: f = \frac{c + h}{\sqrt{\sum_j (c_j + h_j)}}, \qquad h \leftarrow f^2

       until :math:`\max_j |h_j - f_j^2| < \mathrm{spc}` (``m`` sorts).
    3. The factor's loadings are ``f`` with the reflected sorts' signs turned back; the next
       factor starts from the residual :math:`T - f f^\top`, un-reflected.

    Brown (1980, pp. 208-224). R qmethod: ``centroid(tmat = cor(dataset), nfactors, spc)``.
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
    r"""Kaiser-normalised varimax, step for step as R's ``stats::varimax(x, normalize = TRUE)``.

    Parameters
    ----------
    loadings : ndarray of shape (n_sorts, k)
        Loadings to rotate (returned unchanged when k < 2).
    eps : float, default 1e-5
        Relative tolerance on the criterion, as ``stats::varimax``'s ``eps``.
    max_iter : int, default 1000
        Most iterations, as ``stats::varimax``.

    Returns
    -------
    rotated : ndarray of shape (n_sorts, k)
        ``loadings @ rotation_matrix``.
    rotation_matrix : ndarray of shape (k, k)
        Orthogonal.

    Warns
    -----
    ConvergenceWarning
        If ``max_iter`` iterations pass without convergence.

    Notes
    -----
    Rows are divided by their length :math:`h_j = \sqrt{\sum_f a_{jf}^2}` (Kaiser
    normalisation), ``X = A / h``, and the orthogonal ``T`` maximises the varimax criterion of
    ``Z = X T`` (``p`` sorts),

    .. math:: V(T) = \sum_f \Big[\frac1p \sum_j z_{jf}^4
              - \Big(\frac1p \sum_j z_{jf}^2\Big)^2\Big].

    Each step takes :math:`B = X^\top (Z^3 - Z \operatorname{diag}(\sum_j z_{jf}^2) / p)`, its
    SVD :math:`B = U D W^\top` and :math:`T = U W^\top`; it stops when
    :math:`\sum D < d_{\mathrm{old}} (1 + \mathrm{eps})`. The result is ``A T`` (rows rescaled
    back). R qmethod: ``varimax(loa)`` inside ``psych::principal`` (PCA) or called by
    ``qmethod()`` after ``centroid``.
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
    r"""Judgmental (by-hand) rotation of two factors by an angle.

    Parameters
    ----------
    loadings : ndarray of shape (n_sorts, k)
        Loadings before the turn.
    a, b : int
        0-based indices of the two different factors: ``a`` on the x axis, ``b`` on the y axis.
    degrees : float
        Counter-clockwise angle by which the sorts' points turn in that plane.

    Returns
    -------
    rotated : ndarray of shape (n_sorts, k)
        ``loadings @ rotation_matrix``.
    rotation_matrix : ndarray of shape (k, k)
        The identity except in rows and columns ``a`` and ``b``.

    Raises
    ------
    ValidationError
        If ``a`` or ``b`` is not a factor, or they are the same.

    Notes
    -----
    With :math:`\theta` = ``degrees`` in radians, the plane rotation is
    :math:`R_{aa} = R_{bb} = \cos\theta`, :math:`R_{ab} = \sin\theta`,
    :math:`R_{ba} = -\sin\theta`, so a point :math:`(x, y)` goes to
    :math:`(x\cos\theta - y\sin\theta,\ x\sin\theta + y\cos\theta)`: the points turn
    counter-clockwise, the axes clockwise. R qmethod has no by-hand rotation (PQMethod's
    QROTATE and Ken-Q have one).
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

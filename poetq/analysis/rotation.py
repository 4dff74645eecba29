"""Factor rotations exactly as R ``qmethod`` 1.8.4 reaches them through ``psych::principal``.

``qmethod(..., rotation=ROT)`` hands ``ROT`` to ``psych::principal`` (psych 2.2.9), which calls

==========  ===============================================================  ============
rotation    R function (defaults as psych calls them)                        kind
==========  ===============================================================  ============
varimax     ``stats::varimax(L)``: Kaiser-normalised, ``eps = 1e-5``          orthogonal
quartimax   ``GPArotation::quartimax(L)``: not normalised, ``eps = 1e-5``     orthogonal
equamax     ``psych::equamax(L)`` = ``GPArotation::cfT(L, kappa = k/(2m))``   orthogonal
promax      ``stats::promax(L, m = 4)``: varimax, then power 4 target         oblique
oblimin     ``GPArotation::oblimin(L, gam = 0)``: not normalised (quartimin)  oblique
==========  ===============================================================  ============

(``k`` factors, ``m`` sorts.) After PCA, ``principal`` reorders the rotated factors by
decreasing sum of squared loadings and signs each to a non-negative column sum; Phi follows
the same order and signs. After centroid nothing is reordered or re-signed (as qmethod's
centroid + varimax). GPArotation's gradient projection algorithms (Bernaards & Jennrich 2005)
are reproduced step for step, so the loadings agree with R to rounding, not only to the
tolerance of the iteration.

References
----------
Bernaards, C. A. & Jennrich, R. I. (2005). Gradient projection algorithms and software for
arbitrary rotation criteria in factor analysis. *Educational and Psychological Measurement*,
65, 676-696.
Crawford, C. B. & Ferguson, G. A. (1970). A general rotation criterion and its use in
orthogonal rotation. *Psychometrika*, 35, 321-332.
Hendrickson, A. E. & White, P. O. (1964). Promax: a quick method for rotation to oblique
simple structure. *British Journal of Statistical Psychology*, 17, 65-70.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np

from poetq.analysis.engine import varimax
from poetq.errors import ConvergenceWarning, ValidationError

ORTHOGONAL = ("varimax", "quartimax", "equamax")
OBLIQUE = ("promax", "oblimin")

Criterion = Callable[[np.ndarray], tuple[float, np.ndarray]]


def quartimax_criterion(loadings: np.ndarray) -> tuple[float, np.ndarray]:
    """``GPArotation:::vgQ.quartimax``: ``f = -sum(L^4)/4``, gradient ``-L^3``."""
    return -float((loadings**4).sum()) / 4, -(loadings**3)


def crawford_ferguson_criterion(kappa: float) -> Criterion:
    """``GPArotation:::vgQ.cf``: ``f = (1-kappa)/4 sum(L^2 (L^2 N)) + kappa/4 sum(L^2 (M L^2))``.

    ``N`` and ``M`` are all-ones matrices with a zero diagonal (factors and sorts): ``L^2 N``
    is each loading's row sum of the *other* squared loadings, ``M L^2`` its column sum.
    """

    def criterion(loadings: np.ndarray) -> tuple[float, np.ndarray]:
        l2 = loadings**2
        row_others = l2.sum(axis=1, keepdims=True) - l2
        col_others = l2.sum(axis=0, keepdims=True) - l2
        f = ((1 - kappa) * (l2 * row_others).sum() + kappa * (l2 * col_others).sum()) / 4
        return float(f), (1 - kappa) * loadings * row_others + kappa * loadings * col_others

    return criterion


def quartimin_criterion(loadings: np.ndarray) -> tuple[float, np.ndarray]:
    """``GPArotation:::vgQ.oblimin`` with ``gam = 0``: ``f = sum(L^2 (L^2 N))/4``."""
    l2 = loadings**2
    others = l2.sum(axis=1, keepdims=True) - l2
    return float((l2 * others).sum()) / 4, loadings * others


def _not_converged(name: str, max_iter: int) -> None:
    warnings.warn(f"{name} rotation did not converge in {max_iter} iterations",
                  ConvergenceWarning, stacklevel=3)


def gpa_orthogonal(
    loadings: np.ndarray, criterion: Criterion, *, eps: float = 1e-5, max_iter: int = 1000,
    name: str = "orthogonal",
) -> tuple[np.ndarray, np.ndarray]:
    """Orthogonal gradient projection rotation, as ``GPArotation::GPForth`` (not normalised).

    Returns ``(rotated, T)`` with ``rotated = loadings @ T`` and ``T`` orthogonal.

    Notes
    -----
    Minimises ``f(A T)`` over orthogonal ``T``: the gradient ``G = A' dQ/dL`` is projected onto
    the tangent space, ``Gp = G - T (T'G + G'T)/2``; it stops when ``||Gp||_F < eps``. Each step
    doubles the step length ``alpha``, then halves it (at most 10 times) until
    ``f(new) < f - alpha ||Gp||^2 / 2``; the new ``T`` is the polar factor ``U V'`` of
    ``T - alpha Gp``.
    """
    a = np.asarray(loadings, dtype=float)
    t = np.eye(a.shape[1])
    f, gq = criterion(a @ t)
    g = a.T @ gq
    alpha = 1.0
    s = np.inf
    for _ in range(max_iter + 1):
        m = t.T @ g
        gp = g - t @ ((m + m.T) / 2)
        s = float(np.sqrt((gp**2).sum()))
        if s < eps:
            break
        alpha *= 2
        for _halving in range(11):
            u, _, vt = np.linalg.svd(t - alpha * gp)
            t_new = u @ vt
            f_new, gq_new = criterion(a @ t_new)
            if f_new < f - 0.5 * s**2 * alpha:
                break
            alpha /= 2
        t, f, g = t_new, f_new, a.T @ gq_new
    else:
        _not_converged(name, max_iter)
    return a @ t, t


def gpa_oblique(
    loadings: np.ndarray, criterion: Criterion, *, eps: float = 1e-5, max_iter: int = 1000,
    name: str = "oblique",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Oblique gradient projection rotation, as ``GPArotation::GPFoblq`` (not normalised).

    Returns ``(pattern, rotation, phi)`` with ``pattern = loadings @ rotation``,
    ``rotation = inv(T)'`` and the factor correlations ``phi = T'T``.

    Notes
    -----
    ``T`` has columns of unit length; the pattern is ``L = A inv(T)'``. The gradient with
    respect to ``T`` is ``G = -(L' dQ/dL inv(T))'``, projected as ``Gp = G - T diag(1'(T*G))``;
    it stops when ``||Gp||_F < eps``, with the same step-length search as
    :func:`gpa_orthogonal` and each column of ``T - alpha Gp`` rescaled to unit length.
    """
    a = np.asarray(loadings, dtype=float)
    t = np.eye(a.shape[1])
    t_inv = np.linalg.inv(t)
    pattern = a @ t_inv.T
    f, gq = criterion(pattern)
    g = -(pattern.T @ gq @ t_inv).T
    alpha = 1.0
    for _ in range(max_iter + 1):
        gp = g - t * (t * g).sum(axis=0)
        s = float(np.sqrt((gp**2).sum()))
        if s < eps:
            break
        alpha *= 2
        for _halving in range(11):
            x = t - alpha * gp
            t_new = x / np.sqrt((x**2).sum(axis=0))
            t_inv = np.linalg.inv(t_new)
            pattern = a @ t_inv.T
            f_new, gq_new = criterion(pattern)
            if f - f_new > 0.5 * s**2 * alpha:
                break
            alpha /= 2
        t, f = t_new, f_new
        g = -(pattern.T @ gq_new @ t_inv).T
    else:
        _not_converged(name, max_iter)
    rotation = np.linalg.inv(t).T
    return a @ rotation, rotation, t.T @ t


def promax(loadings: np.ndarray, *, power: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Promax as R's ``stats::promax(x, m = 4)``; returns ``(pattern, rotation, phi)``.

    Notes
    -----
    Varimax first (``x = A R_v``), then the target ``Q = x |x|^(m-1)``; ``U`` is the least-squares
    solution of ``x U = Q``, its columns rescaled by ``sqrt(diag(inv(U'U)))``. The pattern is
    ``x U = A R`` with ``R = R_v U``, and the factor correlations are those of ``inv(R)``:
    ``Phi = cov2cor(inv(R) inv(R)')`` (as ``psych::principal``).
    """
    x, rot_v = varimax(np.asarray(loadings, dtype=float))
    target = x * np.abs(x) ** (power - 1)
    u = np.linalg.lstsq(x, target, rcond=None)[0]
    u = u * np.sqrt(np.diag(np.linalg.inv(u.T @ u)))
    rotation = rot_v @ u
    ui = np.linalg.inv(rotation)
    cov = ui @ ui.T
    sd = np.sqrt(np.diag(cov))
    return x @ u, rotation, cov / np.outer(sd, sd)


def rotate(
    unrotated: np.ndarray, rotation: str, *, reorder: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Rotate unrotated loadings ``(n_sorts, k)`` as ``qmethod``/``psych::principal`` does.

    Returns ``(loadings, rotation_matrix, phi)``: ``loadings = unrotated @ rotation_matrix``,
    ``phi`` the ``(k, k)`` factor correlations for an oblique rotation, else None.
    ``reorder=True`` (after PCA) sorts the factors by decreasing sum of squared loadings
    and signs each column to a non-negative sum, as ``psych::principal``.
    """
    a = np.asarray(unrotated, dtype=float)
    m, k = a.shape
    phi = None
    if rotation == "none" or k == 1:
        return a.copy(), np.eye(k), None
    if rotation == "varimax":
        loadings, rot = varimax(a)
    elif rotation == "quartimax":
        loadings, rot = gpa_orthogonal(a, quartimax_criterion, name=rotation)
    elif rotation == "equamax":
        loadings, rot = gpa_orthogonal(a, crawford_ferguson_criterion(k / (2 * m)), name=rotation)
    elif rotation == "promax":
        loadings, rot, phi = promax(a)
    elif rotation == "oblimin":
        loadings, rot, phi = gpa_oblique(a, quartimin_criterion, name=rotation)
    else:
        raise ValidationError(f"unknown rotation {rotation!r}")
    if reorder:
        order = np.argsort(-(loadings**2).sum(axis=0), kind="stable")
        loadings, rot = loadings[:, order], rot[:, order]
        signs = np.sign(loadings.sum(axis=0))
        signs[signs == 0] = 1.0
        loadings, rot = loadings * signs, rot * signs
        if phi is not None:
            phi = phi[np.ix_(order, order)] * np.outer(signs, signs)
    return loadings, rot, phi

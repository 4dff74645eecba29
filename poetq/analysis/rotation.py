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
    r"""The quartimax criterion and its gradient (``GPArotation:::vgQ.quartimax``).

    Parameters
    ----------
    loadings : ndarray of shape (n_sorts, k)
        Rotated loadings ``L``.

    Returns
    -------
    value : float
        :math:`Q(L) = -\frac14 \sum_{jf} L_{jf}^4`.
    gradient : ndarray of shape (n_sorts, k)
        :math:`\partial Q / \partial L = -L^3` (elementwise).

    Notes
    -----
    Minimising Q maximises the sum of fourth powers: each sort loads on as few factors as
    possible. R: ``GPArotation::quartimax(L)``, as ``psych::principal(rotate = "quartimax")``
    calls it.
    """
    return -float((loadings**4).sum()) / 4, -(loadings**3)


def crawford_ferguson_criterion(kappa: float) -> Criterion:
    r"""The Crawford-Ferguson family's criterion for one ``kappa`` (``GPArotation:::vgQ.cf``).

    Parameters
    ----------
    kappa : float
        Weight of the column (factor) complexity; ``k / (2 m)`` for equamax.

    Returns
    -------
    callable
        ``criterion(L) -> (value, gradient)`` for loadings of shape (n_sorts, k).

    Notes
    -----
    With ``N`` and ``M`` all-ones matrices with a zero diagonal (factors and sorts),

    .. math:: Q(L) = \frac{1 - \kappa}{4} \sum (L^2 \circ L^2 N)
              + \frac{\kappa}{4} \sum (L^2 \circ M L^2),
              \qquad \frac{\partial Q}{\partial L} = (1 - \kappa)\, L \circ (L^2 N)
              + \kappa\, L \circ (M L^2):

    ``L^2 N`` is each loading's row sum of the *other* squared loadings, ``M L^2`` its column
    sum. R: ``GPArotation::cfT(L, kappa)``; ``psych::equamax`` uses ``kappa = k / (2 m)``.
    """

    def criterion(loadings: np.ndarray) -> tuple[float, np.ndarray]:
        l2 = loadings**2
        row_others = l2.sum(axis=1, keepdims=True) - l2
        col_others = l2.sum(axis=0, keepdims=True) - l2
        f = ((1 - kappa) * (l2 * row_others).sum() + kappa * (l2 * col_others).sum()) / 4
        return float(f), (1 - kappa) * loadings * row_others + kappa * loadings * col_others

    return criterion


def quartimin_criterion(loadings: np.ndarray) -> tuple[float, np.ndarray]:
    r"""The quartimin criterion and its gradient (``GPArotation:::vgQ.oblimin``, ``gam = 0``).

    Parameters
    ----------
    loadings : ndarray of shape (n_sorts, k)
        Pattern loadings ``L``.

    Returns
    -------
    value : float
        :math:`Q(L) = \frac14 \sum (L^2 \circ L^2 N)`, ``N`` all ones with a zero diagonal.
    gradient : ndarray of shape (n_sorts, k)
        :math:`L \circ (L^2 N)`.

    Notes
    -----
    Q sums, over each sort, the products of its squared loadings on different factors.
    R: ``GPArotation::oblimin(L, gam = 0)``, as ``psych::principal(rotate = "oblimin")``.
    """
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
    r"""Orthogonal gradient projection rotation, as ``GPArotation::GPForth`` (not normalised).

    Parameters
    ----------
    loadings : ndarray of shape (n_sorts, k)
        Unrotated loadings ``A``.
    criterion : callable
        ``criterion(L) -> (value, gradient)``, e.g. :func:`quartimax_criterion`.
    eps : float, default 1e-5
        Stop when the projected gradient's Frobenius norm is below ``eps``.
    max_iter : int, default 1000
        Most iterations.
    name : str, default "orthogonal"
        The rotation's name in the warning.

    Returns
    -------
    rotated : ndarray of shape (n_sorts, k)
        ``loadings @ T``.
    T : ndarray of shape (k, k)
        Orthogonal.

    Warns
    -----
    ConvergenceWarning
        If ``max_iter`` iterations pass without convergence.

    Notes
    -----
    Minimises :math:`Q(A T)` over orthogonal ``T`` (Bernaards & Jennrich 2005). The gradient
    :math:`G = A^\top \partial Q / \partial L` is projected onto the tangent space,
    :math:`G_p = G - T (T^\top G + G^\top T) / 2`; it stops when :math:`\|G_p\|_F < \mathrm{eps}`.
    Each step doubles the step length :math:`\alpha`, then halves it (at most 10 times) until
    :math:`Q(\text{new}) < Q - \alpha \|G_p\|^2 / 2`; the new ``T`` is the polar factor
    :math:`U V^\top` of :math:`T - \alpha G_p`. R: ``GPArotation::GPForth(A, method = ...)``.
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
    r"""Oblique gradient projection rotation, as ``GPArotation::GPFoblq`` (not normalised).

    Parameters
    ----------
    loadings : ndarray of shape (n_sorts, k)
        Unrotated loadings ``A``.
    criterion : callable
        ``criterion(L) -> (value, gradient)``, e.g. :func:`quartimin_criterion`.
    eps : float, default 1e-5
        Stop when the projected gradient's Frobenius norm is below ``eps``.
    max_iter : int, default 1000
        Most iterations.
    name : str, default "oblique"
        The rotation's name in the warning.

    Returns
    -------
    pattern : ndarray of shape (n_sorts, k)
        ``loadings @ rotation``.
    rotation : ndarray of shape (k, k)
        :math:`(T^{-1})^\top`.
    phi : ndarray of shape (k, k)
        Factor correlations :math:`T^\top T`.

    Warns
    -----
    ConvergenceWarning
        If ``max_iter`` iterations pass without convergence.

    Notes
    -----
    ``T`` has columns of unit length; the pattern is :math:`L = A (T^{-1})^\top`. The
    gradient with respect to ``T`` is :math:`G = -(L^\top \partial Q/\partial L\, T^{-1})^\top`,
    projected as :math:`G_p = G - T \operatorname{diag}(\mathbf 1^\top (T \circ G))`; it stops
    when :math:`\|G_p\|_F < \mathrm{eps}`, with the same step-length search as
    :func:`gpa_orthogonal` and each column of :math:`T - \alpha G_p` rescaled to unit length.
    R: ``GPArotation::GPFoblq(A, method = ...)``.
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
    r"""Promax rotation as R's ``stats::promax(x, m = 4)``.

    Parameters
    ----------
    loadings : ndarray of shape (n_sorts, k)
        Unrotated loadings ``A``.
    power : int, default 4
        The target's power ``m``.

    Returns
    -------
    pattern : ndarray of shape (n_sorts, k)
        ``loadings @ rotation``.
    rotation : ndarray of shape (k, k)
        :math:`R = R_v U`.
    phi : ndarray of shape (k, k)
        Factor correlations.

    Notes
    -----
    Varimax first, :math:`X = A R_v` (:func:`~poetq.analysis.engine.varimax`); the target is
    :math:`Q = X \circ |X|^{m-1}`; ``U`` is the least-squares solution of :math:`X U = Q`, its
    columns scaled by :math:`\sqrt{\operatorname{diag}((U^\top U)^{-1})}`. The pattern is
    :math:`X U = A R`, and :math:`\Phi = \operatorname{cov2cor}(R^{-1} R^{-\top})` (as
    ``psych::principal``). Hendrickson & White (1964). R: ``psych::principal(rotate =
    "promax")``.
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
    r"""Rotate unrotated loadings as ``qmethod``/``psych::principal`` does.

    Parameters
    ----------
    unrotated : ndarray of shape (n_sorts, k)
        Loadings from PCA or centroid.
    rotation : {"none", "varimax", "quartimax", "equamax", "promax", "oblimin"}
        The rotation (see the table of this module).
    reorder : bool
        True after PCA: sort the factors by decreasing sum of squared loadings and sign each
        column to a non-negative sum, as ``psych::principal``; False after centroid.

    Returns
    -------
    loadings : ndarray of shape (n_sorts, k)
        ``unrotated @ rotation_matrix`` (the pattern after an oblique rotation).
    rotation_matrix : ndarray of shape (k, k)
        The rotation, reordered and signed with the loadings.
    phi : ndarray of shape (k, k) or None
        Factor correlations after an oblique rotation, in the same order and signs; else None.

    Raises
    ------
    ValidationError
        If ``rotation`` is not one of the six.

    Notes
    -----
    Reordering takes the permutation :math:`\pi` with
    :math:`\sum_j L_{j\pi(1)}^2 \ge \sum_j L_{j\pi(2)}^2 \ge \dots` (stable), then
    :math:`s_f = \operatorname{sign}(\sum_j L_{jf})` (0 keeps the sign), so
    :math:`L' = L P S`, :math:`\Phi' = S P^\top \Phi P S`. One factor is never rotated.
    R qmethod: ``qmethod(..., rotation = rotation)`` through ``psych::principal(r, nfactors,
    rotate = rotation)``.
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

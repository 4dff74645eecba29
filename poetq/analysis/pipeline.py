"""``analyse()``: the whole Q analysis in one call, and the researcher's changes after it.

Each returns a new frozen :class:`~poetq.analysis.result.AnalysisResult`: manual flags
(:func:`with_flags`), by-hand rotation, inverting and splitting a factor.
"""

from __future__ import annotations

import numpy as np

from poetq.analysis import engine, scores
from poetq.analysis import rotation as rotations
from poetq.analysis.inputs import validate_sorts
from poetq.analysis.options import CORRELATIONS, EXTRACTIONS, ROTATIONS
from poetq.analysis.result import AnalysisResult
from poetq.analysis.threads import single_threaded
from poetq.errors import ValidationError


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


def _check_flags(flags, m: int, k: int, sort_ids) -> np.ndarray:
    f = np.asarray(flags)
    if f.shape != (m, k):
        raise ValidationError(
            f"manual flags must be a table of {m} sorts by {k} factors (got {f.shape})"
        )
    if f.dtype != bool:
        if not np.isin(f, (0, 1)).all():
            raise ValidationError("manual flags must be TRUE/FALSE (or 1/0)")
        f = f.astype(bool)
    two = np.where(f.sum(axis=1) > 1)[0]
    if len(two):
        raise ValidationError(f"sort {sort_ids[two[0]]!r} is flagged on more than one factor")
    return f


@single_threaded
def analyse(
    sorts,
    n_factors: int,
    *,
    extraction: str = "pca",
    rotation: str = "varimax",
    cor: str = "pearson",
    flags=None,
    distribution=None,
    sort_ids=None,
    statement_ids=None,
    spc: float = 1e-5,
    flag_p: float = 0.05,
    majority: bool = True,
) -> AnalysisResult:
    r"""By-person factor analysis of Q-sorts, matching R ``qmethod`` 1.8.4 by default.

    Parameters
    ----------
    sorts : array_like of shape (n_statements, n_sorts)
        Grid values of every statement in every sort.
    n_factors : int
        Number of factors to extract (1 <= n_factors <= n_sorts, < n_statements).
    extraction : {"pca", "centroid"}, default "pca"
        PCA as ``psych::principal``, or Brown's centroid method (``spc`` is its tolerance).
    rotation : {"varimax", "none", "quartimax", "equamax", "promax", "oblimin"}, default "varimax"
        Each as ``psych::principal(r, k, rotate=rotation)`` computes it (see
        :mod:`poetq.analysis.rotation`); after centroid, the same R function without
        reordering, as ``help(centroid)`` in qmethod does it by hand.
    cor : {"pearson", "spearman", "kendall"}, default "pearson"
        Correlation between sorts.
    flags : array_like of bool, shape (n_sorts, n_factors), optional
        Manual flags instead of the automatic ones.
    distribution : array_like of shape (n_statements,), optional
        The grid's values with repetition, for sorts that do not all share one distribution.
    sort_ids, statement_ids : sequence of str, optional
        Names of the sorts (columns) and statements (rows); default 1, 2, ...
    spc : float, default 1e-5
        Tolerance of the centroid's communality iteration.
    flag_p : {0.05, 0.01, 0.001}, default 0.05
        Significance a loading needs to be flagged automatically (see
        :func:`~poetq.analysis.scores.auto_flags`).
    majority : bool, default True
        Also require ``a^2 > h^2 - a^2`` for an automatic flag (qmethod's rule).

    Returns
    -------
    AnalysisResult
        Frozen, with read-only arrays.

    Raises
    ------
    ValidationError
        If an option is unknown, the number of factors is not a whole number from 1 to
        min(n_sorts, n_statements - 1), or the sorts fail :func:`validate_sorts`; also if a
        flagged sort has a loading of 1 or more, naming the sort and factor.

    Warns
    -----
    ConvergenceWarning
        If the centroid or a rotation runs out of iterations.

    Notes
    -----
    Steps: correlation :math:`R` (:func:`~poetq.analysis.engine.correlate`); extraction
    (:math:`L = V_k \Lambda_k^{1/2}` or centroid); rotation; flags
    (:math:`|a| > 1.96/\sqrt{n}` and :math:`a^2 > h^2 - a^2`); weights
    :math:`w = a / (1 - a^2)`; z-scores of :math:`S = X W` with the sample SD; factor
    arrays; characteristics (reliability, SE, SED); distinguishing and consensus statements
    (:math:`|z_f - z_g| > 1.96\,\mathrm{SED}_{fg}`). Zabala (2014).

    R qmethod: ``qmethod(sorts, nfactors, extraction = "PCA"|"centroid", rotation = ...,
    cor.method = ..., forced = is.null(distribution), distribution = ...)``.
    """
    if extraction not in EXTRACTIONS:
        raise ValidationError(f"unknown extraction {extraction!r}: use pca or centroid")
    if rotation not in ROTATIONS:
        raise ValidationError(f"unknown rotation {rotation!r}: use one of {', '.join(ROTATIONS)}")
    if cor not in CORRELATIONS:
        raise ValidationError(f"unknown correlation {cor!r}: use pearson, spearman or kendall")
    if flag_p not in scores.FLAG_Z:
        raise ValidationError(f"flag_p must be one of {', '.join(str(p) for p in scores.FLAG_Z)}")
    x, dist, sort_ids, statement_ids = validate_sorts(
        sorts, distribution=distribution, sort_ids=sort_ids, statement_ids=statement_ids
    )
    n, m = x.shape
    if isinstance(n_factors, bool) or not isinstance(n_factors, (int, np.integer)) or n_factors < 1:
        raise ValidationError("the number of factors must be a whole number of at least 1")
    if n_factors > m:
        raise ValidationError(f"cannot extract {n_factors} factors from {m} sorts")
    if n_factors > n - 1:
        raise ValidationError(f"cannot extract {n_factors} factors from {n} statements")
    corr = engine.correlate(x, cor=cor) if (cor == "kendall" or extraction == "centroid") else None
    if extraction == "pca":
        unrotated, eigenvalues = engine.pca(x, n_factors, cor=cor, corr=corr)
    else:
        _, eigenvalues = engine.pca(x, 1, cor=cor, corr=corr)
        unrotated = engine.centroid(corr if corr is not None else engine.correlate(x, cor=cor),
                                    n_factors, spc=spc)
    loadings, rot, phi = rotations.rotate(unrotated, rotation, reorder=extraction == "pca")
    result = _downstream(
        x, dist, sort_ids, statement_ids, n_factors, extraction, rotation, cor,
        eigenvalues, unrotated, rot, loadings, flags, phi=phi, flagging=(flag_p, bool(majority)),
    )
    return result


def _check_weights(loadings: np.ndarray, flags: np.ndarray, sort_ids, rotation: str) -> None:
    """Refuse a flagged loading of 1 or more, naming the sort and factor and what to try."""
    over = np.argwhere(flags & (np.abs(loadings) >= 1))
    if not len(over):
        return
    j, f = over[0]
    why = (" (an oblique rotation's pattern loadings can exceed 1)"
           if rotation in rotations.OBLIQUE else "")
    raise ValidationError(
        f"sort {sort_ids[j]!r} is flagged on f{f + 1} with a loading of {loadings[j, f]:.3f}"
        f"{why}: its weight a/(1 - a^2) is undefined; unflag it on f{f + 1} (manual flags), "
        "or try an orthogonal rotation such as varimax, or fewer factors"
    )


def _downstream(x, dist, sort_ids, statement_ids, k, extraction, rotation, cor, eigenvalues,
                unrotated, rot, loadings, flags, adjustments=(), phi=None, flagging=(0.05, True),
                extra_notes=()):
    n, m = x.shape
    k = loadings.shape[1]  # a bipolar split adds a factor
    if flags is None:
        f = scores.auto_flags(loadings, n, flag_p=flagging[0], majority=flagging[1])
        manual = False
    else:
        f = _check_flags(flags, m, k, sort_ids)
        manual = True
    _check_weights(loadings, f, sort_ids, rotation)
    z = scores.zscores(x, loadings, f)
    arrays = scores.factor_arrays(z, dist)
    chars = scores.characteristics(loadings, f, z)
    defined = [i for i in range(k) if f[:, i].any()]
    if len(defined) >= 2:
        pairs, diffs, sig, labels = scores.distinguishing(z, chars["sed"], defined)
    else:
        pairs, diffs, sig, labels = [], np.zeros((n, 0)), np.zeros((n, 0), dtype=object), [""] * n
    notes = list(extra_notes)
    neg = [(sort_ids[j], i) for j, i in zip(*np.where(f & (loadings < 0)))]
    if neg:
        shown = ", ".join(f"{s} on f{i + 1}" for s, i in neg)
        notes.append(f"sorts flagged with a negative loading enter their factor mirrored: {shown}")
    for i in range(k):
        if not f[:, i].any():
            notes.append(f"factor f{i + 1} defines no sort: it has no z-scores and no factor array")
    return AnalysisResult(
        sorts=_readonly(x),
        statement_ids=statement_ids,
        sort_ids=sort_ids,
        n_factors=k,
        extraction=extraction,
        rotation=rotation,
        cor=cor,
        distribution=_readonly(dist),
        eigenvalues=_readonly(eigenvalues),
        unrotated=_readonly(unrotated),
        rotation_matrix=_readonly(rot),
        loadings=_readonly(loadings),
        flags=_readonly(f),
        manual_flags=manual,
        zscores=_readonly(z),
        factor_arrays=_readonly(arrays),
        characteristics={k_: _readonly(v) for k_, v in chars.items()},
        qdc_pairs=tuple(pairs),
        qdc_diffs=_readonly(diffs),
        qdc_sig=_readonly(sig),
        qdc_labels=tuple(labels),
        adjustments=tuple(adjustments),
        notes=tuple(notes),
        phi=None if phi is None else _readonly(phi),
        flag_p=flagging[0],
        majority=flagging[1],
    )


def _redo(
    result: AnalysisResult, loadings, rot, flags, adjustment, phi=None, notes=()
) -> AnalysisResult:
    if phi is None and result.phi is not None:
        phi = np.asarray(result.phi)
    kept = tuple(n for n in result.notes if "negative pole of" in n)  # splits stay said
    return _downstream(
        np.asarray(result.sorts), np.asarray(result.distribution), result.sort_ids,
        result.statement_ids, result.n_factors, result.extraction, result.rotation, result.cor,
        np.asarray(result.eigenvalues), np.asarray(result.unrotated), rot, loadings, flags,
        (*result.adjustments, adjustment), phi=phi, flagging=(result.flag_p, result.majority),
        extra_notes=(*kept, *notes),
    )


def with_flags(result: AnalysisResult, flags) -> AnalysisResult:
    """The same analysis with other flags: manual ones, or the automatic ones again.

    Parameters
    ----------
    result : AnalysisResult
        The analysis to re-flag.
    flags : array_like of bool, shape (n_sorts, n_factors), or None
        Manual flags; None restores the automatic flags.

    Returns
    -------
    AnalysisResult
        Same loadings; z-scores, arrays, characteristics and distinguishing statements
        recomputed; the change recorded in ``adjustments``.

    Raises
    ------
    ValidationError
        If the flags have the wrong shape, are not true/false, flag a sort twice, or flag a
        loading of 1 or more.

    Notes
    -----
    Everything after the flags is recomputed as :func:`analyse` does (weights
    :math:`w = a / (1 - a^2)`, z-scores, arrays). R qmethod:
    ``qzscores(dataset, nfactors, loa, flagged = flags)`` then ``qdc()``.
    """
    return _redo(result, np.asarray(result.loadings), np.asarray(result.rotation_matrix), flags,
                 ("flags", "manual" if flags is not None else "auto"))


def rotate_factors(result: AnalysisResult, a: int, b: int, degrees: float) -> AnalysisResult:
    r"""Judgmental (by-hand) rotation of two factors of a result by an angle.

    Parameters
    ----------
    result : AnalysisResult
        The analysis to rotate.
    a, b : int
        1-based numbers of two different factors (a on x, b on y).
    degrees : float
        Counter-clockwise angle by which the sorts' points turn.

    Returns
    -------
    AnalysisResult
        With flags recomputed automatically, unless the result had manual flags (kept).

    Raises
    ------
    ValidationError
        If ``a`` or ``b`` is not a factor, or they are the same.

    Notes
    -----
    With the plane rotation ``r`` of :func:`~poetq.analysis.engine.rotate_pair`:
    :math:`L' = L r`, rotation matrix :math:`T' = T r`, and after an oblique rotation
    :math:`\Phi' = r^\top \Phi r` (so :math:`P \Phi P^\top` is kept). qmethod has no by-hand
    rotation (PQMethod's QROTATE has).
    """
    k = result.n_factors
    if not (1 <= a <= k and 1 <= b <= k) or a == b:
        raise ValidationError(f"choose two different factors between 1 and {k}")
    loadings, r = engine.rotate_pair(np.asarray(result.loadings), a - 1, b - 1, degrees)
    rot = np.asarray(result.rotation_matrix) @ r
    flags = np.asarray(result.flags) if result.manual_flags else None
    # pattern P -> P r with r orthogonal keeps P phi P' when phi -> r' phi r
    phi = None if result.phi is None else r.T @ np.asarray(result.phi) @ r
    return _redo(result, loadings, rot, flags, ("rotate", a, b, degrees), phi)


def invert_factor(result: AnalysisResult, factor: int) -> AnalysisResult:
    r"""Mirror one factor: its loadings, z-scores and array change sign.

    Parameters
    ----------
    result : AnalysisResult
        The analysis.
    factor : int
        1-based number of the factor to invert.

    Returns
    -------
    AnalysisResult
        With the change recorded in ``adjustments``.

    Raises
    ------
    ValidationError
        If there is no such factor.

    Notes
    -----
    With ``S`` the identity with -1 at the factor: :math:`L' = L S`, :math:`T' = T S`,
    :math:`\Phi' = S \Phi S`; flags (automatic or manual) are the same, so the z-scores change
    sign. In R qmethod by hand: ``loa[, f] <- -loa[, f]`` and ``qzscores()`` again.
    """
    k = result.n_factors
    if not 1 <= factor <= k:
        raise ValidationError(f"there is no factor {factor}: choose 1 to {k}")
    signs = np.ones(k)
    signs[factor - 1] = -1
    loadings = np.asarray(result.loadings) * signs
    rot = np.asarray(result.rotation_matrix) * signs
    flags = np.asarray(result.flags) if result.manual_flags else None
    phi = None if result.phi is None else np.asarray(result.phi) * np.outer(signs, signs)
    return _redo(result, loadings, rot, flags, ("invert", factor), phi)


def split_factor(result: AnalysisResult, factor: int) -> AnalysisResult:
    r"""Split a bipolar factor into its two poles, as two viewpoints.

    Parameters
    ----------
    result : AnalysisResult
        The analysis.
    factor : int
        1-based number of the factor to split.

    Returns
    -------
    AnalysisResult
        With one more factor ``f(k+1)``, the negative pole; flags become manual.

    Raises
    ------
    ValidationError
        If there is no such factor, or it has no sort flagged with a negative loading, or only
        such sorts (then invert it instead).

    Notes
    -----
    The sorts flagged on the factor with a negative loading leave it and define a new, last
    factor, the factor mirrored; those with a positive loading keep defining ``factor``. Each
    pole then has its own z-scores and array, built only from its own sorts (Brown 1980,
    pp. 44-46; Watts & Stenner 2012, p. 132), instead of one array in which the negative sorts
    enter mirrored. :math:`L' = [L, -L_f]`, :math:`T' = [T, -T_f]`, and after an oblique
    rotation :math:`\Phi` gains the row and column :math:`-\Phi_f` (1 on its diagonal);
    :math:`h^2` and the other factors are unchanged. qmethod has no split.
    """
    k = result.n_factors
    if not 1 <= factor <= k:
        raise ValidationError(f"there is no factor {factor} to split: choose 1 to {k}")
    f = factor - 1
    loadings = np.asarray(result.loadings)
    flags = np.asarray(result.flags)
    negative = flags[:, f] & (loadings[:, f] < 0)
    if not negative.any():
        raise ValidationError(f"factor f{factor} has no sort flagged with a negative loading: "
                              "it is not bipolar, there is nothing to split")
    if not (flags[:, f] & ~negative).any():
        raise ValidationError(
            f"every sort flagged on f{factor} loads negatively: invert the factor "
            "instead of splitting it"
        )
    new_loadings = np.column_stack([loadings, -loadings[:, f]])
    rot = np.asarray(result.rotation_matrix)
    new_rot = np.column_stack([rot, -rot[:, f]])
    new_flags = np.column_stack([flags, negative])
    new_flags[negative, f] = False
    phi = None
    if result.phi is not None:
        old = np.asarray(result.phi)
        phi = np.eye(k + 1)
        phi[:k, :k] = old
        phi[:k, k] = phi[k, :k] = -old[:, f]
    note = (f"f{k + 1} is the negative pole of f{factor} (bipolar split): "
            + ", ".join(s for s, neg in zip(result.sort_ids, negative) if neg))
    return _redo(result, new_loadings, new_rot, new_flags, ("split", factor), phi, notes=(note,))


__all__ = ["analyse", "invert_factor", "rotate_factors", "split_factor", "with_flags"]

"""``analyse()``: the whole Q analysis in one call, returning a frozen result."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from poetq.analysis import engine
from poetq.analysis import rotation as rotations
from poetq.analysis.options import EXTRACTIONS, ROTATIONS
from poetq.analysis.threads import single_threaded
from poetq.errors import ValidationError


@dataclass(frozen=True)
class AnalysisResult:
    """Everything a Q analysis computes. Arrays are read-only.

    Shapes: ``sorts`` (n_statements, n_sorts); ``loadings``, ``unrotated``, ``flags``
    (n_sorts, k); ``zscores``, ``factor_arrays`` (n_statements, k), NaN for a factor that
    defines no sort; ``eigenvalues`` (n_sorts,) of the correlation matrix; ``cor_zsc``, ``sed``
    (k, k); ``qdc_diffs``/``qdc_sig`` (n_statements, n_pairs) for ``qdc_pairs``; ``phi`` (k, k)
    the factor correlations after an oblique rotation (promax, oblimin), else None; then
    ``loadings`` is the pattern matrix.
    """

    sorts: np.ndarray
    statement_ids: tuple[str, ...]
    sort_ids: tuple[str, ...]
    n_factors: int
    extraction: str
    rotation: str
    cor: str
    distribution: np.ndarray
    eigenvalues: np.ndarray
    unrotated: np.ndarray
    rotation_matrix: np.ndarray
    loadings: np.ndarray
    flags: np.ndarray
    manual_flags: bool
    zscores: np.ndarray
    factor_arrays: np.ndarray
    characteristics: dict
    qdc_pairs: tuple[tuple[int, int], ...]
    qdc_diffs: np.ndarray
    qdc_sig: np.ndarray
    qdc_labels: tuple[str, ...]
    adjustments: tuple[tuple, ...] = ()
    notes: tuple[str, ...] = field(default=())
    phi: np.ndarray | None = None
    flag_p: float = 0.05
    majority: bool = True

    @property
    def flag_rule(self) -> str:
        """How the sorts were flagged, for method lines: ``"manual"`` or the automatic rule."""
        if self.manual_flags:
            return "manual"
        z = engine.FLAG_Z[self.flag_p]
        rule = f"automatic: |a| > {z:g}/√n_statements (p < {str(self.flag_p).lstrip('0')})"
        return rule + (
            " and a² > h² − a²" if self.majority else ", largest loading (no majority rule)"
        )

    @property
    def communalities(self) -> np.ndarray:
        """h^2 of each sort (n_sorts,): the common variance the k factors explain.

        ``h^2 = sum_f L_f^2`` of the unrotated loadings, which every rotation keeps (for an
        oblique one, ``diag(P Phi P')`` of the pattern ``P``); unchanged by inverting or
        splitting a factor.
        """
        return (np.asarray(self.unrotated) ** 2).sum(axis=1)

    @property
    def factor_names(self) -> tuple[str, ...]:
        return tuple(f"f{i + 1}" for i in range(self.n_factors))

    @property
    def empty_factors(self) -> tuple[int, ...]:
        """0-based indices of factors that no sort defines (no z-scores, no array)."""
        return tuple(int(f) for f in np.where(~self.flags.any(axis=0))[0])

    @property
    def cor_zsc(self) -> np.ndarray:
        return self.characteristics["cor_zsc"]

    @property
    def sed(self) -> np.ndarray:
        return self.characteristics["sed"]

    @cached_property
    def corr(self) -> np.ndarray:
        """The by-person correlation matrix (n_sorts, n_sorts), computed on first use."""
        return engine.correlate(self.sorts, cor=self.cor)

    def options(self) -> dict:
        return {
            "n_factors": self.n_factors,
            "extraction": self.extraction,
            "rotation": self.rotation,
            "cor": self.cor,
            "manual_flags": self.manual_flags,
            "flag_p": self.flag_p,
            "majority": self.majority,
            "adjustments": [list(a) for a in self.adjustments],
        }


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


def validate_sorts(
    sorts,
    *,
    distribution=None,
    sort_ids=None,
    statement_ids=None,
):
    """Check the input and return ``(sorts, distribution, sort_ids, statement_ids)``."""
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
    """By-person factor analysis of Q-sorts, matching R ``qmethod`` 1.8.4 by default.

    Parameters
    ----------
    sorts : array_like of shape (n_statements, n_sorts)
        Grid values of every statement in every sort.
    n_factors : int
        Number of factors to extract (1 <= n_factors <= n_sorts).
    extraction : {"pca", "centroid"}, default "pca"
        PCA as ``psych::principal``, or Brown's centroid method (``spc`` is its tolerance).
    rotation : {"varimax", "none", "quartimax", "equamax", "promax", "oblimin"}, default "varimax"
        Each as ``psych::principal(r, k, rotate=rotation)`` computes it (see
        :mod:`poetq.analysis.rotation`); after centroid, the same R function without
        reordering, as ``help(centroid)`` in qmethod does it by hand.
    cor : {"pearson", "spearman", "kendall"}, default "pearson"
    flags : array_like of bool, shape (n_sorts, n_factors), optional
        Manual flags instead of the automatic ones.
    distribution : array_like, optional
        The grid's values with repetition, for sorts that do not all share one distribution.
    sort_ids, statement_ids : sequence of str, optional
    flag_p : {0.05, 0.01, 0.001}, default 0.05
        Significance a loading needs to be flagged automatically (see
        :func:`~poetq.analysis.engine.auto_flags`).
    majority : bool, default True
        Also require ``a^2 > h^2 - a^2`` for an automatic flag (qmethod's rule).

    Returns
    -------
    AnalysisResult

    Notes
    -----
    Equivalent R call: ``qmethod(sorts, nfactors, extraction="PCA"|"centroid",
    rotation=..., cor.method=..., forced=is.null(distribution), distribution=...)``.
    Steps: correlation, extraction, rotation, flags (``a^2 > h^2 - a^2`` and
    ``|a| > 1.96/sqrt(n_statements)``), weights ``a/(1 - a^2)``, z-scores with the sample SD,
    factor arrays, characteristics, distinguishing/consensus statements (Zabala 2014).
    """
    if extraction not in EXTRACTIONS:
        raise ValidationError(f"unknown extraction {extraction!r}: use pca or centroid")
    if rotation not in ROTATIONS:
        raise ValidationError(f"unknown rotation {rotation!r}: use one of {', '.join(ROTATIONS)}")
    if cor not in engine.CORRELATIONS:
        raise ValidationError(f"unknown correlation {cor!r}: use pearson, spearman or kendall")
    if flag_p not in engine.FLAG_Z:
        raise ValidationError(f"flag_p must be one of {', '.join(str(p) for p in engine.FLAG_Z)}")
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
        f = engine.auto_flags(loadings, n, flag_p=flagging[0], majority=flagging[1])
        manual = False
    else:
        f = _check_flags(flags, m, k, sort_ids)
        manual = True
    _check_weights(loadings, f, sort_ids, rotation)
    z = engine.zscores(x, loadings, f)
    arrays = engine.factor_arrays(z, dist)
    chars = engine.characteristics(loadings, f, z)
    defined = [i for i in range(k) if f[:, i].any()]
    if len(defined) >= 2:
        pairs, diffs, sig, labels = engine.distinguishing(z, chars["sed"], defined)
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
    """The same analysis with manual flags (n_sorts, n_factors); ``None`` restores automatic."""
    return _redo(result, np.asarray(result.loadings), np.asarray(result.rotation_matrix), flags,
                 ("flags", "manual" if flags is not None else "auto"))


def rotate_factors(result: AnalysisResult, a: int, b: int, degrees: float) -> AnalysisResult:
    """Judgmental rotation of factors ``a`` and ``b`` (1-based) by ``degrees``; flags recomputed
    automatically unless the result had manual flags (kept)."""
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
    """Mirror factor ``factor`` (1-based): loadings, z-scores and array change sign."""
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
    """Split bipolar factor ``factor`` (1-based) into its two poles, as two viewpoints.

    The sorts flagged on the factor with a negative loading leave it and define a new,
    last factor ``f(k+1)``, the factor mirrored (loadings ``-a``); those with a positive
    loading keep defining ``factor``. Each pole then has its own z-scores and array, built
    only from its own sorts (Brown 1980, pp. 44-46; Watts & Stenner 2012, p. 132), instead
    of one array in which the negative sorts enter mirrored. Flags become manual (the
    flags after the split); ``h^2`` and the other factors are unchanged.

    Notes
    -----
    ``loadings' = [L, -L_f]``, ``rotation_matrix' = [R, -R_f]``, and after an oblique
    rotation ``Phi`` gains the row and column ``-Phi_f`` (1 on its diagonal).
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


__all__ = ["AnalysisResult", "analyse", "invert_factor", "rotate_factors", "split_factor",
           "validate_sorts", "with_flags", "replace"]

"""``AnalysisResult``: everything one Q analysis computes, frozen, with read-only arrays."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from poetq.analysis import engine
from poetq.analysis.scores import FLAG_Z


@dataclass(frozen=True)
class AnalysisResult:
    """Everything a Q analysis computes; frozen, with read-only arrays.

    Attributes
    ----------
    sorts : ndarray of shape (n_statements, n_sorts)
        The grid values analysed.
    statement_ids, sort_ids : tuple of str
        Row and column names of ``sorts``.
    n_factors : int
        Number of factors k (one more after each bipolar split).
    extraction : {"pca", "centroid"}
        Extraction method.
    rotation : str
        Rotation method (see :mod:`poetq.analysis.rotation`).
    cor : {"pearson", "spearman", "kendall"}
        Correlation between sorts.
    distribution : ndarray of shape (n_statements,)
        The grid values with repetition, ascending (the factor arrays' distribution).
    eigenvalues : ndarray of shape (n_sorts,)
        Eigenvalues of the correlation matrix, decreasing.
    unrotated : ndarray of shape (n_sorts, k)
        Loadings before rotation.
    rotation_matrix : ndarray of shape (k, k)
        ``loadings = unrotated @ rotation_matrix`` (by-hand rotations, inversions and splits
        included).
    loadings : ndarray of shape (n_sorts, k)
        Rotated loadings (the pattern matrix after an oblique rotation).
    flags : ndarray of bool, shape (n_sorts, k)
        Which sorts define each factor.
    manual_flags : bool
        Whether ``flags`` were given by hand.
    zscores : ndarray of shape (n_statements, k)
        Factor z-scores; NaN for a factor that defines no sort.
    factor_arrays : ndarray of shape (n_statements, k)
        Z-scores rounded into ``distribution``; NaN for a factor that defines no sort.
    characteristics : dict of str to ndarray
        :func:`~poetq.analysis.scores.characteristics` (``nload``, ``eigenvals``,
        ``expl_var``, ``reliability``, ``se_fscores``, ``cor_zsc`` (k, k), ``sed`` (k, k)).
    qdc_pairs : tuple of (int, int)
        0-based factor pairs compared for distinguishing statements.
    qdc_diffs : ndarray of shape (n_statements, n_pairs)
        :math:`z_f - z_g` per pair.
    qdc_sig : ndarray of object, shape (n_statements, n_pairs)
        Significance labels per pair.
    qdc_labels : tuple of str
        qmethod's ``dist.and.cons`` label per statement.
    adjustments : tuple of tuple
        By-hand changes in order: ``("flags", "manual"|"auto")``, ``("rotate", a, b,
        degrees)``, ``("invert", f)``, ``("split", f)``.
    notes : tuple of str
        Warnings for the reader (mirrored sorts, empty factors, splits).
    phi : ndarray of shape (k, k) or None
        Factor correlations after an oblique rotation (promax, oblimin), else None.
    flag_p : float
        Significance level of the automatic flags.
    majority : bool
        Whether automatic flags also needed :math:`a^2 > h^2 - a^2`.

    Notes
    -----
    R qmethod: the ``QmethodRes`` list of ``qmethod()``: ``loa`` = ``loadings``, ``flagged``
    = ``flags``, ``zsc`` = ``zscores``, ``zsc_n`` = ``factor_arrays``, ``f_char`` =
    ``characteristics``, ``qdc`` = the ``qdc_*`` fields.
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
        z = FLAG_Z[self.flag_p]
        rule = f"automatic: |a| > {z:g}/√n_statements (p < {str(self.flag_p).lstrip('0')})"
        return rule + (
            " and a² > h² − a²" if self.majority else ", largest loading (no majority rule)"
        )

    @property
    def communalities(self) -> np.ndarray:
        r"""Communalities :math:`h^2` of the sorts, shape (n_sorts,).

        :math:`h_j^2 = \sum_f L_{jf}^2` of the unrotated loadings: the common variance the k
        factors explain, which every rotation keeps (for an oblique one,
        :math:`\operatorname{diag}(P \Phi P^\top)` of the pattern ``P``); unchanged by inverting or
        splitting a factor.
        """
        return (np.asarray(self.unrotated) ** 2).sum(axis=1)

    @property
    def factor_names(self) -> tuple[str, ...]:
        """The factors' names ``("f1", "f2", ...)``, as qmethod names its columns."""
        return tuple(f"f{i + 1}" for i in range(self.n_factors))

    @property
    def empty_factors(self) -> tuple[int, ...]:
        """0-based indices of the factors that no sort defines (no z-scores, no array)."""
        return tuple(int(f) for f in np.where(~self.flags.any(axis=0))[0])

    @property
    def cor_zsc(self) -> np.ndarray:
        """Correlations between the factors' z-scores, (k, k) (qmethod's ``f_char$cor_zsc``)."""
        return self.characteristics["cor_zsc"]

    @property
    def sed(self) -> np.ndarray:
        """Standard errors of differences between factors, shape (k, k) (``f_char$sd_dif``)."""
        return self.characteristics["sed"]

    @cached_property
    def corr(self) -> np.ndarray:
        """The by-person correlation matrix, shape (n_sorts, n_sorts), computed on first use."""
        return engine.correlate(self.sorts, cor=self.cor)

    def options(self) -> dict:
        """The options this result was computed with, as a JSON-ready dict.

        Returns
        -------
        dict
            ``n_factors``, ``extraction``, ``rotation``, ``cor``, ``manual_flags``, ``flag_p``,
            ``majority`` and ``adjustments`` (lists).
        """
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

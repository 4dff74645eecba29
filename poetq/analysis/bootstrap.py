"""Bootstrap of a Q analysis as R ``qmethod::qmboots``: stability of loadings, flags, z-scores
and factor arrays over balanced resamples of the sorts.

Every step is kept (per step z-scores, and per sort the loading and flag of its first copy),
so the summaries are exactly ``qmboots``'s ``psych::describe`` tables and quantiles. Memory is
``steps * (n_statements + 2 n_sorts) * k`` numbers, bounded by :data:`MAX_CELLS`.
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from poetq.analysis import engine, scores
from poetq.analysis import rotation as rotations
from poetq.analysis.pipeline import analyse
from poetq.analysis.result import AnalysisResult
from poetq.analysis.threads import single_threaded
from poetq.errors import ConvergenceWarning, ValidationError

#: Most numbers a bootstrap may keep (steps x (statements + 2 sorts) x factors): 160 MB.
MAX_CELLS = 20_000_000
#: Most processes a bootstrap may ask for.
MAX_JOBS = 64
#: Column names of :func:`describe`, as ``psych::describe`` plus qmboots' quantiles.
DESCRIBE = ("n", "mean", "sd", "median", "trimmed", "mad", "min", "max", "range", "skew",
            "kurtosis", "se", "2.5%", "25%", "75%", "97.5%")
QUANTILES = (2.5, 25, 75, 97.5)


def describe(values: np.ndarray) -> dict[str, float]:
    r"""``psych::describe`` (psych 2.2.9) of one variable, NaN left out, plus quantiles.

    Parameters
    ----------
    values : array_like of shape (n,)
        The values; NaN are left out.

    Returns
    -------
    dict of str to float
        One value per name of :data:`DESCRIBE`; everything but ``n`` is NaN when no value is
        left.

    Notes
    -----
    ``sd`` with n - 1; ``trimmed`` = ``mean(x, trim = 0.1)`` (drop :math:`\lfloor 0.1 n\rfloor`
    values at each end); ``mad`` = :math:`1.4826\,\operatorname{median}|x - \operatorname{median}
    (x)|`; ``skew`` = :math:`\sum (x - \bar x)^3 / (n\,\mathrm{sd}^3)`; ``kurtosis`` =
    :math:`\sum (x - \bar x)^4 / (n\,\mathrm{sd}^4) - 3` (type 3); ``se`` =
    :math:`\mathrm{sd} / \sqrt n`; the quantiles are R's type 7 (numpy's default). R qmethod:
    the rows of ``qmboots(...)$"zscore-stats"`` and ``$loa.stats``.
    """
    x = np.sort(np.asarray(values, dtype=float)[~np.isnan(values)])
    n = x.size
    out = dict.fromkeys(DESCRIBE, np.nan)
    out["n"] = float(n)
    if n == 0:
        return out
    mean = x.mean()
    sd = x.std(ddof=1) if n > 1 else np.nan
    median = float(np.median(x))
    lo = int(np.floor(n * 0.1))
    dev = x - mean
    with np.errstate(divide="ignore", invalid="ignore"):
        out.update(
            mean=mean, sd=sd, median=median, trimmed=x[lo:n - lo].mean(),
            mad=1.4826 * float(np.median(np.abs(x - median))), min=x[0], max=x[-1],
            range=x[-1] - x[0], skew=(dev**3).sum() / (n * sd**3),
            kurtosis=(dev**4).sum() / (n * sd**4) - 3, se=sd / np.sqrt(n),
        )
    for q, v in zip(QUANTILES, np.percentile(x, QUANTILES)):
        out[f"{q:g}%"] = float(v)
    return out


def align(loadings: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, bool]:
    """Reorder and re-sign a resample's factors to the target's, as ``qmethod::qindtest``.

    Parameters
    ----------
    loadings : ndarray of shape (n_drawn, k)
        The resample's rotated loadings.
    target : ndarray of shape (n_drawn, k)
        The full-sample loadings of the same drawn sorts.

    Returns
    -------
    aligned : ndarray of shape (n_drawn, k)
        The loadings reordered and signed.
    order_error : bool
        True when reordering would take one resample factor twice (qmboots drops the step).

    Notes
    -----
    :math:`r_{gf}` is the correlation, over the drawn sorts, of resample factor g with target
    factor f. If some :math:`|r_{gf}| > |r_{ff}|`, each target factor takes the resample factor
    of largest :math:`|r|`; if that picks one factor twice (two columns correlating above
    0.999) the order is kept and ``order_error`` is True. Then each factor whose :math:`r` with
    its target is negative is mirrored. R qmethod: ``qindtest(loa, target, nfactors)``
    (``indet = "qindtest"``).
    """
    k = loadings.shape[1]

    def cross(a):
        return np.corrcoef(a.T, target.T)[:k, k:].reshape(k, k)

    c = cross(loadings)
    a = np.abs(c)
    error = False
    if np.any(np.diag(a) < a.max(axis=0)):
        picked = loadings[:, a.argmax(axis=0)]
        c2 = np.corrcoef(picked.T).reshape(k, k) if k > 1 else np.ones((1, 1))
        np.fill_diagonal(c2, 0)
        if np.abs(c2).max() > 0.999:
            error = True
        else:
            loadings = picked
            c = cross(loadings)
    signs = np.where(np.diag(c) < 0, -1.0, 1.0)
    return loadings * signs, error


def balanced_resamples(n_sorts: int, steps: int, seed: int | None) -> np.ndarray:
    """Balanced bootstrap draws: every sort drawn ``steps`` times in all.

    Parameters
    ----------
    n_sorts : int
        Number of sorts m.
    steps : int
        Number of resamples.
    seed : int or None
        Seed of numpy's generator (None: fresh entropy).

    Returns
    -------
    ndarray of int, shape (n_sorts, steps)
        0-based sort positions; column s is step s.

    Notes
    -----
    ``rep(0:(m-1), steps)`` permuted and cut into ``steps`` blocks of m, as ``qmboots`` draws
    them (with numpy's generator, so the draws differ from R's; pass R's draws to
    :func:`bootstrap` as ``resamples`` to reproduce a qmboots run).
    """
    rng = np.random.default_rng(seed)
    return rng.permutation(np.tile(np.arange(n_sorts), steps)).reshape(steps, n_sorts).T


def _over_steps(stat, values: np.ndarray, *args, **kwargs) -> np.ndarray:
    """A NaN-ignoring statistic over the steps (axis 0); all-NaN cells give NaN quietly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return stat(values, *args, axis=0, **kwargs)


@dataclass(frozen=True)
class BootstrapResult:
    """Every step of a bootstrap, and the summaries qmboots reports.

    Attributes
    ----------
    full : AnalysisResult
        The full-sample analysis (the alignment target).
    steps : int
        Number of resamples.
    seed : int or None
        The seed of the draws; None when they were given.
    resamples : ndarray of int, shape (n_sorts, steps)
        0-based sort positions drawn in each step.
    zscores : ndarray of shape (steps, n_statements, k)
        Each step's aligned z-scores (NaN for a failed step or empty factor).
    loadings, flags : ndarray of shape (steps, n_sorts, k)
        Each step's aligned loading and flag (0/1) of each sort; NaN where the sort was not
        drawn (a sort drawn twice counts once, its first copy).
    kept : ndarray of bool, shape (steps,)
        The steps that enter the summaries: not an order-swap error nor a failed step.
    order_errors : int
        Steps dropped because the alignment would take a factor twice.
    failed : int
        Steps dropped because a flagged loading was 1 or more (no weight).

    Notes
    -----
    R qmethod: ``qmboots(...)``: ``resamples`` is ``b$resamples - 1``, the summaries below are
    ``b$"zscore-stats"``, ``b$loa.stats`` and ``qmb.summary(b)``.
    """

    full: AnalysisResult
    steps: int
    seed: int | None
    resamples: np.ndarray
    zscores: np.ndarray
    loadings: np.ndarray
    flags: np.ndarray
    kept: np.ndarray
    order_errors: int
    failed: int

    @property
    def valid_steps(self) -> int:
        """Number of steps kept for the summaries."""
        return int(self.kept.sum())

    def zscore_stats(self, f: int) -> list[dict[str, float]]:
        """Descriptive statistics of each statement's z-score on one factor over the kept steps.

        Parameters
        ----------
        f : int
            0-based factor index.

        Returns
        -------
        list of dict
            One :func:`describe` per statement, in statement order. R qmethod:
            ``b$"zscore-stats"$factor<f+1>``.
        """
        return [describe(self.zscores[self.kept, i, f]) for i in range(self.zscores.shape[1])]

    def loading_stats(self, f: int) -> list[dict[str, float]]:
        """Descriptive statistics of each sort's loading on one factor over the kept steps.

        Parameters
        ----------
        f : int
            0-based factor index.

        Returns
        -------
        list of dict
            One :func:`describe` per sort in the sorts' order, plus ``flag_freq``: the share of
            the kept steps that drew the sort in which it was flagged on f. R qmethod:
            ``b$loa.stats$factor<f+1>`` (which orders the rows by sort id).
        """
        out = []
        for j in range(self.loadings.shape[1]):
            row = describe(self.loadings[self.kept, j, f])
            drawn = self.flags[self.kept, j, f]
            drawn = drawn[~np.isnan(drawn)]
            row["flag_freq"] = float(drawn.mean()) if drawn.size else np.nan
            out.append(row)
        return out

    @cached_property
    def _z(self) -> np.ndarray:
        return self.zscores[self.kept]

    @property
    def zscore_mean(self) -> np.ndarray:
        """Mean z-score per statement and factor over the kept steps, shape (n_statements, k)."""
        return _over_steps(np.nanmean, self._z)

    @property
    def zscore_sd(self) -> np.ndarray:
        """Sample SD (n - 1) of the z-scores over the kept steps, shape (n_statements, k)."""
        return _over_steps(np.nanstd, self._z, ddof=1)

    @property
    def zscore_q(self) -> np.ndarray:
        """Quantiles 2.5, 25, 75, 97.5 % per statement and factor, shape (4, n_statements, k)."""
        return _over_steps(np.nanpercentile, self._z, QUANTILES)

    @property
    def array(self) -> np.ndarray:
        """Bootstrapped factor arrays: the grid values in the order of the mean z-scores."""
        return scores.factor_arrays(self.zscore_mean, np.asarray(self.full.distribution))

    @property
    def loading_mean(self) -> np.ndarray:
        """Mean loading of each sort over the kept steps that drew it, shape (n_sorts, k)."""
        return _over_steps(np.nanmean, self.loadings[self.kept])

    @property
    def loading_sd(self) -> np.ndarray:
        """Sample SD (n - 1) of each sort's loading over the kept steps that drew it."""
        return _over_steps(np.nanstd, self.loadings[self.kept], ddof=1)

    @property
    def flag_freq(self) -> np.ndarray:
        """Share of the kept steps drawing each sort that flag it on each factor, (n_sorts, k)."""
        return _over_steps(np.nanmean, self.flags[self.kept])

    @property
    def array_agreement(self) -> np.ndarray:
        """Share of kept steps whose array value equals the full-sample array, (n_statements, k)."""
        dist = np.asarray(self.full.distribution)
        arrays = np.stack([scores.factor_arrays(z, dist) for z in self._z]) if len(self._z) else \
            np.full((0, *self.full.factor_arrays.shape), np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanmean(arrays == np.asarray(self.full.factor_arrays)[None], axis=0)

    @property
    def fsi(self) -> np.ndarray:
        """Mean |full array - bootstrapped array| per factor (the index qmboots describes).

        qmethod 1.8.4's ``qfsi`` subtracts each bootstrapped array from one cell of the full array,
        so it is not this index (see the bootstrap spec).
        """
        return np.nanmean(np.abs(np.asarray(self.full.factor_arrays) - self.array), axis=0)


def _check_resamples(resamples, m: int) -> np.ndarray:
    r = np.asarray(resamples)
    if r.ndim != 2 or r.shape[0] != m:
        raise ValidationError(
            f"the resamples must have one row per sort ({m}), one column per step"
        )
    if r.shape[1] < 2:
        raise ValidationError("a bootstrap needs at least 2 steps")
    if not np.issubdtype(r.dtype, np.integer) or r.min() < 0 or r.max() >= m:
        raise ValidationError(f"every resample must name sorts by position 1 to {m}")
    return r


@single_threaded
def bootstrap(
    sorts,
    n_factors: int,
    *,
    steps: int = 200,
    seed: int | None = 0,
    resamples=None,
    progress: Callable[[int], None] | None = None,
    jobs: int = 1,
    **options,
) -> BootstrapResult:
    r"""Balanced bootstrap of the analysis, as R ``qmethod::qmboots``.

    Parameters
    ----------
    sorts : array_like of shape (n_statements, n_sorts)
        Grid values.
    n_factors : int
        Number of factors k.
    steps : int, default 200
        Number of resamples (ignored when ``resamples`` is given).
    seed : int or None, default 0
        Seed of the draws.
    resamples : array_like of int, shape (n_sorts, steps), optional
        0-based sort positions of each resample (qmboots' ``b$resamples`` minus 1).
    progress : callable, optional
        Called with the number of finished steps after each step (after each batch of
        steps when ``jobs > 1``).
    jobs : int, default 1
        Processes that run the steps, each on one BLAS thread; the result is the same for
        any number (each step's result is kept on its own, nothing is summed across them).
    **options
        Options of :func:`~poetq.analysis.pipeline.analyse` (extraction, rotation, cor,
        distribution, sort_ids, statement_ids, flag_p, majority); manual ``flags`` are refused.

    Returns
    -------
    BootstrapResult
        Every step and the summaries.

    Raises
    ------
    ValidationError
        If manual flags are given, ``jobs`` is not 1 to :data:`MAX_JOBS`, there are fewer than
        2 steps, the resamples do not name sorts 1 to m, or the steps would keep more than
        :data:`MAX_CELLS` numbers.

    Notes
    -----
    Each step draws m sorts (``rep(1:m, steps)`` permuted and cut into blocks, so every sort
    is drawn ``steps`` times in all), extracts and rotates with the full analysis' extraction
    and rotation without reordering (qmboots: PCA, then ``stats::varimax``), aligns the
    factors to the full-sample loadings of the drawn sorts (:func:`align`), flags
    automatically (:math:`|a| > 1.96/\sqrt n`, :math:`a^2 > h^2 - a^2`) and computes the
    z-scores (:math:`w = a/(1 - a^2)`). A sort drawn twice counts once (its first copy). The
    summaries are :func:`describe` over the kept steps; the bootstrapped array ranks the mean
    z-scores into the grid. R qmethod: ``qmboots(sorts, nfactors, nsteps, load = "auto",
    rotation = "varimax", indet = "qindtest")``; with qmboots' own ``b$resamples`` the summaries
    agree to 1e-6.
    """
    if options.get("flags") is not None:
        raise ValidationError(
            "the bootstrap flags each resample automatically: leave out manual flags"
        )
    if (
        isinstance(jobs, bool)
        or not isinstance(jobs, (int, np.integer))
        or not 1 <= jobs <= MAX_JOBS
    ):
        raise ValidationError(f"jobs must be a whole number from 1 to {MAX_JOBS}")
    full = analyse(sorts, n_factors, **options)
    x = np.asarray(full.sorts)
    n, m = x.shape
    k = n_factors
    if resamples is None:
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 2:
            raise ValidationError("a bootstrap needs at least 2 steps")
        resamples = balanced_resamples(m, int(steps), seed)
    else:
        seed = None
    draws = _check_resamples(resamples, m)
    steps = draws.shape[1]
    if steps * (n + 2 * m) * k > MAX_CELLS:
        raise ValidationError(f"{steps} steps of {m} sorts are too many to keep: use at most "
                              f"{MAX_CELLS // ((n + 2 * m) * k)} steps")
    target = np.asarray(full.loadings)
    method = (full.extraction, full.cor, full.rotation, full.flag_p, full.majority)
    if jobs == 1:
        z_all, loa_all, flag_all, kept, order_errors, failed = _steps(x, draws, target, k, method,
                                                                      progress)
    else:
        z_all, loa_all, flag_all, kept, order_errors, failed = _steps_in_processes(
            x, draws, target, k, method, jobs, progress)
    return BootstrapResult(full=full, steps=steps, seed=seed, resamples=draws, zscores=z_all,
                           loadings=loa_all, flags=flag_all, kept=kept,
                           order_errors=order_errors, failed=failed)


def _steps(x, draws, target, k, method, progress=None):
    """Every step of ``draws`` (n_sorts, steps): per-step z-scores, loadings and flags."""
    extraction, cor, rotation, flag_p, majority = method
    n, m = x.shape
    steps = draws.shape[1]
    z_all = np.full((steps, n, k), np.nan)
    loa_all = np.full((steps, m, k), np.nan)
    flag_all = np.full((steps, m, k), np.nan)
    kept = np.zeros(steps, dtype=bool)
    order_errors = failed = 0
    for s in range(steps):
        idx = draws[:, s]
        xs = x[:, idx]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            if extraction == "pca":
                unrotated, _ = engine.pca(xs, k, cor=cor)
            else:
                unrotated = engine.centroid(engine.correlate(xs, cor=cor), k)
            rotated, _, _ = rotations.rotate(unrotated, rotation, reorder=False)
        aligned, error = align(rotated, target[idx])
        flags = scores.auto_flags(aligned, n, flag_p=flag_p, majority=majority)
        uniq, first = np.unique(idx, return_index=True)
        if np.any(flags & (np.abs(aligned) >= 1)):
            failed += 1
        else:
            z_all[s] = scores.zscores(xs, aligned, flags)
            loa_all[s, uniq] = aligned[first]
            flag_all[s, uniq] = flags[first]
            kept[s] = not error
            order_errors += int(error)
        if progress:
            progress(s + 1)
    return z_all, loa_all, flag_all, kept, order_errors, failed


@single_threaded
def _steps_of_batch(x, draws, target, k, method):
    return _steps(x, draws, target, k, method)


def _steps_in_processes(x, draws, target, k, method, jobs, progress):
    """:func:`_steps` in ``jobs`` processes, a few batches each so progress keeps moving."""
    import multiprocessing  # only here: a process pool is not part of every analysis
    from concurrent.futures import ProcessPoolExecutor, as_completed

    steps = draws.shape[1]
    batches = [b for b in np.array_split(np.arange(steps), min(steps, 4 * jobs)) if b.size]
    # fork shares the parent's imports (no start-up cost) and is safe with one thread alive
    fork = sys.platform == "linux" and threading.active_count() == 1
    context = multiprocessing.get_context("fork" if fork else "spawn")
    n, m = x.shape
    z_all = np.full((steps, n, k), np.nan)
    loa_all = np.full((steps, m, k), np.nan)
    flag_all = np.full((steps, m, k), np.nan)
    kept = np.zeros(steps, dtype=bool)
    order_errors = failed = done = 0
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = {
            pool.submit(_steps_of_batch, x, draws[:, b], target, k, method): b for b in batches
        }
        for future in as_completed(futures):
            b = futures[future]
            z, loa, flags, ok, errors, bad = future.result()
            z_all[b], loa_all[b], flag_all[b], kept[b] = z, loa, flags, ok
            order_errors += errors
            failed += bad
            done += b.size
            if progress:
                progress(done)
    return z_all, loa_all, flag_all, kept, order_errors, failed

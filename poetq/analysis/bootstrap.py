"""Bootstrap of a Q analysis: stability of loadings, flags, z-scores and factor arrays."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from poetq.analysis import engine
from poetq.analysis.pipeline import AnalysisResult, analyse
from poetq.analysis.threads import single_threaded
from poetq.errors import ConvergenceWarning, ValidationError


@dataclass(frozen=True)
class BootstrapResult:
    """Summaries over ``steps`` bootstrap samples (``valid_steps`` aligned without error).

    ``zscore_mean``/``zscore_sd``/``zscore_q`` (quantiles 2.5, 25, 75, 97.5 %, shape
    (4, n_statements, k)) per statement and factor; ``array`` = grid values by order of the
    mean bootstrap z-score; ``array_agreement`` = share of steps whose array value equals the
    full-sample array; ``loading_mean``/``loading_sd`` and ``flag_freq`` per sort and factor
    (over the steps in which the sort was drawn); ``fsi`` = mean |full array - step array|.
    """

    full: AnalysisResult
    steps: int
    valid_steps: int
    seed: int | None
    zscore_mean: np.ndarray
    zscore_sd: np.ndarray
    zscore_q: np.ndarray
    array: np.ndarray
    array_agreement: np.ndarray
    loading_mean: np.ndarray
    loading_sd: np.ndarray
    flag_freq: np.ndarray
    fsi: np.ndarray


def _align(boot: np.ndarray, target: np.ndarray) -> np.ndarray | None:
    """Reorder and re-sign bootstrap factors to match the target (qmethod's qindtest)."""
    k = boot.shape[1]
    if k == 1:
        c = np.corrcoef(boot[:, 0], target[:, 0])[0, 1]
        return boot * (-1 if c < 0 else 1)
    c = np.corrcoef(boot.T, target.T)[:k, k:]  # rows boot factors, cols target factors
    order = np.arange(k)
    if np.any(np.abs(np.diag(c)) < np.abs(c).max(axis=0)):
        order = np.abs(c).argmax(axis=0)
        if len(set(order.tolist())) < k:
            return None
    aligned = boot[:, order]
    signs = np.sign(np.diag(c[order][:, np.arange(k)]))
    signs[signs == 0] = 1
    return aligned * signs


@single_threaded
def bootstrap(
    sorts,
    n_factors: int,
    *,
    steps: int = 200,
    seed: int | None = 0,
    progress: Callable[[int], None] | None = None,
    **options,
) -> BootstrapResult:
    """Balanced bootstrap of the analysis as R ``qmethod::qmboots``.

    The vector ``rep(1:m, steps)`` is permuted and cut into ``steps`` blocks of ``m`` sorts,
    so each sort is drawn ``steps`` times in all. Each step extracts PCA factors, rotates
    with varimax, aligns them to the full-sample loadings by order and sign (steps whose
    alignment would make two factors the same are dropped), then flags and scores.
    ``progress(i)`` is called after each step.
    """
    full = analyse(sorts, n_factors, **options)
    if steps < 2:
        raise ValidationError("a bootstrap needs at least 2 steps")
    x = np.asarray(full.sorts)
    n, m = x.shape
    k = n_factors
    rng = np.random.default_rng(seed)
    draws = rng.permutation(np.tile(np.arange(m), steps)).reshape(steps, m)
    target = np.asarray(full.loadings)
    dist = np.asarray(full.distribution)
    z_all = np.full((steps, n, k), np.nan)
    arr_all = np.full((steps, n, k), np.nan)
    load_sum = np.zeros((m, k))
    load_sq = np.zeros((m, k))
    flag_sum = np.zeros((m, k))
    seen = np.zeros(m)
    valid = np.zeros(steps, dtype=bool)
    for s in range(steps):
        idx = draws[s]
        xs = x[:, idx]
        if np.any(np.ptp(xs, axis=0) == 0):
            if progress:
                progress(s + 1)
            continue
        unrot, _ = engine.pca(xs, k, cor=full.cor)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            rot, _ = engine.varimax(unrot)
        aligned = _align(rot, target[idx])
        if aligned is not None:
            flags = engine.auto_flags(aligned, n)
            z = engine.zscores(xs, aligned, flags)
            z_all[s] = z
            arr_all[s] = engine.factor_arrays(z, dist)
            uniq, first = np.unique(idx, return_index=True)
            load_sum[uniq] += aligned[first]
            load_sq[uniq] += aligned[first] ** 2
            flag_sum[uniq] += flags[first]
            seen[uniq] += 1
            valid[s] = True
        if progress:
            progress(s + 1)
    zv = z_all[valid]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        zmean = np.nanmean(zv, axis=0)
        zsd = np.nanstd(zv, axis=0, ddof=1)
        zq = np.nanpercentile(zv, [2.5, 25, 75, 97.5], axis=0)
        denom = np.maximum(seen, 1)[:, None]
        lmean = load_sum / denom
        lsd = np.sqrt(np.maximum(load_sq / denom - lmean**2, 0))
        agree = np.nanmean(arr_all[valid] == np.asarray(full.factor_arrays)[None], axis=0)
        fsi = np.nanmean(np.abs(arr_all[valid] - np.asarray(full.factor_arrays)[None]), axis=(0, 1))
    return BootstrapResult(
        full=full,
        steps=steps,
        valid_steps=int(valid.sum()),
        seed=seed,
        zscore_mean=zmean,
        zscore_sd=zsd,
        zscore_q=zq,
        array=engine.factor_arrays(zmean, dist),
        array_agreement=agree,
        loading_mean=lmean,
        loading_sd=lsd,
        flag_freq=flag_sum / denom,
        fsi=fsi,
    )

"""Loadings, heat map, scree, z-score comparison and bootstrap stability figures."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from poetq.domain import QSet
from poetq.errors import ValidationError
from poetq.plots._base import _factor_index, _new_axes, _numbers, _texts


def loadings_pair(result, a: int = 1, b: int = 2, *, ax: Axes | None = None) -> Axes:
    """Loadings of every sort on factors ``a`` (x axis) and ``b`` (y axis).

    Parameters
    ----------
    result : AnalysisResult
    a, b : int, default 1 and 2
        Two different 1-based factor numbers.
    ax : Axes, optional

    Returns
    -------
    Axes

    Notes
    -----
    Sorts flagged on ``a`` or ``b`` are highlighted, sorts flagged on another factor drawn
    hollow; dashed lines mark the p < .05 threshold ``1.96 / sqrt(n_statements)`` (Brown 1980).
    """
    ia = _factor_index(result, a, needs_scores=False)
    ib = _factor_index(result, b, needs_scores=False)
    if ia == ib:
        raise ValidationError("choose two different factors for a loadings plot")
    ax = _new_axes(ax, (6.2, 6.2))
    load, flags = np.asarray(result.loadings), np.asarray(result.flags)
    x, y = load[:, ia], load[:, ib]
    on_a, on_b = flags[:, ia], flags[:, ib]
    elsewhere = flags.any(axis=1) & ~(on_a | on_b)
    none = ~flags.any(axis=1)
    ax.scatter(x[none], y[none], c="#999999", s=22, label="not flagged", zorder=3)
    ax.scatter(x[elsewhere], y[elsewhere], facecolors="none", edgecolors="#555555", s=26,
               label="flagged on another factor", zorder=3)
    ax.scatter(x[on_a], y[on_a], c="#2166ac", s=42, marker="s", label=f"flagged on f{a}", zorder=3)
    ax.scatter(x[on_b], y[on_b], c="#d6604d", s=46, marker="^", label=f"flagged on f{b}", zorder=3)
    if len(result.sort_ids) <= 25:  # more labels pile up in the clusters
        for j, sid in enumerate(result.sort_ids):
            # alternate label sides so neighbouring sorts are less likely to collide
            dx, ha = (4, "left") if j % 2 == 0 else (-4, "right")
            ax.annotate(sid, (x[j], y[j]), fontsize=6.5, xytext=(dx, 3), textcoords="offset points",
                        ha=ha, va="bottom", color="#333333")
    t = 1.96 / np.sqrt(len(result.statement_ids))
    for v in (t, -t):
        ax.axvline(v, ls="--", lw=0.8, c="#777777")
        ax.axhline(v, ls="--", lw=0.8, c="#777777")
    ax.axhline(0, lw=0.6, c="black")
    ax.axvline(0, lw=0.6, c="black")
    lim = max(1.0, float(np.abs(load[:, [ia, ib]]).max()) + 0.05)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel(f"loading on f{a}")
    ax.set_ylabel(f"loading on f{b}")
    ax.set_title(f"Loadings on f{a} and f{b}\n(dashed: p < .05 at ±{t:.2f})", fontsize=10)
    ax.legend(fontsize=7, loc="lower left", framealpha=0.9)
    return ax


def loadings_heatmap(result, *, annotate: bool | None = None, ax: Axes | None = None) -> Axes:
    """All loadings as a heat map, sorts by factors, flagged cells outlined.

    Parameters
    ----------
    result : AnalysisResult
    annotate : bool, optional
        Write each loading in its cell; default when there are at most 40 sorts.
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    load, flags = np.asarray(result.loadings), np.asarray(result.flags)
    m, k = load.shape
    if annotate is None:
        annotate = m <= 40
    ax = _new_axes(ax, (2.4 + 0.75 * k, 1.4 + 0.24 * min(m, 120)))
    im = ax.imshow(load, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    for j, f in zip(*np.where(flags)):
        ax.add_patch(Rectangle((f - 0.5, j - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.6))
    if annotate:
        for j in range(m):
            for f in range(k):
                v = load[j, f]
                ax.text(f, j, f"{v:.2f}", ha="center", va="center", fontsize=6.5,
                        color="white" if abs(v) > 0.6 else "black",
                        fontweight="bold" if flags[j, f] else "normal")
    ax.set_xticks(range(k), result.factor_names)
    ax.xaxis.tick_top()
    if m <= 120:
        ax.set_yticks(range(m), result.sort_ids, fontsize=7 if m <= 60 else 5)
    else:
        ax.set_ylabel(f"{m} sorts")
    ax.set_title("Loadings (flagged cells outlined)", fontsize=10)
    ax.figure.colorbar(im, ax=ax, shrink=0.6 if m > 10 else 0.9, label="loading")
    return ax


def scree(result, *, guidance=None, max_factors: int = 12, ax: Axes | None = None) -> Axes:
    """Scree plot: eigenvalues of the correlation matrix, Kaiser's line and parallel analysis.

    Parameters
    ----------
    result : AnalysisResult
        Its ``eigenvalues`` are drawn, with a line after the ``n_factors`` extracted.
    guidance : FactorGuidance, optional
        When given, its ``parallel`` 95th-percentile eigenvalues of random forced sorts
        (Horn 1965) are drawn as the parallel-analysis line.
    max_factors : int, default 12
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    ax = _new_axes(ax, (6.2, 4.2))
    eig = np.asarray(result.eigenvalues)[:max_factors]
    xs = np.arange(1, len(eig) + 1)
    ax.plot(xs, eig, "o-", c="#2166ac", label="eigenvalues", zorder=3)
    if guidance is not None:
        par = np.asarray(guidance.parallel)[: len(eig)]
        ax.plot(xs[: len(par)], par, "s--", c="#d6604d", ms=4,
                label=f"parallel analysis (95th percentile, {guidance.iterations} random sets)")
    ax.axhline(1, ls=":", c="#666666", label="Kaiser (eigenvalue 1)")
    ax.axvline(result.n_factors + 0.5, c="#999999", lw=0.8, ls="-.",
               label=f"{result.n_factors} factor{'s' if result.n_factors != 1 else ''} extracted")
    ax.set_xticks(xs)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("factor")
    ax.set_ylabel("eigenvalue")
    ax.set_title("Scree plot", fontsize=10)
    ax.legend(fontsize=7.5, loc="upper right")
    return ax


def zscore_comparison(
    result,
    statements: Sequence[str] | None = None,
    *,
    qset: QSet | None = None,
    wrap: int = 48,
    ax: Axes | None = None,
) -> Axes:
    """Z-scores of chosen statements in every factor, as grouped horizontal bars.

    Parameters
    ----------
    result : AnalysisResult
    statements : sequence of str, optional
        Statement ids, drawn top to bottom in this order; default all statements.
    qset : QSet, optional
        Gives numbers and texts for the labels (wrapped at ``wrap`` characters, 2 lines).
    wrap : int, default 48
    ax : Axes, optional

    Returns
    -------
    Axes
        Factors that define no sort have no bars (their legend entry says so).
    """
    ids = list(result.statement_ids if statements is None else statements)
    index = {sid: i for i, sid in enumerate(result.statement_ids)}
    unknown = [s for s in ids if s not in index]
    if unknown:
        raise ValidationError(f"there is no statement {unknown[0]!r} in the analysis")
    if not ids:
        raise ValidationError("choose at least one statement for the z-score comparison")
    numbers, texts = _numbers(result, qset), _texts(qset)
    labels = []
    for sid in ids:
        text = texts.get(sid, "")
        lines = textwrap.wrap(f"{numbers[sid]}. {text}", wrap)[:2] if text else [f"{numbers[sid]} ({sid})"]
        if text and len(textwrap.wrap(f"{numbers[sid]}. {text}", wrap)) > 2:
            lines[-1] = textwrap.shorten(lines[-1] + " …", wrap, placeholder=" …")
        labels.append("\n".join(lines))
    k = result.n_factors
    ax = _new_axes(ax, (9.0, 1.5 + (0.22 * k + 0.2) * len(ids)))
    z = np.asarray(result.zscores)
    rows = [index[s] for s in ids]
    height = 0.8 / k
    ys = np.arange(len(ids))
    colours = [f"C{f % 10}" for f in range(k)]
    for f, name in enumerate(result.factor_names):
        empty = f in result.empty_factors
        vals = np.nan_to_num(z[rows, f]) if not empty else np.zeros(len(rows))
        ax.barh(ys - 0.4 + (f + 0.5) * height, vals, height=height, color=colours[f],
                label=f"{name} (defines no sort)" if empty else name)
    ax.set_yticks(ys, labels, fontsize=7)
    ax.set_ylim(len(ids) - 0.5, -0.5)
    ax.axvline(0, c="black", lw=0.6)
    ax.set_xlabel("z-score")
    ax.set_title("Z-scores by factor", fontsize=10)
    ax.legend(fontsize=7.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return ax


def bootstrap_intervals(boot, factor: int = 1, *, qset: QSet | None = None, ax: Axes | None = None) -> Axes:
    """Bootstrap stability of one factor's z-scores: 95% interval, mean and full-sample value.

    Parameters
    ----------
    boot : BootstrapResult
        Its ``zscore_q`` (2.5, 25, 75, 97.5 percentiles), ``zscore_mean`` and the full-sample
        result ``full`` (qmethod's ``qmboots``).
    factor : int, default 1
    qset : QSet, optional
        Gives the statement numbers.
    ax : Axes, optional

    Returns
    -------
    Axes
        Statements ordered by full-sample z-score, highest at the top.
    """
    full = boot.full
    f = _factor_index(full, factor)
    n = len(full.statement_ids)
    z = np.asarray(full.zscores[:, f])
    order = sorted(range(n), key=lambda i: (-z[i], i))
    numbers = _numbers(full, qset)
    ax = _new_axes(ax, (8.2, 1.6 + 0.17 * n))
    ys = np.arange(n)
    q = np.asarray(boot.zscore_q)
    ax.hlines(ys, q[0][order, f], q[3][order, f], color="#92c5de", lw=3, label="95% bootstrap interval")
    ax.hlines(ys, q[1][order, f], q[2][order, f], color="#4393c3", lw=3, label="50% bootstrap interval")
    ax.plot(np.asarray(boot.zscore_mean)[order, f], ys, "o", c="#053061", ms=3, label="bootstrap mean")
    ax.plot(z[order], ys, "x", c="#b2182b", ms=4.5, label="full sample")
    ax.set_yticks(ys, [str(numbers[full.statement_ids[i]]) for i in order], fontsize=6 if n > 40 else 7)
    ax.set_ylim(n - 0.5, -0.5)
    ax.axvline(0, c="black", lw=0.5)
    ax.set_xlabel("z-score")
    ax.set_ylabel("statement")
    ax.set_title(f"Factor {factor}: bootstrap stability of z-scores\n"
                 f"({boot.valid_steps} of {boot.steps} samples aligned)", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0)
    return ax

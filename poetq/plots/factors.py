"""Loadings, scree, z-score comparison and bootstrap stability figures (the heat map is in
:mod:`poetq.plots.heatmap`).

Each figure takes a :class:`~poetq.plots.style.Style` (width, type size, fonts, factor names);
the z-score and bootstrap figures draw the rows they are given, and their
``*_pages`` companions split all rows into figures no taller than ``style.max_height``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D

from poetq.domain import QSet
from poetq.errors import ValidationError
from poetq.plots._base import (
    FACTOR_COLOURS,
    FACTOR_HATCHES,
    _factor_index,
    _new_axes,
    _numbers,
    _texts,
)
from poetq.plots.style import Style, wrap


def _legend(ax: Axes, handles=None, *, style: Style, ncols: int = 2, owned: bool) -> None:
    """The legend under the plot on a figure of our own (constrained layout keeps it inside),
    else in the axes' best corner."""
    kw = {"fontsize": style.small, "frameon": False}
    if owned:
        ax.figure.legend(
            handles=handles or ax.get_legend_handles_labels()[0],
            loc="outside lower center",
            ncols=ncols,
            **kw,
        )
    else:
        ax.legend(handles=handles, loc="best", **kw)


def _title(ax: Axes, text: str, width: float, style: Style, owned: bool = True) -> None:
    """A title wrapped to the figure's width, centred on a figure of our own (not on the axes,
    which long tick labels push aside)."""
    lines = "\n".join(
        line for part in text.split("\n") for line in wrap(part, 0.92 * width, style.big)[0]
    )
    if owned:
        ax.figure.suptitle(lines, fontsize=style.big)
    else:
        ax.set_title(lines, fontsize=style.big)


def _rows_per_page(row_h: float, overhead: float, style: Style) -> int:
    return max(1, int((style.max_height - overhead) / row_h))


def _pages(n: int, per_page: int) -> list[range]:
    """``n`` rows in near-equal pages of at most ``per_page``."""
    count = -(-n // per_page) if n else 1
    size = -(-n // count) if n else 0
    return [range(i, min(n, i + size)) for i in range(0, n, size)] or [range(0)]


def loadings_pair(result, a: int = 1, b: int = 2, *, style: Style | None = None,
                  labels: bool | None = None, ax: Axes | None = None) -> Axes:
    """Loadings of every sort on factors ``a`` (x axis) and ``b`` (y axis).

    Parameters
    ----------
    result : AnalysisResult
    a, b : int, default 1 and 2
        Two different 1-based factor numbers.
    labels : bool, optional
        Write each sort's id by its point; default: only for 25 sorts or fewer.
    style : Style, optional
    ax : Axes, optional

    Returns
    -------
    Axes

    Notes
    -----
    Sorts flagged on ``a`` (squares) or ``b`` (triangles) are highlighted, sorts flagged on
    another factor drawn as hollow circles, the rest as grey crosses, so the groups differ in
    shape as well as colour; dashed lines mark the p < .05 threshold ``1.96 / sqrt(n_statements)``
    (Brown 1980).
    """
    style = style or Style()
    ia = _factor_index(result, a, needs_scores=False)
    ib = _factor_index(result, b, needs_scores=False)
    if ia == ib:
        raise ValidationError("choose two different factors for a loadings plot")
    owned = ax is None
    w = style.width_or(6.2)
    ax = _new_axes(ax, (w, w + 0.6))
    na, nb = style.factor_name(ia), style.factor_name(ib)
    load, flags = np.asarray(result.loadings), np.asarray(result.flags)
    x, y = load[:, ia], load[:, ib]
    on_a, on_b = flags[:, ia], flags[:, ib]
    elsewhere = flags.any(axis=1) & ~(on_a | on_b)
    none = ~flags.any(axis=1)
    ax.scatter(
        x[none], y[none], c="#777777", s=24, marker="x", linewidths=1, label="not flagged", zorder=3
    )
    ax.scatter(x[elsewhere], y[elsewhere], facecolors="none", edgecolors="#333333", s=26,
               label="flagged on another factor", zorder=3)
    ax.scatter(
        x[on_a], y[on_a], c=FACTOR_COLOURS[0], s=40, marker="s", label=f"flagged on {na}", zorder=3
    )
    ax.scatter(
        x[on_b], y[on_b], c=FACTOR_COLOURS[1], s=46, marker="^", label=f"flagged on {nb}", zorder=3
    )
    if labels or (labels is None and len(result.sort_ids) <= 25 and w >= 4):  # more pile up
        for j, sid in enumerate(result.sort_ids):
            # alternate label sides so neighbouring sorts are less likely to collide
            dx, ha = (4, "left") if j % 2 == 0 else (-4, "right")
            ax.annotate(
                sid,
                (x[j], y[j]),
                fontsize=style.small,
                xytext=(dx, 3),
                textcoords="offset points",
                ha=ha,
                va="bottom",
                color="#333333",
                annotation_clip=True,
            )
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
    ax.set_xlabel(f"loading on {na}", fontsize=style.font_size)
    ax.set_ylabel(f"loading on {nb}", fontsize=style.font_size)
    ax.tick_params(labelsize=style.small)
    if style.title:
        _title(ax, f"Loadings on {na} and {nb}", w, style, owned)
    handles = ax.get_legend_handles_labels()[0] + [
        Line2D([], [], ls="--", lw=0.8, c="#777777", label=f"p < .05 (±{t:.2f})")]
    _legend(ax, handles, style=style, owned=owned)
    return ax


def scree(result, *, guidance=None, max_factors: int = 12, style: Style | None = None,
          ax: Axes | None = None) -> Axes:
    """Scree plot: eigenvalues of the correlation matrix, Kaiser's line and parallel analysis.

    Parameters
    ----------
    result : AnalysisResult
        Its ``eigenvalues`` are drawn, with a line after the ``n_factors`` extracted.
    guidance : FactorGuidance, optional
        When given, its ``parallel`` 95th-percentile eigenvalues of random forced sorts
        (Horn 1965) are drawn as the parallel-analysis line.
    max_factors : int, default 12
    style : Style, optional
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    style = style or Style()
    owned = ax is None
    w = style.width_or(6.2)
    ax = _new_axes(ax, (w, 0.62 * w + 0.8))
    eig = np.asarray(result.eigenvalues)[:max_factors]
    xs = np.arange(1, len(eig) + 1)
    ax.plot(xs, eig, "o-", c=FACTOR_COLOURS[0], label="eigenvalues", zorder=3)
    if guidance is not None:
        par = np.asarray(guidance.parallel)[: len(eig)]
        ax.plot(xs[: len(par)], par, "s--", c=FACTOR_COLOURS[5], ms=4,
                label=f"parallel analysis (95th percentile, {guidance.iterations} random sets)")
    ax.axhline(1, ls=":", c="#444444", label="Kaiser (eigenvalue 1)")
    ax.axvline(result.n_factors + 0.5, c="#777777", lw=0.8, ls="-.",
               label=f"{result.n_factors} factor{'s' if result.n_factors != 1 else ''} extracted")
    ax.set_xticks(xs)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("factor", fontsize=style.font_size)
    ax.set_ylabel("eigenvalue", fontsize=style.font_size)
    ax.tick_params(labelsize=style.small)
    if style.title:
        _title(ax, "Scree plot", w, style, owned)
    _legend(ax, style=style, ncols=1 if w < 5 else 2, owned=owned)
    return ax


def _zscore_labels(
    result, ids: Sequence[str], qset: QSet | None, width_in: float, style: Style
) -> list[str]:
    numbers, texts = _numbers(result, qset), _texts(qset)
    labels = []
    for sid in ids:
        text = texts.get(sid, "")
        if not text:
            labels.append(f"{numbers[sid]} ({sid})")
            continue
        # never cut: a long label makes its row taller (and the figure split into pages)
        labels.append("\n".join(wrap(f"{numbers[sid]}. {text}", width_in, style.small)[0]))
    return labels


def zscore_comparison(
    result,
    statements: Sequence[str] | None = None,
    *,
    qset: QSet | None = None,
    of: int | None = None,
    style: Style | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Z-scores of chosen statements in every factor, as grouped horizontal bars.

    Parameters
    ----------
    result : AnalysisResult
    statements : sequence of str, optional
        Statement ids, drawn top to bottom in this order; default all statements.
    qset : QSet, optional
        Gives numbers and texts for the labels, wrapped whole to 45% of the width (a long
        label makes the rows taller; :func:`zscore_pages` splits them into pages).
    of : int, optional
        How many statements were chosen in all, when this figure is one page of them.
    style : Style, optional
    ax : Axes, optional

    Returns
    -------
    Axes
        Factors that define no sort have no bars (their legend entry says so). Each factor
        has its own colour and hatching, so the bars read in greyscale too.
    """
    style = style or Style()
    ids = list(result.statement_ids if statements is None else statements)
    index = {sid: i for i, sid in enumerate(result.statement_ids)}
    unknown = [s for s in ids if s not in index]
    if unknown:
        raise ValidationError(f"there is no statement {unknown[0]!r} in the analysis")
    if not ids:
        raise ValidationError("choose at least one statement for the z-score comparison")
    owned = ax is None
    w = style.width_or(7.0)
    labels = _zscore_labels(result, ids, qset, 0.45 * w, style)
    k = result.n_factors
    lines = max(label.count("\n") + 1 for label in labels)
    ax = _new_axes(ax, (w, _zscore_overhead(k, style) + len(ids) * _zscore_row(k, style, lines)))
    z = np.asarray(result.zscores)
    rows = [index[s] for s in ids]
    height = 0.8 / k
    ys = np.arange(len(ids))
    for f in range(k):
        name = style.factor_name(f)
        empty = f in result.empty_factors
        vals = np.nan_to_num(z[rows, f]) if not empty else np.zeros(len(rows))
        ax.barh(ys - 0.4 + (f + 0.5) * height, vals, height=height,
                color=FACTOR_COLOURS[f % len(FACTOR_COLOURS)], edgecolor="black", linewidth=0.4,
                hatch=FACTOR_HATCHES[f % len(FACTOR_HATCHES)],
                label=f"{name} (defines no sort)" if empty else name)
    ax.set_yticks(ys, labels, fontsize=style.small)
    ax.set_ylim(len(ids) - 0.5, -0.5)
    ax.axvline(0, c="black", lw=0.6)
    ax.set_xlabel("z-score", fontsize=style.font_size)
    ax.tick_params(axis="x", labelsize=style.small)
    total = len(result.statement_ids)
    chosen = of if of is not None else len(ids)
    if style.title:
        which = "all statements" if chosen == total else f"{chosen} chosen statements of {total}"
        _title(ax, f"Z-scores by factor: {which}", w, style, owned)
    _legend(ax, style=style, ncols=min(k, 5), owned=owned)
    return ax


def _zscore_row(k: int, style: Style, lines: int = 4) -> float:
    return max(lines * style.small * 1.25 / 72 + 0.06, (0.11 * k + 0.1) * style.small / 8) + 0.04


def _zscore_overhead(k: int, style: Style) -> float:
    return 1.3 + style.small * 1.5 / 72 * -(-k // 5)


def zscore_pages(result, statements: Sequence[str], *, qset: QSet | None = None,
                 style: Style | None = None) -> list[list[str]]:
    """The chosen statements split into pages no taller than ``style.max_height`` (rows as
    tall as the longest wrapped label)."""
    style = style or Style()
    k = result.n_factors
    labels = _zscore_labels(result, statements, qset, 0.45 * style.width_or(7.0), style)
    lines = max((label.count("\n") + 1 for label in labels), default=1)
    per = _rows_per_page(_zscore_row(k, style, lines), _zscore_overhead(k, style), style)
    return [[statements[i] for i in r] for r in _pages(len(statements), per)]


def bootstrap_intervals(boot, factor: int = 1, *, qset: QSet | None = None,
                        rows: Sequence[int] | None = None, style: Style | None = None,
                        ax: Axes | None = None) -> Axes:
    """Bootstrap stability of one factor's z-scores: 95% interval, mean and full-sample value.

    Parameters
    ----------
    boot : BootstrapResult
        Its ``zscore_q`` (2.5, 25, 75, 97.5 percentiles), ``zscore_mean`` and the full-sample
        result ``full`` (qmethod's ``qmboots``).
    factor : int, default 1
    qset : QSet, optional
        Gives the statement numbers.
    rows : sequence of int, optional
        Positions in the z-score order (0 = highest) to draw; default all
        (:func:`bootstrap_pages` splits them).
    style : Style, optional
    ax : Axes, optional

    Returns
    -------
    Axes
        Statements ordered by full-sample z-score, highest at the top.
    """
    style = style or Style()
    full = boot.full
    f = _factor_index(full, factor)
    n = len(full.statement_ids)
    z = np.asarray(full.zscores[:, f])
    order = sorted(range(n), key=lambda i: (-z[i], i))
    if rows is not None:
        order = [order[r] for r in rows]
    numbers = _numbers(full, qset)
    owned = ax is None
    w = style.width_or(7.0)
    m = len(order)
    ax = _new_axes(ax, (w, 1.6 + m * style.small * 1.6 / 72))
    ys = np.arange(m)
    q = np.asarray(boot.zscore_q)
    ax.hlines(
        ys, q[0][order, f], q[3][order, f], color="#56b4e9", lw=3, label="95% bootstrap interval"
    )
    ax.hlines(
        ys, q[1][order, f], q[2][order, f], color="#0072b2", lw=3, label="50% bootstrap interval"
    )
    ax.plot(
        np.asarray(boot.zscore_mean)[order, f], ys, "o", c="black", ms=3, label="bootstrap mean"
    )
    ax.plot(z[order], ys, "x", c="#d55e00", ms=4.5, mew=1.2, label="full sample")
    ax.set_yticks(ys, [str(numbers[full.statement_ids[i]]) for i in order], fontsize=style.small)
    ax.set_ylim(m - 0.5, -0.5)
    ax.axvline(0, c="black", lw=0.5)
    ax.set_xlabel("z-score", fontsize=style.font_size)
    ax.set_ylabel("statement", fontsize=style.font_size)
    ax.tick_params(axis="x", labelsize=style.small)
    if style.title:
        _title(ax, f"Factor {factor}: bootstrap stability of z-scores\n"
                     f"({boot.valid_steps} of {boot.steps} samples aligned)", w, style, owned)
    _legend(ax, style=style, owned=owned)
    return ax


def bootstrap_pages(boot, *, style: Style | None = None) -> list[list[int]]:
    """Positions (in z-score order) of each bootstrap page."""
    style = style or Style()
    per = _rows_per_page(style.small * 1.6 / 72, 1.6 + style.big * 3 / 72, style)
    return [list(r) for r in _pages(len(boot.full.statement_ids), per)]


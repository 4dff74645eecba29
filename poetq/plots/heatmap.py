"""The loadings heat map: a labelled row per sort, or for a large study one overview page.

Up to :data:`LABELLED_SORTS` sorts each get a row with the sort's id (and the loading written
in each cell when the cells are wide enough); :func:`heatmap_pages` splits the rows into pages.
More sorts than that cannot be labelled at a readable type size (a thousand sorts would be
some twenty pages), so they are drawn as one page: the sorts grouped by the factor that flags
them, each group ordered by that loading, as one raster image (no text or shape per cell).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib import colormaps
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.patches import Rectangle

from poetq.plots._base import _new_axes
from poetq.plots.factors import _pages, _rows_per_page, _title
from poetq.plots.style import Style

#: Most sorts drawn one labelled row each; a larger study gets the one-page overview.
LABELLED_SORTS = 200
#: Loadings below this are marked as negative where no number carries the sign (greyscale).
NEGATIVE = -0.1
_CMAP = "RdBu_r"


def loadings_heatmap(result, *, rows: Sequence[int] | None = None, annotate: bool | None = None,
                     style: Style | None = None, ax: Axes | None = None) -> Axes:
    """Loadings as a heat map, sorts by factors, flagged cells outlined and in bold.

    Parameters
    ----------
    result : AnalysisResult
    rows : sequence of int, optional
        Indices of the sorts to draw (default all; :func:`heatmap_pages` splits them). More
        than :data:`LABELLED_SORTS` are drawn as one overview: grouped by the factor that
        flags them (then the sorts flagged on several factors, then the unflagged), each
        group ordered by its loading, groups labelled instead of sorts, flagged blocks
        outlined, negative loadings striped.
    annotate : bool, optional
        Write each loading in its cell; default when the cells are wide enough at the type size
        (never in the overview). Without numbers, negative loadings are dotted so the sign
        survives greyscale printing.
    style : Style, optional
    ax : Axes, optional

    Returns
    -------
    Axes
    """
    style = style or Style()
    owned = ax is None
    rows = list(range(len(result.sort_ids))) if rows is None else list(rows)
    if len(rows) > LABELLED_SORTS:
        return _overview(result, rows, style, ax)
    load, flags = np.asarray(result.loadings)[rows], np.asarray(result.flags)[rows]
    m, k = load.shape
    w = style.width_or(2.4 + 0.75 * k)
    label_w = max(len(result.sort_ids[j]) for j in rows) * 0.6 * style.small / 72 if rows else 0.5
    cell_w = (w - label_w - 1.2) / max(k, 1)
    if annotate is None:
        annotate = cell_w >= 5 * 0.6 * style.small / 72 + 0.06
    row_h = style.small * 1.7 / 72
    ax = _new_axes(ax, (w, 1.3 + (style.big * 2 / 72 if style.title else 0) + row_h * max(m, 1)))
    im = ax.imshow(load, cmap=_CMAP, vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    # add_artist, not add_patch: the image sets the limits; add_patch's data-limit update per
    # cell costs more than drawing it
    for j, f in zip(*np.where(flags)):
        ax.add_artist(
            Rectangle((f - 0.5, j - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.6)
        )
    if not annotate:  # no numbers to carry the sign: dot negative cells, so greyscale reads too
        for j, f in zip(*np.where(load < NEGATIVE)):
            ax.add_artist(Rectangle((f - 0.5, j - 0.5), 1, 1, fill=False, hatch="..",
                                   edgecolor="#555555", linewidth=0))
    if annotate:
        for j in range(m):
            for f in range(k):
                v = load[j, f]
                ax.text(f, j, f"{v:.2f}", ha="center", va="center", fontsize=style.small,
                        color="white" if abs(v) > 0.6 else "black",
                        fontweight="bold" if flags[j, f] else "normal")
    ax.set_xticks(range(k), [style.factor_name(f) for f in range(k)], fontsize=style.small)
    ax.xaxis.tick_top()
    ax.set_yticks(range(m), [result.sort_ids[j] for j in rows], fontsize=style.small)
    if style.title:
        n = len(result.sort_ids)
        part = f", sorts {rows[0] + 1}-{rows[-1] + 1} of {n}" if rows and m < n else ""
        _title(ax, f"Loadings (flagged cells outlined{part})", w, style, owned)
    _colorbar(ax, im, shrink=min(1.0, 3.0 / max(1.0, row_h * m)) if m > 10 else 0.9, style=style)
    return ax


def heatmap_pages(result, *, style: Style | None = None) -> list[list[int]]:
    """Sort indices of each heat-map page, so no page is taller than ``style.max_height``
    (one page of every sort when there are more than :data:`LABELLED_SORTS`: the overview)."""
    style = style or Style()
    n = len(result.sort_ids)
    if n > LABELLED_SORTS:
        return [list(range(n))]
    per = _rows_per_page(style.small * 1.7 / 72, 1.3 + style.big * 2 / 72, style)
    return [list(r) for r in _pages(n, per)]


def _colorbar(ax: Axes, mappable, *, shrink: float, style: Style, striped: bool = False):
    bar = ax.figure.colorbar(mappable, ax=ax, shrink=shrink)
    label = "loading"
    if striped:  # the same stripes as the negative cells, so the key reads in greyscale too
        bar.ax.add_patch(Rectangle((0, -1), 1, 1 + NEGATIVE, fill=False, hatch="|||",
                                   edgecolor="#333333", linewidth=0))
        label = f"loading (striped below {NEGATIVE:g})".replace("-", "\u2212")
    bar.set_label(label, fontsize=style.small)
    bar.ax.tick_params(labelsize=style.small)
    return bar


def _bands(load: np.ndarray, flags: np.ndarray):
    """The overview's row order and its groups.

    Returns ``(order, blocks, bands)``: ``order`` the sort positions top to bottom;
    ``blocks`` ``(flagged factors, start, size)`` runs of sorts flagged alike (outlined);
    ``bands`` ``(label key, start, size)`` the labelled groups: one per factor, one for the
    sorts flagged on several factors, one for the unflagged.
    """
    keys = [tuple(int(f) for f in np.flatnonzero(row)) for row in flags]

    def rank(key: tuple[int, ...]):
        return (len(key) == 0, len(key) > 1, key)

    order, blocks, bands = [], [], []
    for key in sorted(set(keys), key=rank):
        members = [j for j, kk in enumerate(keys) if kk == key]
        if key:  # strongest first; a stable sort keeps equal loadings in sort order
            members.sort(key=lambda j: -load[j, key[0]])
        blocks.append((key, len(order), len(members)))
        band = key if len(key) == 1 else ("several",) if key else ()
        if bands and bands[-1][0] == band:
            bands[-1] = (band, bands[-1][1], bands[-1][2] + len(members))
        else:
            bands.append((band, len(order), len(members)))
        order += members
    return order, blocks, bands


def _spread(centres: list[float], gap: float, low: float, high: float) -> list[float]:
    """Label positions near ``centres`` (ascending) at least ``gap`` apart, within low..high."""
    pos = list(centres)
    for i in range(len(pos)):
        pos[i] = max(pos[i], low if i == 0 else pos[i - 1] + gap)
    for i in reversed(range(len(pos))):
        pos[i] = min(pos[i], high if i == len(pos) - 1 else pos[i + 1] - gap)
    return pos


def _overview(result, rows: list[int], style: Style, ax: Axes | None) -> Axes:
    """Every sort of ``rows`` on one page: see :func:`loadings_heatmap`."""
    owned = ax is None
    load_all, flags_all = np.asarray(result.loadings)[rows], np.asarray(result.flags)[rows]
    order, blocks, bands = _bands(load_all, flags_all)
    load = load_all[order]
    m, k = load.shape
    w = style.width_or(2.4 + 0.75 * k)
    overhead = 1.3 + (style.big * 3 / 72 if style.title else 0)
    plot_h = max(2.0, min(style.max_height - overhead, 7.0))
    ax = _new_axes(ax, (w, overhead + plot_h))
    # One image, each cell `across` pixels wide, so that negative cells can carry stripes
    # (a sign that survives greyscale) without a shape per cell.
    across = 24
    rgba = np.repeat(colormaps[_CMAP](Normalize(-1, 1)(load), bytes=True), across, axis=1)
    stripes = np.zeros(k * across, dtype=bool)
    stripes[across // 8::across // 4] = True
    rgba[np.repeat(load < NEGATIVE, across, axis=1) & stripes] = (51, 51, 51, 255)
    ax.imshow(rgba, aspect="auto", interpolation="none", extent=(-0.5, k - 0.5, m - 0.5, -0.5))
    for key, start, size in blocks:
        for f in key:
            ax.add_artist(Rectangle((f - 0.5, start - 0.5), 1, size, fill=False,
                                   edgecolor="black", linewidth=1.2))
    ax.hlines([start - 0.5 for _, start, _ in bands[1:]], -0.5, k - 0.5, colors="black",
              linewidth=0.6)
    names = {(): "not flagged", ("several",): "flagged on several"}
    labels = [f"{names.get(b) or style.factor_name(b[0])} ({size})" for b, _, size in bands]
    gap = 1.4 * style.small / 72 * m / plot_h  # one line of labels, in rows
    centres = [start + (size - 1) / 2 for _, start, size in bands]
    ax.set_yticks(_spread(centres, gap, gap / 2 - 0.5, m - 0.5 - gap / 2), labels,
                  fontsize=style.small)
    ax.tick_params(axis="y", length=0)
    ax.set_ylabel("sorts, grouped by the factor that flags them, by loading",
                  fontsize=style.small)
    ax.set_xticks(range(k), [style.factor_name(f) for f in range(k)], fontsize=style.small)
    ax.xaxis.tick_top()
    ax.set_xlim(-0.5, k - 0.5)
    ax.set_ylim(m - 0.5, -0.5)
    if style.title:
        _title(ax, f"Loadings of {m} sorts (flagged blocks outlined)", w, style, owned)
    _colorbar(ax, ScalarMappable(Normalize(-1, 1), _CMAP), shrink=0.6, style=style, striped=True)
    return ax

"""The heat map of a large study: one overview page that still shows every sort's loadings."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib import colormaps
from matplotlib.colors import Normalize
from matplotlib.image import AxesImage
from matplotlib.patches import Rectangle
from test_figure_sizes import WIDTHS, check_page, texts_of

from poetq import plots
from poetq.domain import Grid, SortsTable
from poetq.plots.heatmap import NEGATIVE, _bands
from poetq.services.factor_analysis import Source, run_analysis
from poetq.services.plots import figure_style, make_figures
from poetq.simulate import simulate_sorts

N_SORTS = 450


@pytest.fixture(scope="module")
def large():
    grid = Grid.symmetric([2, 3, 4, 5, 6, 5, 4, 3, 2])
    sim = simulate_sorts(grid, N_SORTS, n_viewpoints=3, seed=8)
    table = SortsTable(tuple(f"s{i}" for i in range(grid.size)), sim.sort_ids, sim.values)
    return run_analysis(Source(table, "large", None), 3)


def test_labelled_rows_up_to_the_limit_then_one_page():
    style = figure_style(None)
    at = SimpleNamespace(sort_ids=[f"s{j}" for j in range(plots.LABELLED_SORTS)])
    over = SimpleNamespace(sort_ids=[f"s{j}" for j in range(plots.LABELLED_SORTS + 1)])
    pages = plots.heatmap_pages(at, style=style)
    assert len(pages) > 1 and sum(pages, []) == list(range(plots.LABELLED_SORTS))
    assert plots.heatmap_pages(over, style=style) == [list(range(plots.LABELLED_SORTS + 1))]


@pytest.mark.parametrize("width", WIDTHS)
def test_large_study_heatmap_is_one_readable_page(large, width):
    style = figure_style(None, width=width)
    (fig,) = make_figures(large, "heatmap", style=style)
    check_page(fig, WIDTHS[width], style)  # >= 7 pt, inside the figure, no taller than a page
    ax = fig.axes[0]
    # one image, no text or shape per cell
    assert len(ax.findobj(AxesImage)) == 1
    assert len(texts_of(fig)) < 40
    # the groups' labels count every sort once and do not overlap
    labels = ax.get_yticklabels()
    counts = [int(re.search(r"\((\d+)\)$", t.get_text()).group(1)) for t in labels]
    assert sum(counts) == N_SORTS
    boxes = sorted((t.get_window_extent() for t in labels), key=lambda b: b.y0)
    assert all(a.y1 <= b.y0 + 0.5 for a, b in zip(boxes, boxes[1:]))


def test_overview_image_holds_every_loading_in_its_group(large):
    style = figure_style(None)
    (fig,) = make_figures(large, "heatmap", style=style)
    load, flags = np.asarray(large.loadings), np.asarray(large.flags)
    order, blocks, bands = _bands(load, flags)
    assert sorted(order) == list(range(N_SORTS))
    for key, start, size in blocks:  # alike flags, strongest loading first
        members = order[start:start + size]
        assert all(tuple(np.flatnonzero(flags[j])) == key for j in members)
        if key:
            assert np.all(np.diff(load[members, key[0]]) <= 0)
    assert sum(size for _, _, size in bands) == N_SORTS
    image = np.asarray(fig.axes[0].findobj(AxesImage)[0].get_array())
    across = image.shape[1] // large.n_factors
    expected = colormaps["RdBu_r"](Normalize(-1, 1)(load[order]), bytes=True)
    for f in range(large.n_factors):  # the first pixel of each cell is its plain colour
        np.testing.assert_array_equal(image[:, f * across], expected[:, f])
        striped = image[:, f * across: (f + 1) * across, :3].min(axis=(1, 2)) == 51
        np.testing.assert_array_equal(striped, load[order, f] < NEGATIVE)
    outlined = [p for p in fig.axes[0].findobj(Rectangle)
                if not p.get_fill() and p.get_linewidth() > 1 and p.get_height() > 0]
    assert len(outlined) == sum(len(key) for key, _, _ in blocks)

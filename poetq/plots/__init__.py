"""Figures of a Q analysis, drawn with matplotlib's object API (never the state machine).

Every public function takes an :class:`~poetq.analysis.AnalysisResult` (or a
:class:`~poetq.analysis.BootstrapResult`), the study's grid or Q-set where it needs them, and
``ax=None``; it draws on ``ax`` (on a new :class:`matplotlib.figure.Figure` sized for the
content when ``ax`` is None) and returns the Axes. Plots compute no statistics: every number
comes from the result. A web server can use them: no global figure manager is touched.

The composite Q-sort diagram is drawn by :func:`draw_composite`, which takes plain values
(grid columns and the cells of each column); :func:`composite` only gathers them from a result.
"""

from poetq.plots._base import (
    CONSENSUS,
    DIFFERS,
    FACTOR_COLOURS,
    FACTOR_MARKERS,
    FORMATS,
    HIGHER,
    LOWER,
    MARKS,
    SYMBOLS,
    distinguishing_marks,
)
from poetq.plots.composite import Cell, composite, composite_figures, draw_composite, draw_key
from poetq.plots.factors import (
    bootstrap_intervals,
    bootstrap_pages,
    loadings_pair,
    scree,
    zscore_comparison,
    zscore_pages,
)
from poetq.plots.heatmap import LABELLED_SORTS, heatmap_pages, loadings_heatmap
from poetq.plots.processes import map_shared
from poetq.plots.save import (
    checked_path,
    figure_bytes,
    file_writer,
    rendered,
    save_figure,
    save_figures,
    writable,
    write_raster,
    write_svg,
)
from poetq.plots.style import (
    MIN_PT,
    FontChoice,
    Style,
    drawing,
    fonts,
    fonts_for,
    parse_factor_names,
    parse_width,
    warn_cuts,
)

__all__ = [
    "CONSENSUS",
    "DIFFERS",
    "FACTOR_COLOURS",
    "FACTOR_MARKERS",
    "FORMATS",
    "HIGHER",
    "LOWER",
    "MARKS",
    "SYMBOLS",
    "MIN_PT",
    "LABELLED_SORTS",
    "Cell",
    "FontChoice",
    "Style",
    "bootstrap_intervals",
    "checked_path",
    "figure_bytes",
    "rendered",
    "file_writer",
    "map_shared",
    "bootstrap_pages",
    "composite",
    "composite_figures",
    "distinguishing_marks",
    "draw_composite",
    "draw_key",
    "drawing",
    "fonts",
    "fonts_for",
    "heatmap_pages",
    "loadings_heatmap",
    "loadings_pair",
    "parse_factor_names",
    "parse_width",
    "save_figure",
    "save_figures",
    "scree",
    "zscore_comparison",
    "warn_cuts",
    "writable",
    "write_raster",
    "write_svg",
    "zscore_pages",
]

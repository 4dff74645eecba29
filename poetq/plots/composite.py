"""The composite Q-sort diagram: a factor array drawn as the study's grid."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from poetq.domain import Grid, QSet, format_value
from poetq.errors import ValidationError
from poetq.plots._base import (
    _EDGE,
    _FILL,
    SYMBOLS,
    _factor_index,
    _numbers,
    _texts,
    distinguishing_marks,
)
from poetq.plots.style import Style, wrap


@dataclass(frozen=True)
class Cell:
    """One filled cell of a composite diagram: what :func:`draw_composite` needs to draw it."""

    statement_id: str
    number: int
    text: str = ""
    mark: str | None = None  # one of MARKS


_LINE = 1.22  # line height in font sizes
_CELL_TEXT_MIN = 1.0  # inches: narrower columns get numbers and a key table instead of text
_LEGEND = (
    ("higher", "▲ ranked higher than in every other factor, p < .01 (△ p < .05)"),
    ("lower", "▼ ranked lower than in every other factor, p < .01 (▽ p < .05)"),
    ("differs", "◆ differs from every other factor, directions mixed, p < .01 (◇ p < .05)"),
    ("consensus", "● consensus: no pair of factors differs significantly"),
)


@dataclass(frozen=True)
class _Layout:
    """Sizes in inches of a composite drawn at one width and type size."""

    width: float
    margin: float
    col_w: float
    pad: float
    cell_h: float
    title_h: float
    poles_h: float
    head_h: float
    legend_lines: tuple[str, ...]
    legend_h: float
    wrapped: dict

    def grid_height(self, rows: int) -> float:
        return (self.margin + self.title_h + self.poles_h + self.head_h + rows * self.cell_h
                + self.legend_h + self.margin)


def _layout(n_columns: int, columns, *, show_text: bool, max_lines: int, legend: bool, title: str,
            style: Style) -> _Layout:
    num_fs, text_fs = style.font_size, style.small
    natural_col = 1.45 if show_text else 0.62
    width = style.width_or(n_columns * natural_col + 0.5)
    margin = min(0.25, 0.03 * width)
    col_w = (width - 2 * margin) / n_columns
    pad = min(0.06, col_w * 0.08)
    wrapped = {}
    if show_text:
        for cells in columns.values():
            for c in cells:
                if c.text:
                    lines, cut = wrap(c.text, col_w - 3 * pad, text_fs, max_lines)
                    if cut:
                        style.note_cut(f"statement {c.number}")
                    wrapped[c.statement_id] = lines
    most_lines = max((len(v) for v in wrapped.values()), default=0)
    if show_text:
        cell_h = 2 * pad + (num_fs + most_lines * text_fs * 1.1) * _LINE / 72 + 0.04
    else:
        cell_h = max(0.3, (num_fs * 2.2) / 72)
    legend_lines: list[str] = []
    if legend:
        for _kind, label in _LEGEND:
            legend_lines += wrap(label, width - 2 * margin - 0.3, style.small)[0]
    legend_h = (len(legend_lines) * style.small * 1.35 / 72 + 0.15) if legend else 0.1
    return _Layout(width, margin, col_w, pad, cell_h,
                   (style.big * 1.6 / 72) if title else 0.0, style.small * 1.8 / 72,
                   style.font_size * 2.2 / 72, tuple(legend_lines), legend_h, wrapped)


def draw_composite(
    values: Sequence[int],
    counts: Sequence[int],
    columns: Mapping[int, Sequence[Cell]],
    *,
    pole_labels: Sequence[str] = ("Most disagree", "Most agree"),
    title: str = "",
    show_text: bool = False,
    max_lines: int = 7,
    legend: bool = True,
    key: Sequence[tuple[int, str]] = (),
    style: Style | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Draw a composite Q-sort from plain values: the grid's columns of cells, filled top-down.

    Parameters
    ----------
    values, counts : sequence of int
        The grid's column values and how many cells each column has.
    columns : mapping of int to sequence of Cell
        For each column value, the statements placed there, top first (at most ``count``).
    pole_labels : (str, str), default ("Most disagree", "Most agree")
    title : str, default ""
    show_text : bool, default False
        Write each statement's text, wrapped to the cell, under its number; text longer than
        ``max_lines`` lines ends in "…" and ``style`` records the cut.
    max_lines : int, default 7
    legend : bool, default True
        Explain the marks under the grid.
    key : sequence of (int, str), default ()
        Statement numbers and texts listed under the grid (the key table).
    style : Style, optional
        Width, type size and fonts (default :class:`Style()`: natural width, 8 pt).
    ax : Axes, optional
        Drawn in inch units; on a new Figure (``ax=None``) the figure is sized so nothing clips.

    Returns
    -------
    Axes
        Cell rectangles carry gid ``cell:<value>``, numbers ``statement:<id>``, texts
        ``text:<id>``, key entries ``key:<number>``.
    """
    style = style or Style()
    if len(values) != len(counts):
        raise ValidationError("the grid needs one count per column value")
    for v, cells in columns.items():
        cap = dict(zip(values, counts)).get(v)
        if cap is None or len(cells) > cap:
            raise ValidationError(
                f"column {format_value(v)} has {len(cells)} statements, the grid allows {cap or 0}"
            )
    title = title if style.title else ""
    lay = _layout(len(values), columns, show_text=show_text, max_lines=max_lines, legend=legend,
                  title=title, style=style)
    num_fs, text_fs = style.font_size, style.small
    key_lines = _key_lines(key, lay.width - 2 * lay.margin, style)
    key_h = (sum(len(lines) for _, lines in key_lines) * text_fs * _LINE / 72 + 0.1) if key else 0.0
    width, pad, col_w, cell_h = lay.width, lay.pad, lay.col_w, lay.cell_h
    height = lay.grid_height(max(counts)) + key_h
    if ax is None:
        fig = Figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
    grid_w = len(values) * col_w
    x_left = lay.margin
    top = height - lay.margin
    if title:
        ax.text(lay.margin, top, title, ha="left", va="top", fontsize=style.big, fontweight="bold")
        top -= lay.title_h
    ax.text(x_left, top, pole_labels[0], ha="left", va="top", fontsize=style.small, style="italic")
    ax.text(x_left + grid_w, top, pole_labels[1], ha="right", va="top", fontsize=style.small,
            style="italic")
    top -= lay.poles_h
    for c, (value, count) in enumerate(zip(values, counts)):
        x0 = x_left + c * col_w
        ax.text(x0 + col_w / 2, top - lay.head_h / 2, format_value(value), ha="center", va="center",
                fontsize=num_fs, fontweight="bold")
        cells = list(columns.get(value, ()))
        for r in range(count):
            y1 = top - lay.head_h - r * cell_h  # top edge of the cell
            rect = Rectangle(
                (x0 + pad / 2, y1 - cell_h + pad / 2),
                col_w - pad,
                cell_h - pad,
                facecolor="white",
                edgecolor="#666666",
                linewidth=0.7,
                gid=f"cell:{value}",
            )
            ax.add_artist(rect)  # not add_patch: the limits are set at the end, and
            # add_patch's data-limit update of every cell was half the time of making the figure
            if r >= len(cells):
                continue
            cell = cells[r]
            kind = (cell.mark or "").rstrip("015") or None
            colour = _EDGE.get(kind, "black")
            if kind:
                rect.set_facecolor(_FILL[kind])
                rect.set_edgecolor(colour)
                rect.set_linewidth(2.0 if cell.mark.endswith("01") or kind == "consensus" else 1.2)
                if kind == "lower":  # dashed, so higher and lower differ in greyscale too
                    rect.set_linestyle((0, (3, 1.5)))
            label = f"{cell.number}{SYMBOLS.get(cell.mark or '', '')}"
            if show_text:
                ax.text(x0 + 1.5 * pad, y1 - pad, label, ha="left", va="top", fontsize=num_fs,
                        fontweight="bold", color=colour, gid=f"statement:{cell.statement_id}")
                lines = lay.wrapped.get(cell.statement_id)
                if lines:
                    ax.text(x0 + 1.5 * pad, y1 - pad - num_fs * _LINE / 72, "\n".join(lines),
                            ha="left", va="top", fontsize=text_fs, linespacing=1.1, color="#222222",
                            gid=f"text:{cell.statement_id}")
            else:
                ax.text(x0 + col_w / 2, y1 - cell_h / 2, label, ha="center", va="center",
                        fontsize=num_fs, color=colour, fontweight="bold" if kind else "normal",
                        gid=f"statement:{cell.statement_id}")
    y = top - lay.head_h - max(counts) * cell_h - 0.08
    if legend:
        line_h = style.small * 1.35 / 72
        row = 0
        for kind, label in _LEGEND:
            lines = wrap(label, width - 2 * lay.margin - 0.3, style.small)[0]
            ax.add_patch(Rectangle((x_left, y - row * line_h - 0.8 * line_h), 0.2, 0.7 * line_h,
                                   facecolor=_FILL[kind], edgecolor=_EDGE[kind], linewidth=1.2,
                                   linestyle=(0, (3, 1.5)) if kind == "lower" else "-"))
            ax.text(x_left + 0.28, y - row * line_h, "\n".join(lines), ha="left", va="top",
                    fontsize=style.small, linespacing=1.35 / 1.2)
            row += len(lines)
        y -= lay.legend_h
    for number, lines in key_lines:
        ax.text(x_left, y, "\n".join(lines), ha="left", va="top", fontsize=text_fs,
                linespacing=_LINE / 1.2, gid=f"key:{number}")
        y -= len(lines) * text_fs * _LINE / 72
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return ax


def _key_lines(
    key: Sequence[tuple[int, str]], width: float, style: Style
) -> list[tuple[int, list[str]]]:
    """Each key entry as wrapped lines "N. text" (never cut: the key holds the whole text)."""
    return [(number, wrap(f"{number}. {text}", width, style.small)[0]) for number, text in key]


def draw_key(
    key: Sequence[tuple[int, str]], *, title: str = "", style: Style | None = None
) -> Figure:
    """A page of the key table alone: statement numbers and their whole texts."""
    style = style or Style()
    width = style.width_or(6.5)
    margin = min(0.25, 0.03 * width)
    lines = _key_lines(key, width - 2 * margin, style)
    title = title if style.title else ""
    title_h = style.big * 1.6 / 72 if title else 0.0
    line_h = style.small * _LINE / 72
    height = 2 * margin + title_h + sum(len(ls) for _, ls in lines) * line_h + 0.05
    fig = Figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    y = height - margin
    if title:
        ax.text(margin, y, title, ha="left", va="top", fontsize=style.big, fontweight="bold")
        y -= title_h
    for number, ls in lines:
        ax.text(margin, y, "\n".join(ls), ha="left", va="top", fontsize=style.small,
                linespacing=_LINE / 1.2, gid=f"key:{number}")
        y -= len(ls) * line_h
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return fig


def key_pages(
    key: Sequence[tuple[int, str]], *, first: float, style: Style
) -> list[list[tuple[int, str]]]:
    """Split the key table into pages: ``first`` inches free on the first page (under the grid),
    ``style.max_height`` on each next one."""
    width = style.width_or(6.5)
    lines = _key_lines(key, width - 2 * min(0.25, 0.03 * width), style)
    line_h = style.small * _LINE / 72
    pages: list[list[tuple[int, str]]] = [[]]
    room = first
    for (number, text), (_, ls) in zip(key, lines):
        need = len(ls) * line_h
        if need > room and (pages[-1] or room < first):
            pages.append([])
            room = style.max_height - 0.6
        pages[-1].append((number, text))
        room -= need
    return pages


def _cells(result, factor: int, grid: Grid | None, qset: QSet | None):
    f = _factor_index(result, factor)
    if grid is None:
        if qset is not None:
            grid = qset.grid
        else:
            vals, cnts = np.unique(np.asarray(result.distribution), return_counts=True)
            grid = Grid(tuple(int(v) for v in vals), tuple(int(c) for c in cnts))
    array = np.asarray(result.factor_arrays[:, f])
    z = np.asarray(result.zscores[:, f])
    numbers, texts = _numbers(result, qset), _texts(qset)
    marks = distinguishing_marks(result, factor) if result.qdc_pairs else {}
    columns: dict[int, list[Cell]] = {}
    for value in grid.values:
        idx = sorted(np.where(array == value)[0], key=lambda i: (-z[i], i))
        columns[value] = [
            Cell(result.statement_ids[i], numbers[result.statement_ids[i]],
                 texts.get(result.statement_ids[i], ""), marks.get(int(i)))
            for i in idx
        ]
    placed = sum(len(c) for c in columns.values())
    if placed != len(result.statement_ids) or grid.size != placed:
        raise ValidationError(
            "the factor array does not fit the grid given: use the study's grid "
            f"({grid.size} cells for {len(result.statement_ids)} statements)"
        )
    return grid, columns


def _text_in_cells(
    grid: Grid, columns, *, max_lines: int, legend: bool, title: str, style: Style
) -> bool:
    """Whether every statement's text fits its cell uncut, the columns are wide enough to read
    and the grid stays under the page height."""
    trial = replace(style, cut=[])
    lay = _layout(len(grid.values), columns, show_text=True, max_lines=max_lines, legend=legend,
                  title=title, style=trial)
    return (lay.col_w >= _CELL_TEXT_MIN and not trial.cut
            and lay.grid_height(max(grid.counts)) <= style.max_height)


def _title(factor: int, style: Style) -> str:
    if factor - 1 < len(style.factor_names):
        return f"Factor {factor} ({style.factor_names[factor - 1]}): composite Q-sort"
    return f"Factor {factor}: composite Q-sort"


def composite(
    result,
    factor: int = 1,
    *,
    grid: Grid | None = None,
    qset: QSet | None = None,
    show_text: bool = False,
    layout: str = "auto",
    max_lines: int = 7,
    style: Style | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The composite Q-sort (factor array) of one factor, drawn as the study's grid.

    Parameters
    ----------
    result : AnalysisResult
    factor : int, default 1
        1-based factor number; the factor must define at least one sort.
    grid : Grid, optional
        The study's grid; default ``qset.grid``, else the grid implied by
        ``result.distribution``.
    qset : QSet, optional
        Gives the statement numbers (Q-set order), the texts and the pole labels.
    show_text : bool, default False
        Show the statements' texts (needs ``qset``), as ``layout`` says.
    layout : {"auto", "cells", "key"}, default "auto"
        ``cells``: each text wrapped in its cell (cut after ``max_lines`` lines, with a
        warning); ``key``: numbers in the grid and a key table of the whole texts under it;
        ``auto``: cells when every text fits its cell uncut in columns at least 1 inch wide,
        else the key.
    max_lines : int, default 7
        Lines of text per cell before "…".
    style : Style, optional
    ax : Axes, optional

    Returns
    -------
    Axes
        See :func:`draw_composite` for the gids tests can count.

    Notes
    -----
    Within a column statements are listed by decreasing z-score. Marks come from
    :func:`distinguishing_marks` (PQMethod's rule: significant against every other factor;
    Zabala 2014); R ``qmethod`` has no such plot (its ``plot.QmethodRes`` draws z-scores only).
    """
    style = style or Style()
    if layout not in ("auto", "cells", "key"):
        raise ValidationError(f"unknown text layout {layout!r}: use auto, cells or key")
    grid, columns = _cells(result, factor, grid, qset)
    title = _title(factor, style)
    legend = bool(result.qdc_pairs)
    in_cells = show_text and (layout == "cells" or (layout == "auto" and _text_in_cells(
        grid, columns, max_lines=max_lines, legend=legend, title=title, style=style)))
    key = ()
    if show_text and not in_cells:
        key = sorted({(c.number, c.text) for cells in columns.values() for c in cells if c.text})
    return draw_composite(
        grid.values, grid.counts, columns, pole_labels=grid.labels, show_text=in_cells,
        title=title, max_lines=max_lines, legend=legend, key=key, style=style, ax=ax,
    )


def composite_figures(
    result,
    factor: int = 1,
    *,
    grid: Grid | None = None,
    qset: QSet | None = None,
    show_text: bool = False,
    layout: str = "auto",
    max_lines: int = 7,
    style: Style | None = None,
) -> list[Figure]:
    """:func:`composite` as pages no taller than ``style.max_height``: the grid with as much
    of the key table as fits, then the rest of the key on pages of its own."""
    style = style or Style()
    ax = composite(result, factor, grid=grid, qset=qset, show_text=show_text, layout=layout,
                   max_lines=max_lines, style=style)
    fig = ax.figure
    keyed = sorted(
        int(t.get_gid().split(":")[1]) for t in ax.texts if (t.get_gid() or "").startswith("key:")
    )
    if fig.get_figheight() <= style.max_height or not keyed:
        return [fig]
    grid, columns = _cells(result, factor, grid, qset)
    texts = {c.number: c.text for cells in columns.values() for c in cells}
    key = [(n, texts[n]) for n in keyed]
    bare = composite(result, factor, grid=grid, qset=qset, show_text=False, style=style)
    pages = key_pages(key, first=style.max_height - bare.figure.get_figheight(), style=style)
    first = draw_composite(grid.values, grid.counts, columns, pole_labels=grid.labels,
                           title=_title(factor, style),
                           legend=bool(result.qdc_pairs), key=pages[0], style=style).figure
    more = [draw_key(page, title=f"Factor {factor}: statements (continued)", style=style)
            for page in pages[1:]]
    return [first, *more]

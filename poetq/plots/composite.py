"""The composite Q-sort diagram: a factor array drawn as the study's grid."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from poetq.domain import Grid, QSet, format_value
from poetq.errors import ValidationError
from poetq.plots._base import (
    _EDGE,
    _FILL,
    CONSENSUS,
    DIFFERS,
    HIGHER,
    LOWER,
    SYMBOLS,
    _factor_index,
    _numbers,
    _texts,
    distinguishing_marks,
)


@dataclass(frozen=True)
class Cell:
    """One filled cell of a composite diagram: what :func:`draw_composite` needs to draw it."""

    statement_id: str
    number: int
    text: str = ""
    mark: str | None = None  # one of MARKS


_MARGIN = 0.25  # inches around the drawing
_LINE = 1.22  # line height in font sizes


def _wrap(text: str, width_in: float, fontsize: float, max_lines: int) -> list[str]:
    # DejaVu Sans averages ~0.5 em per character; 0.57 leaves room for wide words.
    chars = max(8, int(width_in * 72 / (0.57 * fontsize)))
    lines = textwrap.wrap(text, chars, break_long_words=True, break_on_hyphens=True)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1] if len(lines[-1]) < chars else lines[-1][: chars - 1]
        lines[-1] = last.rstrip() + "…"
    return lines


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
        ``max_lines`` lines ends in "…".
    max_lines : int, default 7
    legend : bool, default True
        Explain the marks under the grid.
    ax : Axes, optional
        Drawn in inch units; on a new Figure (``ax=None``) the figure is sized so nothing clips.

    Returns
    -------
    Axes
        Cell rectangles carry gid ``cell:<value>``, numbers ``statement:<id>``, texts
        ``text:<id>``.
    """
    if len(values) != len(counts):
        raise ValidationError("the grid needs one count per column value")
    for v, cells in columns.items():
        cap = dict(zip(values, counts)).get(v)
        if cap is None or len(cells) > cap:
            raise ValidationError(
                f"column {format_value(v)} has {len(cells)} statements, the grid allows {cap or 0}"
            )
    num_fs, text_fs = (7.5, 6.5) if show_text else (9.0, 0.0)
    col_w = 1.45 if show_text else 0.62
    pad = 0.06
    wrapped = {
        c.statement_id: _wrap(c.text, col_w - 3 * pad, text_fs, max_lines) if show_text and c.text else []
        for cells in columns.values() for c in cells
    }
    most_lines = max((len(v) for v in wrapped.values()), default=0)
    if show_text:
        cell_h = 2 * pad + (num_fs + most_lines * text_fs) * _LINE / 72 + 0.05
    else:
        cell_h = 0.34
    title_h, poles_h, head_h = (0.4 if title else 0.0), 0.28, 0.3
    legend_h = 0.85 if legend else 0.1
    grid_w = len(values) * col_w
    width = max(grid_w, 5.6 if legend else 0) + 2 * _MARGIN
    height = _MARGIN + title_h + poles_h + head_h + max(counts) * cell_h + legend_h + _MARGIN
    if ax is None:
        fig = Figure(figsize=(width, height))
        ax = fig.add_axes((0, 0, 1, 1))
    x_left = _MARGIN + (width - 2 * _MARGIN - grid_w) / 2
    top = height - _MARGIN
    if title:
        ax.text(_MARGIN, top, title, ha="left", va="top", fontsize=11, fontweight="bold")
        top -= title_h
    ax.text(x_left, top, pole_labels[0], ha="left", va="top", fontsize=8, style="italic")
    ax.text(x_left + grid_w, top, pole_labels[1], ha="right", va="top", fontsize=8, style="italic")
    top -= poles_h
    for c, (value, count) in enumerate(zip(values, counts)):
        x0 = x_left + c * col_w
        ax.text(x0 + col_w / 2, top - head_h / 2, format_value(value), ha="center", va="center",
                fontsize=9.5, fontweight="bold")
        cells = list(columns.get(value, ()))
        for r in range(count):
            y1 = top - head_h - r * cell_h  # top edge of the cell
            rect = Rectangle((x0 + pad / 2, y1 - cell_h + pad / 2), col_w - pad, cell_h - pad,
                             facecolor="white", edgecolor="#666666", linewidth=0.7, gid=f"cell:{value}")
            ax.add_patch(rect)
            if r >= len(cells):
                continue
            cell = cells[r]
            kind = (cell.mark or "").rstrip("015") or None
            colour = _EDGE.get(kind, "black")
            if kind:
                rect.set_facecolor(_FILL[kind])
                rect.set_edgecolor(colour)
                rect.set_linewidth(2.0 if cell.mark.endswith("01") or kind == "consensus" else 1.2)
            label = f"{cell.number}{SYMBOLS.get(cell.mark or '', '')}"
            if show_text:
                ax.text(x0 + 1.5 * pad, y1 - pad, label, ha="left", va="top", fontsize=num_fs,
                        fontweight="bold", color=colour, gid=f"statement:{cell.statement_id}")
                lines = wrapped[cell.statement_id]
                if lines:
                    ax.text(x0 + 1.5 * pad, y1 - pad - num_fs * _LINE / 72, "\n".join(lines),
                            ha="left", va="top", fontsize=text_fs, linespacing=1.1, color="#222222",
                            gid=f"text:{cell.statement_id}")
            else:
                ax.text(x0 + col_w / 2, y1 - cell_h / 2, label, ha="center", va="center",
                        fontsize=num_fs, color=colour, fontweight="bold" if kind else "normal",
                        gid=f"statement:{cell.statement_id}")
    if legend:
        handles = [
            Patch(facecolor=_FILL["higher"], edgecolor=HIGHER, linewidth=1.5,
                  label="▲ ranked higher than in every other factor, p < .01 (△ p < .05)"),
            Patch(facecolor=_FILL["lower"], edgecolor=LOWER, linewidth=1.5,
                  label="▼ ranked lower than in every other factor, p < .01 (▽ p < .05)"),
            Patch(facecolor=_FILL["differs"], edgecolor=DIFFERS, linewidth=1.5,
                  label="◆ differs from every other factor, in mixed directions, p < .01 (◇ p < .05)"),
            Patch(facecolor=_FILL["consensus"], edgecolor=CONSENSUS, linewidth=1.5,
                  label="● consensus: no pair of factors differs significantly"),
        ]
        ax.legend(handles=handles, loc="lower left", fontsize=7.5, frameon=False,
                  bbox_to_anchor=(_MARGIN / width, _MARGIN / 2 / height), borderaxespad=0)
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    return ax


def composite(
    result,
    factor: int = 1,
    *,
    grid: Grid | None = None,
    qset: QSet | None = None,
    show_text: bool = False,
    max_lines: int = 7,
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
        Write each statement's wrapped text in its cell (needs ``qset``).
    max_lines : int, default 7
        Lines of text per cell before "…".
    ax : Axes, optional

    Returns
    -------
    Axes
        See :func:`draw_composite` for the gids tests can count.

    Notes
    -----
    Within a column statements are listed by decreasing z-score. Marks come from
    :func:`distinguishing_marks` (the result's pairwise tests against the SED, Zabala 2014);
    R ``qmethod`` has no such plot (its ``plot.QmethodRes`` draws z-scores only).
    """
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
    return draw_composite(
        grid.values, grid.counts, columns, pole_labels=grid.labels, show_text=show_text,
        title=f"Factor {factor}: composite Q-sort", max_lines=max_lines,
        legend=bool(result.qdc_pairs), ax=ax,
    )



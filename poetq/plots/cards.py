"""Printable statement cards and a blank record sheet shaped like the grid (for sorting in
person). Only draws: pages are :class:`matplotlib.figure.Figure` objects, written as one PDF.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from poetq.domain import QSet, format_value

A4 = (8.27, 11.69)
#: Cards per page (columns × rows): 10 cards of about 9 × 5 cm, to cut along the lines.
CARD_COLS, CARD_ROWS = 2, 5


def card_pages(qset: QSet) -> list[Figure]:
    """One A4 page per ten statements: each card shows the number large and the text."""
    pages = []
    per_page = CARD_COLS * CARD_ROWS
    statements = list(qset.statements)
    for start in range(0, len(statements), per_page):
        fig = Figure(figsize=A4)
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_xlim(0, CARD_COLS)
        ax.set_ylim(CARD_ROWS, 0)
        ax.axis("off")
        for k, s in enumerate(statements[start:start + per_page]):
            col, row = k % CARD_COLS, k // CARD_COLS
            x, y = col + 0.04, row + 0.05
            ax.add_patch(Rectangle((x, y), 0.92, 0.9, fill=False, linewidth=0.8,
                                   linestyle=(0, (4, 3)), edgecolor="#555555"))
            number = qset.number(s.id)
            ax.text(x + 0.05, y + 0.08, str(number), fontsize=22, fontweight="bold", va="top")
            wrapped = "\n".join(textwrap.wrap(s.text, width=38)[:9])
            ax.text(x + 0.05, y + 0.3, wrapped, fontsize=11, va="top", linespacing=1.3)
            ax.text(x + 0.87, y + 0.84, qset.title[:40], fontsize=6, ha="right", color="#777777")
        pages.append(fig)
    return pages


def record_sheet(qset: QSet) -> Figure:
    """A landscape A4 page: the grid's columns as empty boxes for statement numbers."""
    grid = qset.grid
    fig = Figure(figsize=(A4[1], A4[0]))
    ax = fig.add_axes((0.03, 0.03, 0.94, 0.94))
    n_cols, tallest = len(grid.values), max(grid.counts)
    ax.set_xlim(0, n_cols)
    ax.set_ylim(tallest + 2.6, 0)
    ax.axis("off")
    ax.text(0, 0.3, f"{qset.title}: record sheet", fontsize=14, fontweight="bold", va="top")
    ax.text(0, 1.0, "Participant: ______________________    Date: ____________    "
            "Write each card's number in a box of the column it was put in.", fontsize=9, va="top")
    top = 2.2
    box_h = min(1.0, (tallest + 2.6 - top - 0.2) / tallest)
    for j, (value, count) in enumerate(zip(grid.values, grid.counts)):
        ax.text(j + 0.5, top - 0.15, format_value(int(value)), ha="center", va="bottom",
                fontsize=12, fontweight="bold")
        for i in range(count):
            ax.add_patch(Rectangle((j + 0.06, top + i * box_h), 0.88, box_h * 0.92, fill=False,
                                   linewidth=0.9))
    ax.text(0, top + tallest * box_h + 0.25, f"← {grid.labels[0]}", fontsize=9, va="top")
    ax.text(n_cols, top + tallest * box_h + 0.25, f"{grid.labels[1]} →", fontsize=9,
            va="top", ha="right")
    return fig


def write_cards_pdf(qset: QSet, path: str | Path) -> int:
    """Every card page then the record sheet, as one PDF; returns the number of pages."""
    from matplotlib.backends.backend_pdf import PdfPages

    pages = [*card_pages(qset), record_sheet(qset)]
    with PdfPages(path) as pdf:
        for fig in pages:
            pdf.savefig(fig)
    return len(pages)

"""One Q-sort drawn as its grid, as R qmethod's ``import.q.sorts`` reads it.

Each file holds one participant's sort: rows of statement ids laid out as the grid was
filled in (empty cells where a column is shorter), then a last row with the column values,
e.g.::

    ,i01,
    i02,i03,i04
    -1,0,1

The sort is named after the file (``JohnDoe.csv`` -> ``JohnDoe``); statement ids are kept
as written and listed in sorted order.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np

from poetq.domain import SortsTable
from poetq.errors import ValidationError

_INT = re.compile(r"^[+-]?\d+$")


def _rows(text: str) -> list[list[str]]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    return [
        [c.strip() for c in r] for r in csv.reader(io.StringIO(lines)) if any(c.strip() for c in r)
    ]


def looks_like_grid(text: str) -> bool:
    """Whether CSV text is a drawn grid: a last row of increasing whole numbers under rows
    of statement ids that are not numbers."""
    try:
        rows = _rows(text)
    except csv.Error:
        return False
    if len(rows) < 2 or not all(_INT.match(c) for c in rows[-1]):
        return False
    values = [int(c) for c in rows[-1]]
    if len(values) < 2 or any(b != a + 1 for a, b in zip(values, values[1:])):
        return False
    cells = [c for r in rows[:-1] for c in r if c]
    return bool(cells) and not any(_INT.match(c) for c in cells)


def parse_grid(text: str, *, name: str, source: str) -> SortsTable:
    """The sort in a drawn grid; every problem is a one-line error with its line."""
    try:
        rows = _rows(text)
    except csv.Error as exc:
        raise ValidationError(f"{source} is not a readable CSV file ({exc})") from None
    if len(rows) < 2:
        raise ValidationError(f"{source}: a drawn grid needs rows of statement ids and a last row "
                              "of column values")
    footer = rows[-1]
    bad = [c for c in footer if not _INT.match(c)]
    if bad:
        raise ValidationError(f"{source}:{len(rows)}: the last row must hold the column values, "
                              f"found {bad[0]!r}")
    values = [int(c) for c in footer]
    placed: dict[str, int] = {}
    for lineno, row in enumerate(rows[:-1], start=1):
        if len(row) > len(values):
            raise ValidationError(f"{source}:{lineno}: {len(row)} cells, but the grid has "
                                  f"{len(values)} columns")
        for col, cell in enumerate(row):
            if not cell:
                continue
            if cell in placed:
                raise ValidationError(f"{source}:{lineno}: statement {cell!r} is placed twice")
            placed[cell] = values[col]
    if len(placed) < 2:
        raise ValidationError(f"{source}: fewer than 2 statements in the grid")
    ids = tuple(sorted(placed))
    return SortsTable(ids, (name,), np.array([[placed[s]] for s in ids], dtype=float))

"""Q-sorts: one respondent's sort checked against a grid, and a table of many sorts."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from poetq.domain.limits import MAX_GRID_VALUE, format_value, plural
from poetq.domain.qset import Grid
from poetq.errors import ValidationError

if TYPE_CHECKING:  # numpy is needed only by SortsTable's annotations
    import numpy as np


@dataclass(frozen=True)
class QSort:
    """A complete, valid Q-sort: the grid value of every statement, in Q-set order."""

    statement_ids: tuple[str, ...]
    values: tuple[int, ...]

    def as_dict(self) -> dict[str, int]:
        return dict(zip(self.statement_ids, self.values))


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        s = value.strip()
        if re.fullmatch(r"[+-]?\d+", s):
            return int(s)
    return None


def validate_sort(
    grid: Grid,
    statement_ids: Sequence[str],
    placements: Mapping[str, Any] | Iterable[tuple[str, Any]],
) -> QSort:
    """Check a sort against a grid and a Q-set's statements and return it as a :class:`QSort`.

    Parameters
    ----------
    grid : Grid
        The study's forced distribution.
    statement_ids : sequence of str
        The Q-set's statement ids, in order.
    placements : mapping or iterable of (statement id, value) pairs
        Where each statement was put. Values may be ints or strings such as ``"+3"``.
        Pairs let a repeated statement be reported instead of silently overwritten.

    Raises
    ------
    ValidationError
        Listing every problem: unknown or repeated statements, missing statements,
        values that are not whole numbers or not grid columns, and (for a forced grid)
        columns that hold more or fewer statements than the grid allows.
    """
    pairs = list(placements.items()) if isinstance(placements, Mapping) else list(placements)
    known = set(statement_ids)
    problems: list[str] = []
    seen: dict[str, int] = {}
    counts = Counter(sid for sid, _ in pairs)
    for sid, n in counts.items():
        if n > 1:
            problems.append(f"statement {sid!r} is placed {n} times; place it once")
    for sid, raw in pairs:
        if sid not in known:
            problems.append(f"statement {sid!r} is not in this Q-set")
            continue
        value = _as_int(raw)
        if value is None:
            problems.append(f"statement {sid!r} has value {raw!r}, which is not a whole number")
            continue
        if grid.capacity(value) == 0:
            problems.append(
                f"statement {sid!r} is in column {format_value(value)}, which is not in the grid "
                f"({format_value(grid.values[0])} to {format_value(grid.values[-1])})"
            )
            continue
        seen.setdefault(sid, value)
    missing = [sid for sid in statement_ids if sid not in counts]
    if missing:
        shown = ", ".join(repr(m) for m in missing[:5]) + (" …" if len(missing) > 5 else "")
        problems.append(f"{plural(len(missing), 'statement')} not placed: {shown}")
    filled = Counter(seen.values())
    for value, cap in zip(grid.values, grid.counts if grid.forced else ()):
        have = filled.get(value, 0)
        if have > cap:
            problems.append(
                f"column {format_value(value)} holds {have} statements, the grid allows {cap}"
            )
    if not problems and grid.forced:
        for value, cap in zip(grid.values, grid.counts):
            have = filled.get(value, 0)
            if have < cap:
                problems.append(
                    f"column {format_value(value)} holds {have} statements, the grid needs {cap}"
                )
    if problems:
        raise ValidationError(problems)
    return QSort(tuple(statement_ids), tuple(seen[sid] for sid in statement_ids))


@dataclass(frozen=True)
class SortsTable:
    """Q-sorts by statement: ``values`` has shape ``(n_statements, n_sorts)``.

    ``locations`` says where each sort sits in the file it was read from (``"line 4"``,
    ``"column C"``), so that a later check (e.g. against a study's grid) can point at it.
    """

    statement_ids: tuple[str, ...]
    sort_ids: tuple[str, ...]
    values: np.ndarray
    locations: tuple[str, ...] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # A grid value such as 99999999999999999999 is a typo or an attack, never a sort.
        import numpy as np  # not at import time: `poetq --help` loads this module

        values = np.asarray(self.values, dtype=float)
        out = np.abs(np.nan_to_num(values)) > MAX_GRID_VALUE
        if values.ndim == 2 and out.any():
            i, j = (int(k[0]) for k in np.nonzero(out))
            raise ValidationError(
                f"{self.where(j)}, statement {self.statement_ids[i]!r}: the value "
                f"{values[i, j]:g} is out of range (grid values go from -{MAX_GRID_VALUE} to "
                f"+{MAX_GRID_VALUE})"
            )

    def where(self, j: int) -> str:
        """Where sort ``j`` is in its file (``"line 4 (sort 'US1')"``), or just its name."""
        name = f"sort {self.sort_ids[j]!r}"
        if self.locations and j < len(self.locations) and self.locations[j]:
            return f"{self.locations[j]} ({name})"
        return name

    @property
    def shape(self) -> tuple[int, int]:
        return self.values.shape

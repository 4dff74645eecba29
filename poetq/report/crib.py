"""Crib sheets: what a reader needs to interpret one factor (after Watts & Stenner 2012, ch. 7)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from poetq.domain import QSet
from poetq.plots import distinguishing_marks


@dataclass(frozen=True)
class CribItem:
    """One statement on a crib sheet, with its value in every factor's array."""

    number: int
    statement_id: str
    text: str
    value: int  # the factor array's column
    z: float
    mark: str = ""  # one of poetq.plots.MARKS, or ""
    others: tuple[int | None, ...] = ()  # every factor's array value (None: no array)


@dataclass(frozen=True)
class CribSheet:
    """What a reader needs to interpret one factor (after Watts & Stenner 2012, ch. 7)."""

    factor: int
    defining: tuple[tuple[str, float], ...]
    highest: tuple[CribItem, ...]
    lowest: tuple[CribItem, ...]
    higher: tuple[CribItem, ...]
    lower: tuple[CribItem, ...]
    distinguishing: tuple[CribItem, ...]
    consensus: tuple[CribItem, ...]

    SECTIONS = (
        ("highest", "Ranked highest (the top {n} columns)"),
        ("lowest", "Ranked lowest (the bottom {n} columns)"),
        ("higher", "Ranked higher than in any other factor"),
        ("lower", "Ranked lower than in any other factor"),
        ("distinguishing", "Distinguishing statements (vs every other factor)"),
        ("consensus", "Consensus statements (no pair of factors differs)"),
    )


def number_of(result, qset: QSet | None):
    """Statement id -> the number on its card (Q-set order, else the result's order)."""
    ids = set(qset.statement_ids) if qset is not None else set()
    if qset is not None and all(s in ids for s in result.statement_ids):
        return qset.number
    return lambda sid: result.statement_ids.index(sid) + 1


def crib_sheet(result, factor: int, *, qset: QSet | None = None, columns: int = 2,
               texts: dict[str, str] | None = None) -> CribSheet:
    """The crib sheet of ``factor`` (1-based), which must define at least one sort.

    ``highest``/``lowest`` hold the statements in the ``columns`` outermost columns of the
    factor array (by decreasing/increasing z-score); ``higher``/``lower`` the statements whose
    array value is above/below their value in every other factor that has an array;
    ``distinguishing`` those :func:`poetq.plots.distinguishing_marks` marks (significant
    against every other factor, in one direction or mixed), ``consensus`` the consensus
    statements. Each item carries every factor's array value (``others``).
    """
    f = factor - 1
    marks = distinguishing_marks(result, factor) if result.qdc_pairs else {}
    arr, z = np.asarray(result.factor_arrays), np.asarray(result.zscores)
    number = number_of(result, qset)
    if texts is None:
        texts = {} if qset is None else {s.id: " ".join(s.text.split()) for s in qset.statements}
    n = len(result.statement_ids)

    def item(i: int) -> CribItem:
        sid = result.statement_ids[i]
        others = tuple(None if g in result.empty_factors or np.isnan(arr[i, g]) else int(arr[i, g])
                       for g in range(result.n_factors))
        return CribItem(number(sid), sid, texts.get(sid, ""), int(arr[i, f]), float(z[i, f]),
                        marks.get(i, ""), others)

    by_z = sorted(range(n), key=lambda i: (-z[i, f], i))
    values = sorted({int(v) for v in arr[:, f]})
    top, bottom = set(values[-columns:]), set(values[:columns])
    others = [g for g in range(result.n_factors) if g != f and g not in result.empty_factors]
    higher = [i for i in by_z if others and all(arr[i, f] > arr[i, g] for g in others)]
    lower = [i for i in by_z[::-1] if others and all(arr[i, f] < arr[i, g] for g in others)]
    return CribSheet(
        factor=factor,
        defining=tuple((result.sort_ids[j], float(result.loadings[j, f]))
                       for j in np.where(np.asarray(result.flags)[:, f])[0]),
        highest=tuple(item(i) for i in by_z if arr[i, f] in top),
        lowest=tuple(item(i) for i in by_z[::-1] if arr[i, f] in bottom),
        higher=tuple(item(i) for i in higher),
        lower=tuple(item(i) for i in lower),
        distinguishing=tuple(item(i) for i in by_z if marks.get(i, "consensus") != "consensus"),
        consensus=tuple(item(i) for i in by_z if marks.get(i) == "consensus"),
    )

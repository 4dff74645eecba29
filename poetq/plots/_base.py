"""Shared pieces of the figures: colours, marks, factor checks, statement numbers, saving."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from poetq.analysis import marks
from poetq.domain import QSet
from poetq.errors import ValidationError

#: File formats figures are written in (``tif`` is ``tiff``).
FORMATS = ("png", "tiff", "tif", "svg", "pdf", "eps")
# Okabe & Ito's colour-blind-safe palette (blue / vermillion / reddish purple; black for a
# statement that differs in mixed directions); symbols and fills also tell the marks apart in
# greyscale, so no mark depends on colour alone.
HIGHER, LOWER, CONSENSUS, DIFFERS = "#0072b2", "#d55e00", "#cc79a7", "#000000"
_FILL = {"higher": "#d5e8f5", "lower": "#f9e0cc", "consensus": "#f3e1ec", "differs": "#e6e6e6"}
_EDGE = {"higher": HIGHER, "lower": LOWER, "consensus": CONSENSUS, "differs": DIFFERS}
#: Okabe-Ito colours and marker shapes for factors, in factor order (cycled beyond eight)
FACTOR_COLOURS = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#f0e442",
    "#000000",
)
FACTOR_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
FACTOR_HATCHES = ("", "///", "...", "xxx", "\\\\\\", "++", "oo", "--")
#: mark -> symbol appended to the statement number in a composite cell
SYMBOLS = {"higher01": "▲", "higher05": "△", "lower01": "▼", "lower05": "▽",
           "differs01": "◆", "differs05": "◇", "consensus": "●"}
MARKS = tuple(SYMBOLS)


def _new_axes(
    ax: Axes | None, size: tuple[float, float], *, layout: str | None = "constrained"
) -> Axes:
    if ax is not None:
        return ax
    fig = Figure(figsize=size, layout=layout)
    return fig.add_subplot()


def _factor_index(result, factor: int, *, needs_scores: bool = True) -> int:
    k = result.n_factors
    if (
        isinstance(factor, bool)
        or not isinstance(factor, (int, np.integer))
        or not 1 <= factor <= k
    ):
        raise ValidationError(f"there is no factor {factor}: choose 1 to {k}")
    if needs_scores and factor - 1 in result.empty_factors:
        raise ValidationError(
            f"factor {factor} defines no sort, so it has no z-scores or factor array"
        )
    return int(factor) - 1


def _numbers(result, qset: QSet | None) -> dict[str, int]:
    """Statement id -> the number printed on its card (Q-set order, else the result's order)."""
    if qset is not None:
        known = set(qset.statement_ids)
        if all(sid in known for sid in result.statement_ids):
            return {sid: qset.number(sid) for sid in result.statement_ids}
    return {sid: i + 1 for i, sid in enumerate(result.statement_ids)}


def _texts(qset: QSet | None) -> dict[str, str]:
    return {} if qset is None else {s.id: " ".join(s.text.split()) for s in qset.statements}


def distinguishing_marks(result, factor: int) -> dict[int, str]:
    """Which statements a factor ranks apart from all the others, read from the result's tests.

    Parameters
    ----------
    result : AnalysisResult
    factor : int
        1-based factor number.

    Returns
    -------
    dict of int to str
        Statement index (0-based) -> one of :data:`MARKS`, by
        :func:`poetq.analysis.marks.distinguishing_marks` (the one rule every output uses).
    """
    f = _factor_index(result, factor)
    return marks.distinguishing_marks(result.qdc_pairs, result.qdc_diffs, result.qdc_sig,
                                      result.qdc_labels, f)

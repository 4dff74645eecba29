"""Shared pieces of the figures: colours, marks, factor checks, statement numbers, saving."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from poetq.domain import QSet
from poetq.errors import ValidationError

FORMATS = ("png", "svg", "pdf")
HIGHER, LOWER, CONSENSUS = "#1b7837", "#b2182b", "#6a51a3"
_FILL = {"higher": "#e3f2dc", "lower": "#fbe3dc", "consensus": "#ece7f4"}
_EDGE = {"higher": HIGHER, "lower": LOWER, "consensus": CONSENSUS}
#: mark -> symbol appended to the statement number in a composite cell
SYMBOLS = {"higher01": "▲", "higher05": "△", "lower01": "▼", "lower05": "▽", "consensus": "●"}
MARKS = tuple(SYMBOLS)


def _new_axes(ax: Axes | None, size: tuple[float, float], *, layout: str | None = "constrained") -> Axes:
    if ax is not None:
        return ax
    fig = Figure(figsize=size, layout=layout)
    return fig.add_subplot()


def _factor_index(result, factor: int, *, needs_scores: bool = True) -> int:
    k = result.n_factors
    if isinstance(factor, bool) or not isinstance(factor, (int, np.integer)) or not 1 <= factor <= k:
        raise ValidationError(f"there is no factor {factor}: choose 1 to {k}")
    if needs_scores and factor - 1 in result.empty_factors:
        raise ValidationError(f"factor {factor} defines no sort, so it has no z-scores or factor array")
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
        Statement index (0-based) -> ``"higher01"``/``"higher05"`` when this factor's z-score
        is significantly above every other defined factor's (every pairwise difference
        significant at p < .01, or at least one only at p < .05), ``"lower01"``/``"lower05"``
        likewise below, ``"consensus"`` when no pair of factors differs (qmethod's
        ``Consensus`` label). Other statements are absent.
    """
    f = _factor_index(result, factor)
    marks: dict[int, str] = {}
    for i, label in enumerate(result.qdc_labels):
        if label == "Consensus":
            marks[i] = "consensus"
            continue
        signs, levels = [], []
        for p, (a, b) in enumerate(result.qdc_pairs):
            if f not in (a, b):
                continue
            sig = str(result.qdc_sig[i, p])
            diff = float(result.qdc_diffs[i, p]) * (1 if a == f else -1)
            signs.append(np.sign(diff) if sig else 0)
            levels.append(sig)
        level = "05" if "*" in levels else "01"
        if signs and all(s > 0 for s in signs):
            marks[i] = "higher" + level
        elif signs and all(s < 0 for s in signs):
            marks[i] = "lower" + level
    return marks


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Save ``fig``; the format comes from the extension (``.png``, ``.svg`` or ``.pdf``).

    Raises
    ------
    ValidationError
        For another extension, a missing folder or a file that cannot be written.
    """
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValidationError(f"cannot write {path.name}: use a .png, .svg or .pdf file name")
    if not path.parent.is_dir():
        raise ValidationError(f"cannot write {path}: the folder {path.parent} does not exist")
    if path.is_dir():
        raise ValidationError(f"cannot write {path}: it is a folder")
    metadata = {"Date": None} if fmt == "svg" else ({"CreationDate": None} if fmt == "pdf" else None)
    try:
        fig.savefig(path, format=fmt, dpi=dpi, metadata=metadata)
    except OSError as exc:
        raise ValidationError(f"cannot write {path}: {exc.strerror or exc}") from None
    return path

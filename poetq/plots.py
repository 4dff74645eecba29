"""Figures of a Q analysis, drawn with matplotlib's object API (never pyplot).

Every function takes an :class:`~poetq.analysis.AnalysisResult` (and what else it needs to
draw, such as the study's grid or statement texts), draws on ``ax`` (a new Figure's Axes when
``ax`` is None) and returns the Axes. Plots compute no statistics: every number comes from
the result.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from poetq.domain import format_value
from poetq.errors import ValidationError

FORMATS = ("png", "svg", "pdf")
HIGHER, LOWER, CONSENSUS = "#1b7837", "#b2182b", "#6a51a3"


def _axes(ax: Axes | None, size: tuple[float, float]) -> Axes:
    if ax is not None:
        return ax
    fig = Figure(figsize=size, layout="constrained")
    return fig.add_subplot()


def _check_factor(result, factor: int) -> int:
    if not 1 <= factor <= result.n_factors:
        raise ValidationError(f"there is no factor {factor}: choose 1 to {result.n_factors}")
    if factor - 1 in result.empty_factors:
        raise ValidationError(f"factor {factor} defines no sort, so it has no factor array")
    return factor - 1


def distinguishing_marks(result, factor: int) -> dict[int, str]:
    """Per statement index: 'higher01', 'higher05', 'lower01', 'lower05' or 'consensus'.

    A statement is marked higher (lower) when this factor's z-score is significantly above
    (below) every other factor's (p < .05 or p < .01, from the result's pairwise tests).
    """
    f = factor - 1
    marks: dict[int, str] = {}
    pairs = list(result.qdc_pairs)
    for i, label in enumerate(result.qdc_labels):
        if label == "Consensus":
            marks[i] = "consensus"
            continue
        signs, levels = [], []
        for p, (a, b) in enumerate(pairs):
            if f not in (a, b):
                continue
            sig = str(result.qdc_sig[i, p])
            diff = result.qdc_diffs[i, p] * (1 if a == f else -1)
            signs.append(np.sign(diff) if sig else 0)
            levels.append(sig)
        if signs and all(s > 0 for s in signs):
            marks[i] = "higher01" if all(lv != "*" for lv in levels) else "higher05"
        elif signs and all(s < 0 for s in signs):
            marks[i] = "lower01" if all(lv != "*" for lv in levels) else "lower05"
    return marks


def composite(
    result,
    factor: int,
    *,
    grid_values: Sequence[int],
    grid_counts: Sequence[int],
    labels: Sequence[str] = ("Most disagree", "Most agree"),
    texts: Mapping[str, str] | None = None,
    numbers: Mapping[str, int] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The composite Q-sort (factor array) of one factor drawn as the study's grid.

    Each cell holds the statement's number (and, with ``texts``, a wrapped short text); cells
    of statements ranked significantly higher or lower than in every other factor are marked
    (green ▲ / red ▼, filled for p < .01, outlined for p < .05), consensus statements in
    purple (●). Cells carry gid ``cell:<column value>`` so tests can count them.
    """
    f = _check_factor(result, factor)
    values = list(grid_values)
    counts = list(grid_counts)
    height = max(counts)
    col_w, cell_h = (2.4, 1.0) if texts else (1.0, 0.55)
    ax = _axes(ax, (max(6.0, 0.9 * len(values) * (col_w / 1.0) ** 0.9), 1.4 + 0.42 * height * (2.2 if texts else 1)))
    array = np.asarray(result.factor_arrays[:, f])
    marks = distinguishing_marks(result, factor)
    numbers = numbers or {sid: i + 1 for i, sid in enumerate(result.statement_ids)}
    z = np.asarray(result.zscores[:, f])
    for c, (value, count) in enumerate(zip(values, counts)):
        members = [i for i in np.where(array == value)[0]]
        members.sort(key=lambda i: -z[i])
        for r in range(count):
            x0, y0 = c * col_w, -(r + 1) * cell_h
            rect = Rectangle((x0, y0), col_w * 0.96, cell_h * 0.92, facecolor="white",
                             edgecolor="#555555", linewidth=0.8)
            rect.set_gid(f"cell:{value}")
            ax.add_patch(rect)
            if r >= len(members):
                continue
            i = members[r]
            sid = result.statement_ids[i]
            mark = marks.get(i)
            colour = {"higher01": HIGHER, "higher05": HIGHER, "lower01": LOWER, "lower05": LOWER,
                      "consensus": CONSENSUS}.get(mark, "black")
            symbol = {"higher01": "▲", "higher05": "△", "lower01": "▼", "lower05": "▽",
                      "consensus": "●"}.get(mark, "")
            if mark:
                rect.set_edgecolor(colour)
                rect.set_linewidth(1.8)
            label = f"{numbers.get(sid, i + 1)}{symbol}"
            if texts and texts.get(sid):
                short = textwrap.shorten(" ".join(texts[sid].split()), 60, placeholder="…")
                body = "\n".join(textwrap.wrap(short, 22)[:3])
                ax.text(x0 + 0.05, y0 + cell_h * 0.84, label, fontsize=7, fontweight="bold",
                        color=colour, va="top", ha="left", gid=f"statement:{sid}")
                ax.text(x0 + 0.05, y0 + cell_h * 0.55, body, fontsize=5.5, va="top", ha="left",
                        color="#222222", linespacing=1.1)
            else:
                ax.text(x0 + col_w * 0.48, y0 + cell_h * 0.46, label, fontsize=8, color=colour,
                        ha="center", va="center", fontweight="bold" if mark else "normal",
                        gid=f"statement:{sid}")
        ax.text(c * col_w + col_w * 0.48, 0.25, format_value(value), ha="center",
                va="bottom", fontsize=9, fontweight="bold")
    ax.text(0, 0.75, labels[0], ha="left", va="bottom", fontsize=8, style="italic")
    ax.text(len(values) * col_w, 0.75, labels[1], ha="right", va="bottom", fontsize=8, style="italic")
    ax.set_xlim(-0.1, len(values) * col_w + 0.05)
    ax.set_ylim(-(height + 0.3) * cell_h, 1.3)
    ax.set_aspect("auto")
    ax.axis("off")
    ax.set_title(f"Factor {factor}: composite Q-sort", fontsize=11, loc="left")
    handles = [
        Patch(facecolor="white", edgecolor=HIGHER, label="▲ higher than all other factors (p<.01; △ p<.05)"),
        Patch(facecolor="white", edgecolor=LOWER, label="▼ lower than all other factors (p<.01; ▽ p<.05)"),
        Patch(facecolor="white", edgecolor=CONSENSUS, label="● consensus (no significant difference)"),
    ]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.01), ncol=1,
              fontsize=7, frameon=False)
    return ax


def loadings_pair(result, a: int = 1, b: int = 2, *, ax: Axes | None = None) -> Axes:
    """Loadings of every sort on factors ``a`` (x) and ``b`` (y); flagged sorts highlighted,
    the p < .05 threshold 1.96/sqrt(n_statements) drawn as dashed lines."""
    k = result.n_factors
    for f in (a, b):
        if not 1 <= f <= k:
            raise ValidationError(f"there is no factor {f}: choose 1 to {k}")
    ax = _axes(ax, (6, 6))
    x, y = result.loadings[:, a - 1], result.loadings[:, b - 1]
    flag_a, flag_b = result.flags[:, a - 1], result.flags[:, b - 1]
    other = ~(flag_a | flag_b)
    ax.scatter(x[other], y[other], c="#999999", s=22, label="not flagged on these factors")
    ax.scatter(x[flag_a], y[flag_a], c="#2166ac", s=40, marker="s", label=f"flagged on f{a}")
    ax.scatter(x[flag_b], y[flag_b], c="#d6604d", s=40, marker="^", label=f"flagged on f{b}")
    if len(result.sort_ids) <= 60:
        for j, sid in enumerate(result.sort_ids):
            ax.annotate(sid, (x[j], y[j]), fontsize=6, xytext=(3, 3), textcoords="offset points")
    t = 1.96 / np.sqrt(len(result.statement_ids))
    for v in (t, -t):
        ax.axvline(v, ls="--", lw=0.8, c="#666666")
        ax.axhline(v, ls="--", lw=0.8, c="#666666")
    ax.axhline(0, lw=0.6, c="black")
    ax.axvline(0, lw=0.6, c="black")
    ax.set_xlim(-1, 1)
    ax.set_ylim(-1, 1)
    ax.set_aspect("equal")
    ax.set_xlabel(f"loading on f{a}")
    ax.set_ylabel(f"loading on f{b}")
    ax.set_title(f"Loadings: f{a} and f{b} (dashed: p<.05 at ±{t:.2f})", fontsize=10)
    ax.legend(fontsize=7, loc="lower left")
    return ax


def loadings_heatmap(result, *, ax: Axes | None = None) -> Axes:
    """All loadings as a heat map (sorts × factors), flagged cells outlined."""
    m = len(result.sort_ids)
    ax = _axes(ax, (1.8 + 0.9 * result.n_factors, 1.5 + 0.22 * min(m, 200)))
    im = ax.imshow(result.loadings, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    for j, f in zip(*np.where(result.flags)):
        ax.add_patch(Rectangle((f - 0.5, j - 0.5), 1, 1, fill=False, edgecolor="black", linewidth=1.2))
    ax.set_xticks(range(result.n_factors), result.factor_names)
    if m <= 80:
        ax.set_yticks(range(m), result.sort_ids, fontsize=7)
    ax.set_title("Loadings (flagged cells outlined)", fontsize=10)
    ax.figure.colorbar(im, ax=ax, shrink=0.6, label="loading")
    return ax


def scree(result, *, parallel: Sequence[float] | None = None, max_factors: int = 12,
          ax: Axes | None = None) -> Axes:
    """Eigenvalues of the correlation matrix, Kaiser's line at 1 and, when given, the
    parallel-analysis 95th percentiles."""
    ax = _axes(ax, (6, 4))
    eig = np.asarray(result.eigenvalues)[:max_factors]
    xs = np.arange(1, len(eig) + 1)
    ax.plot(xs, eig, "o-", c="#2166ac", label="eigenvalues")
    if parallel is not None:
        par = np.asarray(parallel)[: len(eig)]
        ax.plot(xs[: len(par)], par, "s--", c="#d6604d", ms=4, label="parallel analysis (95%)")
    ax.axhline(1, ls=":", c="#666666", label="Kaiser (eigenvalue 1)")
    ax.axvline(result.n_factors + 0.5, c="#999999", lw=0.8)
    ax.set_xticks(xs)
    ax.set_xlabel("factor")
    ax.set_ylabel("eigenvalue")
    ax.set_title("Scree plot", fontsize=10)
    ax.legend(fontsize=8)
    return ax


def zscore_comparison(result, statements: Sequence[int] | None = None, *,
                      texts: Mapping[str, str] | None = None, ax: Axes | None = None) -> Axes:
    """Z-scores of chosen statements (0-based indices; default: the 12 with the largest
    spread between factors) in every factor, side by side."""
    z = np.asarray(result.zscores)
    if statements is None:
        with np.errstate(invalid="ignore"):
            spread = np.nanmax(z, axis=1) - np.nanmin(z, axis=1)
        statements = list(np.argsort(-np.nan_to_num(spread), kind="stable")[:12])
    statements = list(statements)
    for i in statements:
        if not 0 <= i < len(result.statement_ids):
            raise ValidationError(f"there is no statement number {i + 1}")
    ax = _axes(ax, (8, 1.2 + 0.45 * len(statements)))
    k = result.n_factors
    height = 0.8 / k
    ys = np.arange(len(statements))
    for f in range(k):
        ax.barh(ys + f * height, z[statements, f], height=height, label=result.factor_names[f])
    names = []
    for i in statements:
        sid = result.statement_ids[i]
        text = texts.get(sid, "") if texts else ""
        names.append(f"{i + 1}. " + textwrap.shorten(text, 45, placeholder="…") if text else f"{i + 1} ({sid})")
    ax.set_yticks(ys + 0.4 - height / 2, names, fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, c="black", lw=0.6)
    ax.set_xlabel("z-score")
    ax.set_title("Z-scores by factor", fontsize=10)
    ax.legend(fontsize=7, loc="best")
    return ax


def bootstrap_intervals(boot, factor: int = 1, *, ax: Axes | None = None) -> Axes:
    """Bootstrap z-score means with 95% intervals per statement for one factor, next to the
    full-sample z-scores."""
    full = boot.full
    f = _check_factor(full, factor)
    n = len(full.statement_ids)
    order = np.argsort(-np.nan_to_num(full.zscores[:, f]), kind="stable")
    ax = _axes(ax, (7, 1.5 + 0.16 * n))
    ys = np.arange(n)
    lo, hi = boot.zscore_q[0][order, f], boot.zscore_q[3][order, f]
    mean = boot.zscore_mean[order, f]
    ax.hlines(ys, lo, hi, color="#92c5de", lw=3, label="95% bootstrap interval")
    ax.plot(mean, ys, "o", c="#2166ac", ms=3, label="bootstrap mean")
    ax.plot(full.zscores[order, f], ys, "x", c="#b2182b", ms=4, label="full sample")
    ax.set_yticks(ys, [str(i + 1) for i in order], fontsize=6)
    ax.invert_yaxis()
    ax.axvline(0, c="black", lw=0.5)
    ax.set_xlabel("z-score")
    ax.set_ylabel("statement")
    ax.set_title(f"Factor {factor}: bootstrap stability ({boot.valid_steps} samples)", fontsize=10)
    ax.legend(fontsize=7, loc="lower right")
    return ax


def save_figure(fig: Figure, path: str | Path, *, dpi: int = 150) -> Path:
    """Save a figure; the format comes from the extension (png, svg or pdf)."""
    path = Path(path)
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ValidationError(f"cannot write {path.name}: use a .png, .svg or .pdf file name")
    if not path.parent.exists():
        raise ValidationError(f"cannot write {path}: the folder {path.parent} does not exist")
    try:
        fig.savefig(path, format=fmt, dpi=dpi, metadata={"Date": None} if fmt == "svg" else None)
    except PermissionError:
        raise ValidationError(f"cannot write {path}: permission denied") from None
    return path

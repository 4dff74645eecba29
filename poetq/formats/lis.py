"""A plain-text report laid out like PQMethod's ``.LIS`` output.

For researchers who compare poetq with PQMethod side by side: the same sections in the same
order, fixed-width columns, loadings with an ``X`` after each defining sort, and each
factor's normalised scores listed from most agree to most disagree. The numbers are
poetq's (see the README for how they relate to PQMethod's).

Sections, in PQMethod's order and with its titles (:data:`SECTIONS`): correlation matrix
between sorts, unrotated factor matrix with eigenvalues and % explained variance, cumulative
communalities, factor matrix with an X indicating a defining sort (and h²), factor scores with
corresponding ranks, correlations between factor scores, normalised factor scores per factor,
descending array of differences between each pair of factors, factor Q-sort values per
statement and sorted by consensus vs. disagreement, factor characteristics with the standard
errors for differences, distinguishing statements per factor, consensus statements.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from poetq.analysis.marks import distinguishing_marks
from poetq.domain import format_value

WIDTH = 78
MAX_TEXT = 44
#: The correlation matrix is left out past this many sorts (it would be unreadable).
MAX_CORR_SORTS = 200
#: PQMethod's section titles in its order (``{f}``, ``{g}``: factor numbers).
SECTIONS = (
    "Correlation Matrix Between Sorts",
    "Unrotated Factor Matrix",
    "Cumulative Communalities Matrix",
    "Factor Matrix with an X Indicating a Defining Sort",
    "Factor Scores with Corresponding Ranks",
    "Correlations Between Factor Scores",
    "Factor Scores -- For Factor {f}",
    "Descending Array of Differences Between Factors {f} and {g}",
    "Factor Q-Sort Values for Each Statement",
    (
        "Factor Q-Sort Values for Statements sorted by Consensus vs. Disagreement "
        "(Variance across Factor Z-Scores)"
    ),
    "Factor Characteristics",
    "Standard Errors for Differences in Factor Z-Scores",
    "Distinguishing Statements for Factor {f}",
    "Consensus Statements -- Those That Do Not Distinguish Between ANY Pair of Factors",
)


def _heading(title: str) -> list[str]:
    return ["", title, "-" * min(WIDTH, max(len(title), 20))]


def _name(sort_id: str, width: int = 8) -> str:
    return str(sort_id)[:width].ljust(width)


def _loading(v: float) -> str:
    return f"{v:7.4f}"


def _ranks(z: np.ndarray) -> list[int]:
    """Rank 1 for the highest z-score (ties by statement order), as PQMethod's rank column."""
    order = sorted(range(len(z)), key=lambda i: (-z[i], i))
    ranks = [0] * len(z)
    for r, i in enumerate(order, start=1):
        ranks[i] = r
    return ranks


def format_lis(result, *, qset=None, title: str = "", texts=None) -> str:
    """The report as text (LF line ends; :func:`write_lis` writes CRLF, as PQMethod does).

    Statement texts come from ``qset`` (a :class:`~poetq.domain.QSet`) or ``texts`` (a
    mapping of statement id to text); without either the statement ids stand in.
    """
    sts, srt = list(result.statement_ids), list(result.sort_ids)
    names = list(result.factor_names)
    k = result.n_factors
    h2 = result.communalities

    def text(sid: str) -> str:
        if qset is None:
            t = " ".join(str((texts or {}).get(sid) or sid).split())
        else:
            try:
                t = qset.statement(sid).text
            except Exception:  # noqa: BLE001 - a table from a file has no texts
                return sid
        return t if len(t) <= MAX_TEXT else t[: MAX_TEXT - 1] + "…"

    def number(sid: str) -> int:
        return sts.index(sid) + 1

    out = [f"poetq analysis report (PQMethod .LIS layout){': ' + title if title else ''}",
           f"{len(srt)} Q-sorts, {len(sts)} statements; extraction {result.extraction}, "
           f"rotation {result.rotation}, {result.cor} correlation, {k} factors"
           + f"; flags {result.flag_rule}"]
    for note in result.notes:
        out.append(f"Note: {note}")

    if len(srt) <= MAX_CORR_SORTS:
        out += _heading("Correlation Matrix Between Sorts")
        corr = result.corr
        for start in range(0, len(srt), 12):
            cols = srt[start:start + 12]
            out.append(" " * 13 + "".join(f"{j + start + 1:5d}" for j in range(len(cols))))
            for i, s in enumerate(srt):
                row = "".join(f"{round(100 * corr[i, start + j]):5d}" for j in range(len(cols)))
                out.append(f"{i + 1:3d} {_name(s)}  {row}")
            out.append("")

    ku = result.unrotated.shape[1]  # a bipolar split adds a rotated factor, not an unrotated one
    out += _heading("Unrotated Factor Matrix")
    out.append(" " * 15 + "".join(f"{n:>9}" for n in names[:ku]))
    for i, s in enumerate(srt):
        out.append(
            f"{i + 1:3d} {_name(s)}   " + "".join(f"  {_loading(v)}" for v in result.unrotated[i])
        )
    out.append(f"{'Eigenvalues':<15}" + "".join(f"  {v:7.4f}" for v in result.eigenvalues[:ku]))
    out.append(
        f"{'% expl.Var.':<15}"
        + "".join(f"  {100 * v / len(srt):7.0f}" for v in result.eigenvalues[:ku])
    )

    out += _heading("Cumulative Communalities Matrix")
    out.append(f"{'Factors 1 Thru ....':<15}" + "".join(f"{i + 1:>9}" for i in range(ku)))
    cumulative = np.cumsum(np.asarray(result.unrotated) ** 2, axis=1)
    for i, s in enumerate(srt):
        out.append(f"{i + 1:3d} {_name(s)}   " + "".join(f"  {_loading(v)}" for v in cumulative[i]))
    out.append(f"{'cum% expl.Var.':<15}" + "".join(
        f"  {100 * v / len(srt):7.0f}" for v in np.cumsum(result.eigenvalues[:ku])))

    out += _heading("Factor Matrix with an X Indicating a Defining Sort")
    out.append(" " * 15 + "".join(f"{n:>10}" for n in names) + f"{'h2':>9}")
    for i, s in enumerate(srt):
        cells = "".join(f"  {_loading(v)}{'X' if result.flags[i, f] else ' '}"
                        for f, v in enumerate(result.loadings[i]))
        out.append(f"{i + 1:3d} {_name(s)}   {cells}  {h2[i]:7.4f}")
    ch = result.characteristics
    out.append(f"{'% expl.Var.':<15}" + "".join(f"  {v:7.0f} " for v in ch["expl_var"]))
    if result.phi is not None:
        out.append("")
        out.append(f"Factor correlations (Phi) of the oblique {result.rotation} rotation")
        for f in range(k):
            out.append(f"{names[f]:<6}" + "".join(f"  {v:7.4f}" for v in result.phi[f]))

    scored = [f for f in range(k) if f not in result.empty_factors]
    out += _heading("Factor Scores with Corresponding Ranks")
    out.append(
        f"{'No.':>4}  {'Statement':<{MAX_TEXT}}" + "".join(f"{n:>9}{'Rank':>5}" for n in names)
    )
    ranks = {f: _ranks(result.zscores[:, f]) for f in scored}
    for i, sid in enumerate(sts):
        cells = "".join(f"{result.zscores[i, f]:9.2f}{ranks[f][i]:5d}" if f in ranks else " " * 14
                        for f in range(k))
        out.append(f"{number(sid):4d}  {text(sid):<{MAX_TEXT}}{cells}")

    out += _heading("Correlations Between Factor Scores")
    out.append(" " * 6 + "".join(f"{n:>9}" for n in names))
    for f in range(k):
        out.append(f"{names[f]:<6}" + "".join(f"  {v:7.4f}" for v in result.cor_zsc[f]))

    for f in range(k):
        out += _heading(f"Factor Scores -- For Factor {f + 1}")
        if f in result.empty_factors:
            out.append("No sort defines this factor: no scores.")
            continue
        out.append(f"{'No.':>4}  {'Statement':<{MAX_TEXT}}  {'No.':>4} {'Z-SCORES':>9}")
        order = sorted(range(len(sts)), key=lambda i: (-result.zscores[i, f], i))
        for i in order:
            out.append(f"{number(sts[i]):4d}  {text(sts[i]):<{MAX_TEXT}}  {number(sts[i]):4d} "
                       f"{result.zscores[i, f]:9.3f}")

    for a, b in ((a, b) for i, a in enumerate(scored) for b in scored[i + 1:]):
        out += _heading(f"Descending Array of Differences Between Factors {a + 1} and {b + 1}")
        out.append(
            f"{'No.':>4}  {'Statement':<{MAX_TEXT}}  {'No.':>4}"
            f"{names[a]:>9}{names[b]:>9}{'Difference':>11}"
        )
        diff = result.zscores[:, a] - result.zscores[:, b]
        for i in sorted(range(len(sts)), key=lambda i: (-diff[i], i)):
            out.append(f"{number(sts[i]):4d}  {text(sts[i]):<{MAX_TEXT}}  {number(sts[i]):4d}"
                       f"{result.zscores[i, a]:9.3f}{result.zscores[i, b]:9.3f}{diff[i]:11.3f}")

    out += _heading("Factor Q-Sort Values for Each Statement")
    out.append(f"{'No.':>4}  {'Statement':<{MAX_TEXT}}" + "".join(f"{n:>6}" for n in names))
    for i, sid in enumerate(sts):
        cells = "".join(
            f"{'':>6}"
            if f in result.empty_factors
            else f"{format_value(int(result.factor_arrays[i, f])):>6}"
            for f in range(k)
        )
        out.append(f"{i + 1:4d}  {text(sid):<{MAX_TEXT}}{cells}")

    out += _heading(SECTIONS[9])
    out.append(f"{'No.':>4}  {'Statement':<{MAX_TEXT}}" + "".join(f"{n:>6}" for n in names))
    if scored:
        with np.errstate(invalid="ignore"):
            spread = np.var(result.zscores[:, scored], axis=1, ddof=1) if len(scored) > 1 \
                else np.zeros(len(sts))
        for i in sorted(range(len(sts)), key=lambda i: (spread[i], i)):
            cells = "".join(
                f"{'':>6}"
                if f in result.empty_factors
                else f"{format_value(int(result.factor_arrays[i, f])):>6}"
                for f in range(k)
            )
            out.append(f"{number(sts[i]):4d}  {text(sts[i]):<{MAX_TEXT}}{cells}")

    out += _heading("Factor Characteristics")
    out.append(" " * 34 + "".join(f"{n:>9}" for n in names))
    for label, key, fmt in (("No. of Defining Variables", "nload", "{:9.0f}"),
                            ("Average Rel. Coef.", "av_rel_coef", "{:9.3f}"),
                            ("Composite Reliability", "reliability", "{:9.3f}"),
                            ("S.E. of Factor Z-Scores", "se_fscores", "{:9.3f}")):
        out.append(f"{label:<34}" + "".join(fmt.format(v) for v in ch[key]))
    out.append("")
    out.append("Standard Errors for Differences in Factor Z-Scores")
    out.append(" " * 6 + "".join(f"{n:>9}" for n in names))
    for f in range(k):
        out.append(f"{names[f]:<6}" + "".join(f"  {v:7.3f}" for v in result.sed[f]))

    pairs = list(result.qdc_pairs)
    for f in range(k):
        out += _heading(f"Distinguishing Statements for Factor {f + 1}")
        if f in result.empty_factors or not pairs:
            out.append("(none)")
            continue
        marks = distinguishing_marks(pairs, result.qdc_diffs, result.qdc_sig, result.qdc_labels, f)
        rows = [i for i, mark in marks.items() if mark != "consensus"]
        out.append("(P < .05 ; Asterisk (*) Indicates Significance at P < .01)")
        out.append(f"{'No.':>4}  {'Statement':<{MAX_TEXT}}" + "".join(
            f"{n:>6} {'Z':>6}" for n in names))
        for i in sorted(rows, key=lambda i: -result.zscores[i, f]):
            star = "*" if marks[i].endswith("01") else " "
            cells = "".join(
                f"{format_value(int(result.factor_arrays[i, g])):>6}{star if g == f else ' '}"
                f"{result.zscores[i, g]:6.2f}" for g in range(k))
            out.append(f"{i + 1:4d}  {text(sts[i]):<{MAX_TEXT}}{cells}")
        if not rows:
            out.append("(none)")

    out += _heading(
        "Consensus Statements -- Those That Do Not Distinguish Between ANY Pair of Factors"
    )
    consensus = [i for i, label in enumerate(result.qdc_labels) if label == "Consensus"]
    out.append(
        f"{'No.':>4}  {'Statement':<{MAX_TEXT}}" + "".join(f"{n:>6} {'Z':>6}" for n in names)
    )
    for i in consensus:
        cells = "".join(
            f"{format_value(int(result.factor_arrays[i, g])):>6} {result.zscores[i, g]:6.2f}"
            for g in range(k)
        )
        out.append(f"{i + 1:4d}  {text(sts[i]):<{MAX_TEXT}}{cells}")
    if not consensus:
        out.append("(none)")
    return "\n".join(out) + "\n"


def write_lis(result, path: str | Path, *, qset=None, title: str = "", texts=None) -> Path:
    """Write :func:`format_lis` with CRLF line ends (UTF-8)."""
    path = Path(path)
    text = format_lis(result, qset=qset, title=title, texts=texts)
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    return path

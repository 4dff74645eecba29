"""A plain-text report laid out like PQMethod's ``.LIS`` output.

For researchers who compare poetq with PQMethod side by side: the same sections in the same
order, fixed-width columns, loadings with an ``X`` after each defining sort, and each
factor's normalised scores listed from most agree to most disagree. The numbers are
poetq's (see the README for how they relate to PQMethod's).

Sections: correlation matrix between sorts, unrotated factor matrix with eigenvalues,
factor matrix with an X indicating a defining sort, normalised factor scores per factor,
correlations between factor scores, factor Q-sort values for each statement, factor
characteristics, distinguishing statements per factor, consensus statements.
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


def _heading(title: str) -> list[str]:
    return ["", title, "-" * min(WIDTH, max(len(title), 20))]


def _name(sort_id: str, width: int = 8) -> str:
    return str(sort_id)[:width].ljust(width)


def _loading(v: float) -> str:
    return f"{v:7.4f}"


def format_lis(result, *, qset=None, title: str = "", texts=None) -> str:
    """The report as text (LF line ends; :func:`write_lis` writes CRLF, as PQMethod does).

    Statement texts come from ``qset`` (a :class:`~poetq.domain.QSet`) or ``texts`` (a
    mapping of statement id to text); without either the statement ids stand in.
    """
    sts, srt = list(result.statement_ids), list(result.sort_ids)
    names = list(result.factor_names)
    k = result.n_factors

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

    out += _heading("Unrotated Factor Matrix")
    out.append(" " * 15 + "".join(f"{n:>9}" for n in names))
    for i, s in enumerate(srt):
        out.append(f"{i + 1:3d} {_name(s)}   " + "".join(f"  {_loading(v)}" for v in result.unrotated[i]))
    out.append(f"{'Eigenvalues':<15}" + "".join(f"  {v:7.4f}" for v in result.eigenvalues[:k]))
    total = float(np.sum(result.eigenvalues)) or 1.0
    out.append(f"{'% expl.Var.':<15}" + "".join(f"  {100 * v / total:7.0f}" for v in result.eigenvalues[:k]))

    out += _heading("Factor Matrix with an X Indicating a Defining Sort")
    out.append(" " * 15 + "".join(f"{n:>10}" for n in names))
    for i, s in enumerate(srt):
        cells = "".join(f"  {_loading(v)}{'X' if result.flags[i, f] else ' '}"
                        for f, v in enumerate(result.loadings[i]))
        out.append(f"{i + 1:3d} {_name(s)}   {cells}")
    ch = result.characteristics
    out.append(f"{'% expl.Var.':<15}" + "".join(f"  {v:7.0f} " for v in ch["expl_var"]))

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

    out += _heading("Correlations Between Factor Scores")
    out.append(" " * 6 + "".join(f"{n:>9}" for n in names))
    for f in range(k):
        out.append(f"{names[f]:<6}" + "".join(f"  {v:7.4f}" for v in result.cor_zsc[f]))

    out += _heading("Factor Q-Sort Values for Each Statement")
    out.append(f"{'No.':>4}  {'Statement':<{MAX_TEXT}}" + "".join(f"{n:>6}" for n in names))
    for i, sid in enumerate(sts):
        cells = "".join(
            f"{'':>6}" if f in result.empty_factors else f"{format_value(int(result.factor_arrays[i, f])):>6}"
            for f in range(k))
        out.append(f"{i + 1:4d}  {text(sid):<{MAX_TEXT}}{cells}")

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

    out += _heading("Consensus Statements -- Those That Do Not Distinguish Between ANY Pair of Factors")
    consensus = [i for i, label in enumerate(result.qdc_labels) if label == "Consensus"]
    out.append(f"{'No.':>4}  {'Statement':<{MAX_TEXT}}" + "".join(f"{n:>6} {'Z':>6}" for n in names))
    for i in consensus:
        cells = "".join(f"{format_value(int(result.factor_arrays[i, g])):>6} {result.zscores[i, g]:6.2f}"
                        for g in range(k))
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

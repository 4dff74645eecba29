"""``poetq compare``: the solutions with k = a..b factors of the same sorts, side by side."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from poetq.analysis import AnalysisOptions
from poetq.analysis.compare import Comparison, compare_results
from poetq.errors import ValidationError
from poetq.formats.cells import csv_cell
from poetq.services.factor_analysis import Source, run_analysis

#: Most solutions one comparison computes (each is a whole analysis).
MAX_SOLUTIONS = 12


def parse_factor_range(text: str) -> tuple[int, ...]:
    """``"2-7"`` -> (2, 3, 4, 5, 6, 7); ``"4"`` -> (4,)."""
    parts = str(text).replace("..", "-").split("-")
    try:
        if len(parts) == 1:
            lo = hi = int(parts[0])
        elif len(parts) == 2:
            lo, hi = int(parts[0]), int(parts[1])
        else:
            raise ValueError
    except ValueError:
        raise ValidationError(f"factors {text!r}: give a range such as 2-7") from None
    if lo < 1 or hi < lo:
        raise ValidationError(f"factors {text!r}: give a range FROM-TO with 1 <= FROM <= TO")
    if hi - lo + 1 > MAX_SOLUTIONS:
        raise ValidationError(
            f"factors {text!r}: compare at most {MAX_SOLUTIONS} solutions at once"
        )
    return tuple(range(lo, hi + 1))


def compare_solutions(source: Source, options: AnalysisOptions, ks: tuple[int, ...]) -> Comparison:
    """Each k of ``ks`` analysed with ``options`` (its factors replaced by k). Manual flags
    and by-hand rotations belong to one number of factors and are refused."""
    if options.flags is not None or options.rotations:
        raise ValidationError("manual flags and by-hand rotations belong to one number of "
                              "factors: leave them out to compare solutions")
    m = len(source.table.sort_ids)
    n = len(source.table.statement_ids)
    too_many = [k for k in ks if k > m or k > n - 1]
    if too_many:
        raise ValidationError(
            f"cannot extract {too_many[0]} factors from {m} sorts of {n} statements"
        )
    return compare_results([run_analysis(source, options.replace(factors=k)) for k in ks])


def _names(ids) -> str:
    return " ".join(ids)


def _factor(f: int) -> str:
    return f"f{f}" if f else "none"


def comparison_rows(c: Comparison) -> list[list]:
    """One row per factor and k (then 'none' and 'confounded' rows per k), as in the CSV."""
    rows: list[list] = [["k", "factor", "ss_loadings", "explained_percent", "n_sorts", "sorts",
                         "largest_score_correlation", "at_k_plus_1"]]
    by_k = {s.k: s for s in c.solutions}
    for s in c.solutions:
        nxt = c.moves(s.k) if s.k + 1 in by_k else []
        largest = "" if s.largest_cor is None else round(s.largest_cor, 4)

        def where(f: int, nxt=nxt) -> str:
            return "; ".join(f"{_factor(b)} {len(ids)}" for a, b, ids in nxt if a == f)

        for i in range(s.k):
            rows.append([s.k, f"f{i + 1}", round(s.ss_loadings[i], 4), round(s.explained[i], 2),
                         len(s.defining[i]), _names(s.defining[i]), largest, where(i + 1)])
        rows.append([s.k, "none", "", "", len(s.no_factor), _names(s.no_factor), largest, where(0)])
        rows.append(
            [s.k, "confounded", "", "", len(s.confounded), _names(s.confounded), largest, ""]
        )
    return rows


def write_comparison_csv(c: Comparison, path: str | Path) -> Path:
    path = Path(path)
    if path.is_dir():
        raise ValidationError(f"{path} is a folder: --out needs a FILE.csv")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    for row in comparison_rows(c):
        writer.writerow([csv_cell(v) for v in row])
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


def comparison_text(c: Comparison, *, width: int = 12) -> str:
    """The comparison as the CLI prints it."""
    lines = [
        f"{len(c.sort_ids)} sorts; solutions with {c.solutions[0].k} to {c.solutions[-1].k} factors"
    ]
    by_k = {s.k: s for s in c.solutions}
    for s in c.solutions:
        lines.append("")
        cor = ("" if s.largest_cor is None else
               f"; largest correlation between factor scores {s.largest_cor:+.2f} "
               f"(f{s.largest_pair[0]}, f{s.largest_pair[1]})")
        lines.append(f"k = {s.k}: {s.total_explained:.1f}% explained{cor}")
        for i in range(s.k):
            ids = s.defining[i]
            shown = ", ".join(ids[:width]) + (
                f", … (+{len(ids) - width})" if len(ids) > width else ""
            )
            lines.append(f"  f{i + 1}  SS {s.ss_loadings[i]:6.2f}  {s.explained[i]:5.1f}%  "
                         f"{len(ids):>3} defining{': ' + shown if ids else ''}")
        lines.append(
            f"  define no factor: {len(s.no_factor)}"
            + (
                f" ({', '.join(s.no_factor[:width])}{', …' if len(s.no_factor) > width else ''})"
                if s.no_factor
                else ""
            )
            + f"; confounded: {len(s.confounded)}"
            + (
                f" ({', '.join(s.confounded[:width])}{', …' if len(s.confounded) > width else ''})"
                if s.confounded
                else ""
            )
        )
        if s.k + 1 in by_k:
            moves = [f"{_factor(a)}→{_factor(b)} {len(ids)}" for a, b, ids in c.moves(s.k)]
            lines.append(f"  to k = {s.k + 1}: " + ", ".join(moves))
    return "\n".join(lines)

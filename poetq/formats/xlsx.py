"""Excel workbooks: poetq's results workbook (:func:`write_workbook`) and sorts workbooks.

Writing (:func:`write_workbook`): one sheet each for README/options, the sorts, the
correlation matrix (only up to :data:`MAX_CORR_SORTS` sorts), unrotated and rotated loadings
with flags, z-scores and factor arrays with statement texts, factor characteristics, and
distinguishing/consensus statements. Its ``sorts`` and ``statements`` sheets use Ken-Q's
"type 2" layout, so the workbook reads back with :func:`read_sorts_xlsx` and loads in Ken-Q.

Reading Ken-Q's and KADE's Excel import templates: :mod:`poetq.formats.xlsx_sorts`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from poetq.domain import Grid, SortsTable, format_value
from poetq.errors import ValidationError
from poetq.formats.cells import save_workbook
from poetq.formats.pqmethod import observed_grid
from poetq.formats.tables import add_sheet

#: The correlation matrix sheet is left out above this many sorts (it would be huge).
MAX_CORR_SORTS = 500


def _num(v):
    if v is None:
        return None
    v = float(v)
    if np.isnan(v):
        return None
    return int(v) if v.is_integer() else v


def _sheet(wb, title, header, rows):
    ws = wb.create_sheet(title)
    ws.append(header)
    for row in rows:
        ws.append(row)
    ws.freeze_panes = "B2"
    return ws


def formatted(ws, *, decimals: int = 3, max_width: int = 60):
    """Bold header row, numbers shown to ``decimals`` places (the cells keep full precision),
    columns as wide as their longest entry (at most ``max_width`` characters, longer text
    wrapped)."""
    from openpyxl.styles import Alignment, Font  # openpyxl (0.26 s) only for workbooks
    from openpyxl.utils import get_column_letter

    number = "0." + "0" * decimals if decimals else "0"
    widths: dict[int, int] = {}
    for r, row in enumerate(ws.iter_rows(), start=1):
        for cell in row:
            v = cell.value
            if v is None:
                continue
            if r == 1:
                cell.font = Font(bold=True)
            elif isinstance(v, float):
                cell.number_format = number
            text = f"{v:.{decimals}f}" if isinstance(v, float) else str(v)
            if len(text) > max_width:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
            widths[cell.column] = max(widths.get(cell.column, 0), min(len(text), max_width))
    for col, w in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = max(6, w + 2)
    return ws


def _add_sorts_sheets(wb, table: SortsTable, statements, name: str, grid: Grid | None):
    ws = wb.create_sheet("sorts")
    ws.append(["Project Name"])
    ws.append([name or "poetq"])
    ws.append([])
    pattern = grid.distribution() if grid else ()
    ws.append(["Sort Pattern", *pattern])
    ws.append([])
    ws.append(["participants", *table.statement_ids])
    for j, sid in enumerate(table.sort_ids):
        ws.append([sid, *(_num(v) for v in table.values[:, j])])
    st = wb.create_sheet("statements")
    st.append(["Statement Num.", "Statements"])
    for k, text in enumerate(statements or (), start=1):
        st.append([k, text])


def write_sorts_xlsx(table: SortsTable, path: str | Path, *, statements=None, name: str = "",
                     grid: Grid | None = None) -> None:
    """Sorts (and statements) as a Ken-Q "type 2" import workbook."""
    from openpyxl import Workbook  # openpyxl (0.26 s) only for workbooks

    wb = Workbook()
    wb.remove(wb.active)
    _add_sorts_sheets(wb, table, statements, name, grid or observed_grid(table))
    save_workbook(wb, path)


def write_workbook(result, path: str | Path, *, qset=None, title: str = "", texts=None,
                   extra_sheets=()) -> None:
    """Write an ``AnalysisResult`` as an Excel workbook (see the module docstring).

    ``qset`` (a :class:`~poetq.domain.QSet`) adds statement texts and the grid; ``texts``
    (a mapping of statement id to text) adds texts when there is no Q-set.
    ``extra_sheets`` are ``(title, description, header, rows)`` added at the end (a study's
    participants and their answers by factor).
    """
    from openpyxl import Workbook  # openpyxl (0.26 s) only for workbooks

    names = list(result.factor_names)
    sts, srt = list(result.statement_ids), list(result.sort_ids)

    def text(sid):
        if qset is None:
            return str((texts or {}).get(sid, ""))
        try:
            return qset.statement(sid).text
        except ValidationError:
            return ""

    wb = Workbook()
    ws = wb.active
    ws.title = "README"
    ws.append(["poetq analysis results"])
    if title:
        ws.append(["study", title])
    ws.append(["sorts", len(srt)])
    ws.append(["statements", len(sts)])
    for k, v in result.options().items():
        ws.append([k, ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v])
    ws.append(["distribution", ", ".join(format_value(int(v)) for v in result.distribution)])
    for note in result.notes:
        ws.append(["note", note])
    ws.append([])
    ws.append(["sheets"])
    ws.append(["sorts", "the Q-sorts, one row per sort (Ken-Q type 2 layout)"])
    ws.append(["statements", "statement numbers and texts"])
    if len(srt) <= MAX_CORR_SORTS:
        ws.append(["correlations", f"{result.cor} correlations between sorts"])
    else:
        ws.append(["correlations", f"left out: more than {MAX_CORR_SORTS} sorts"])
    ws.append(["unrotated", "unrotated loadings; below them the eigenvalues of the correlation "
               "matrix and the % of variance each explains"])
    ws.append(
        ["loadings", "rotated loadings; flag_fK = TRUE marks a defining sort; h2 = communality"]
    )
    ws.append(["zscores", "z-scores and factor arrays by statement"])
    ws.append(
        [
            "characteristics",
            "factor characteristics (ss_loadings = sum of squared rotated "
            "loadings, qmethod's 'eigenvals'), correlations of z-scores, SED"
            + (
                ", factor correlations (Phi) of the oblique rotation"
                if result.phi is not None
                else ""
            ),
        ]
    )
    ws.append(["distinguishing", "distinguishing and consensus statements (Zabala 2014)"])
    ws.append(["fK ranked", "each factor's statements from most agree to most disagree, with text"])

    statements = [text(s) or s for s in sts]
    grid = qset.grid if qset is not None else None
    _add_sorts_sheets(wb, SortsTable(tuple(sts), tuple(srt), result.sorts), statements, title,
                      grid or observed_grid(SortsTable(tuple(sts), tuple(srt), result.sorts)))
    if len(srt) <= MAX_CORR_SORTS:
        corr = result.corr
        _sheet(wb, "correlations", ["sort", *srt],
               [[s, *(_num(v) for v in corr[j])] for j, s in enumerate(srt)])
    ku = result.unrotated.shape[1]  # a bipolar split adds a rotated factor, not an unrotated one
    us = _sheet(wb, "unrotated", ["sort", *names[:ku]],
                [[s, *(_num(v) for v in result.unrotated[j])] for j, s in enumerate(srt)])
    us.append([])
    us.append(["eigenvalue", *(_num(v) for v in result.eigenvalues[:ku])])
    us.append(
        ["% explained variance", *(_num(100 * v / len(srt)) for v in result.eigenvalues[:ku])]
    )
    h2 = result.communalities
    _sheet(
        wb,
        "loadings",
        ["sort", *names, *(f"flag_{n}" for n in names), "h2"],
        [
            [
                s,
                *(_num(v) for v in result.loadings[j]),
                *(bool(f) for f in result.flags[j]),
                _num(h2[j]),
            ]
            for j, s in enumerate(srt)
        ],
    )
    _sheet(
        wb,
        "zscores",
        ["statement", "text", *(f"zsc_{n}" for n in names), *(f"fsc_{n}" for n in names)],
        [
            [
                s,
                text(s),
                *(_num(v) for v in result.zscores[i]),
                *(_num(v) for v in result.factor_arrays[i]),
            ]
            for i, s in enumerate(sts)
        ],
    )
    ch = result.characteristics
    cols = ["av_rel_coef", "nload", "eigenvals", "expl_var", "reliability", "se_fscores"]
    headers = ["av_rel_coef", "nload", "ss_loadings", "expl_var", "reliability", "se_fscores"]
    cs = _sheet(wb, "characteristics", ["factor", *headers],
                [[names[f], *(_num(ch[c][f]) for c in cols)] for f in range(len(names))])
    cs.append([])
    cs.append(["correlation of z-scores", *names])
    for f in range(len(names)):
        cs.append([names[f], *(_num(v) for v in result.cor_zsc[f])])
    cs.append([])
    cs.append(["standard error of differences", *names])
    for f in range(len(names)):
        cs.append([names[f], *(_num(v) for v in result.sed[f])])
    if result.phi is not None:
        cs.append([])
        cs.append([f"factor correlations (Phi, {result.rotation})", *names])
        for f in range(len(names)):
            cs.append([names[f], *(_num(v) for v in result.phi[f])])
    header = ["statement", "text", "dist.and.cons"]
    for a, b in result.qdc_pairs:
        header += [f"f{a + 1}_f{b + 1}", f"sig_f{a + 1}_f{b + 1}"]
    rows = []
    for i, s in enumerate(sts):
        row = [s, text(s), result.qdc_labels[i]]
        for p in range(len(result.qdc_pairs)):
            row += [_num(result.qdc_diffs[i, p]), str(result.qdc_sig[i, p])]
        rows.append(row)
    _sheet(wb, "distinguishing", header, rows)
    for f, name in enumerate(names):
        if f in result.empty_factors:
            continue
        order = sorted(range(len(sts)), key=lambda i: (-result.zscores[i, f], i))
        _sheet(
            wb,
            f"{name} ranked",
            ["rank", "statement", "text", "z-score", "array", "dist.and.cons"],
            [
                [
                    r + 1,
                    sts[i],
                    text(sts[i]),
                    _num(result.zscores[i, f]),
                    int(result.factor_arrays[i, f]),
                    result.qdc_labels[i],
                ]
                for r, i in enumerate(order)
            ],
        )
    if extra_sheets:
        for sheet_title, description, header, rows in extra_sheets:
            ws.append([sheet_title, description])
            add_sheet(wb.create_sheet(sheet_title), header, rows)
    for sheet in wb.worksheets:
        formatted(sheet)
    save_workbook(wb, path)

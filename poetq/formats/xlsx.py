"""Excel workbooks: poetq's results workbook, and Ken-Q's Excel import templates.

Writing (:func:`write_workbook`): one sheet each for README/options, the sorts, the
correlation matrix (only up to :data:`MAX_CORR_SORTS` sorts), unrotated and rotated loadings
with flags, z-scores and factor arrays with statement texts, factor characteristics, and
distinguishing/consensus statements. Its ``sorts`` and ``statements`` sheets use Ken-Q's
"type 2" layout, so the workbook reads back with :func:`read_sorts_xlsx` and loads in Ken-Q.

Reading (:func:`read_sorts_xlsx`), sheets matched case-insensitively:

- **type 2** (sorts by statement): sheet ``sorts`` with a header row ``participants,s1..sN``
  and one row per sort; an optional ``Sort Pattern`` row and ``Project Name``.
- **type 1** (slot grid): sheet ``sorts`` with a ``Sort Value`` header row naming the sorts;
  each row below is one grid slot: its value, then the statement number each sort put there.
- **type 3** (a Ken-Q analysis export) is refused: it is output, not input.

Statements come from sheet ``statements`` (column B, one row per statement number).
"""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from collections import Counter
from pathlib import Path
from xml.etree import ElementTree

import numpy as np

from poetq.domain import Grid, SortsTable, format_value
from poetq.errors import NotFoundError, ValidationError
from poetq.formats.cells import save_workbook
from poetq.formats.kenq import KenqData
from poetq.formats.limits import SheetCounter, check_zip
from poetq.formats.pqmethod import PQ_VALUES, grid_from_counts, observed_grid, unique_names

#: The correlation matrix sheet is left out above this many sorts (it would be huge).
MAX_CORR_SORTS = 500
_OUTPUT_SHEETS = {"analysis overview", "correlation matrix", "factor score ranks", "loadings",
                  "unrotated factor matrix"}


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
    from openpyxl.styles import Alignment, Font
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
    from openpyxl import Workbook

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
    from openpyxl import Workbook

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
        from poetq.formats.tables import add_sheet

        for sheet_title, description, header, rows in extra_sheets:
            ws.append([sheet_title, description])
            add_sheet(wb.create_sheet(sheet_title), header, rows)
    for sheet in wb.worksheets:
        formatted(sheet)
    save_workbook(wb, path)


# --- reading -----------------------------------------------------------------------------

def _load(path: Path):
    from openpyxl import load_workbook

    if not path.is_file():
        raise NotFoundError(f"no Excel file at {path}")
    if not zipfile.is_zipfile(path):
        raise ValidationError(f"{path} is not an Excel .xlsx workbook")
    try:
        with zipfile.ZipFile(path) as zf:
            check_zip(zf, str(path))  # before openpyxl unpacks anything
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise ValidationError(f"{path} is not an Excel .xlsx workbook") from None


def _rows(ws) -> list[list]:
    out = []
    counter = SheetCounter(f"sheet {ws.title!r}")
    for row in ws.iter_rows(values_only=True):
        counter.add(len(row))
        r = list(row)
        while r and (r[-1] is None or (isinstance(r[-1], str) and not r[-1].strip())):
            r.pop()
        out.append(r)
    return out


def _label(v) -> str:
    return str(v).strip().lower() if v is not None else ""


def _int(v, *, where: str, source: Path) -> int:
    if isinstance(v, bool) or v is None:
        raise ValidationError(f"{source}: {where} is empty")
    if isinstance(v, (int, float)) and float(v).is_integer():
        return int(v)
    s = str(v).strip()
    if re.fullmatch(r"[+-]?[0-9]+", s):
        return int(s)
    raise ValidationError(f"{source}: {where} holds {v!r}, not a whole number")


def _statements(wb) -> tuple[str, ...] | None:
    ws = next((wb[n] for n in wb.sheetnames if n.strip().lower() == "statements"), None)
    if ws is None:
        return None
    found = []
    for row in _rows(ws)[1:]:
        if len(row) >= 2 and row[1] is not None and str(row[1]).strip():
            found.append(" ".join(str(row[1]).split()))
        elif found:
            break
    return tuple(found) or None


def _type2(rows, source: Path) -> tuple[SortsTable, Grid | None, str]:
    h = next(i for i, r in enumerate(rows) if r and _label(r[0]) == "participants")
    header = rows[h]
    n = len(header) - 1
    body, numbers = [], []
    for i, r in enumerate(rows[h + 1:], start=h + 2):
        if not r or r[0] is None:
            if body:
                break
            continue
        body.append(r)
        numbers.append(i)
    if not body:
        raise ValidationError(f"{source}: the sorts sheet has a header but no sorts")
    values = np.empty((n, len(body)))
    names = []
    for j, r in enumerate(body):
        name = str(r[0]).strip()
        if len(r) - 1 != n:
            raise ValidationError(
                f"{source}: sheet 'sorts', row {numbers[j]}: sort {name!r} has "
                f"{len(r) - 1} scores, the header (row {h + 1}) names {n} statements"
            )
        for k in range(n):
            values[k, j] = _int(r[k + 1], where=f"sheet 'sorts', row {numbers[j]}: sort {name!r}, "
                                f"statement {k + 1}", source=source)
        names.append(name)
    ids = [str(c).strip() if c is not None else "" for c in header[1:]]
    if len(set(ids)) != n or not all(ids):
        ids = [f"s{k + 1}" for k in range(n)]
    table = SortsTable(tuple(ids), tuple(unique_names(names)), values,
                       tuple(f"sheet 'sorts', row {i}" for i in numbers))
    grid = None
    pat = next((r for r in rows[:h] if r and _label(r[0]) == "sort pattern"), None)
    if pat and len(pat) > 2:
        vals = [_int(v, where="the Sort Pattern row", source=source) for v in pat[1:]]
        c = Counter(vals)
        full = tuple(range(min(vals), max(vals) + 1))
        if all(c[v] for v in full):
            grid = Grid(full, tuple(c[v] for v in full))
    return table, grid or observed_grid(table), _project_name(rows[:h])


def _project_name(rows) -> str:
    for i, r in enumerate(rows):
        if r and _label(r[0]) == "project name":
            if len(r) > 1 and r[1] is not None:
                return str(r[1]).strip()
            if i + 1 < len(rows) and rows[i + 1] and rows[i + 1][0] is not None:
                return str(rows[i + 1][0]).strip()
    return ""


def _type1(rows, source: Path) -> tuple[SortsTable, Grid | None, str]:
    h = next(i for i, r in enumerate(rows) if r and _label(r[0]) == "sort value")
    names = [str(c).strip() for c in rows[h][1:] if c is not None and str(c).strip()]
    m = len(names)
    slots = []
    for r in rows[h + 1:]:
        if not r or r[0] is None:
            if slots:
                break
            continue
        slots.append(r)
    n = len(slots)
    if n < 2 or m < 1:
        raise ValidationError(f"{source}: the type 1 sorts sheet has no slots under 'Sort Value'")
    values = np.full((n, m), np.nan)
    for r in slots:
        v = _int(r[0], where="a 'Sort Value' cell", source=source)
        for j in range(m):
            cell = r[j + 1] if j + 1 < len(r) else None
            k = _int(
                cell, where=f"sort {names[j]!r}, a slot in column {format_value(v)}", source=source
            )
            if not 1 <= k <= n:
                raise ValidationError(
                    f"{source}: sort {names[j]!r} names statement {k}; there are {n}"
                )
            if not np.isnan(values[k - 1, j]):
                raise ValidationError(f"{source}: sort {names[j]!r} places statement {k} twice")
            values[k - 1, j] = v
    # every statement placed once follows from n slots, no repeats and numbers 1..n
    grid = None
    counts_at = next(
        (i for i, r in enumerate(rows[:h]) if r and "number of statements" in _label(r[0])), None
    )
    if counts_at is not None:
        counts = [0] * len(PQ_VALUES)
        for r in rows[counts_at + 1: counts_at + 1 + len(PQ_VALUES)]:
            if (
                r
                and isinstance(r[0], (int, float))
                and int(r[0]) in PQ_VALUES
                and len(r) > 1
                and r[1]
            ):
                counts[int(r[0]) + 6] = _int(r[1], where=f"the count for {r[0]}", source=source)
        used = [v for v, c in zip(PQ_VALUES, counts) if c]
        if used:
            grid = grid_from_counts(counts, used[0], used[-1])
    from openpyxl.utils import get_column_letter

    table = SortsTable(tuple(f"s{k + 1}" for k in range(n)), tuple(unique_names(names)), values,
                       tuple(f"sheet 'sorts', column {get_column_letter(j + 2)}" for j in range(m)))
    return table, grid or observed_grid(table), _project_name(rows[:h])


def _kade_sheets(wb, lower: dict[str, str], path: Path) -> KenqData:
    """KADE's own "Excel Import Type 2" workbook: its zip's files as sheets ``name``,
    ``sorts`` (rows ``name, v1..vN``), ``pattern`` (counts for -6..+13), ``statements``
    (one per row), ``version`` and ``type``."""
    from poetq.formats.kenq import parse_sorts_rows

    def cells(sheet: str) -> list[list]:
        return [r for r in _rows(wb[lower[sheet]]) if r] if sheet in lower else []

    rows, lines = [], []
    for k, r in enumerate(_rows(wb[lower["sorts"]]), start=1):
        if r and any(c is not None and str(c).strip() for c in r):
            rows.append(
                [
                    ""
                    if c is None
                    else (str(int(c)) if isinstance(c, float) and c.is_integer() else str(c))
                    for c in r
                ]
            )
            lines.append(k)
    if rows and not any(re.fullmatch(r"\s*[+-]?\d+\s*", c) for c in rows[0][1:]):
        rows, lines = rows[1:], lines[1:]  # a header row
    if not rows:
        raise ValidationError(f"{path}: the 'sorts' sheet holds no sorts")
    table = parse_sorts_rows(rows, source=f"{path}, sheet 'sorts', row", lines=lines)
    texts = [str(next((c for c in reversed(r) if isinstance(c, str) and c.strip()), "")).strip()
             for r in cells("statements")]
    texts = [t for t in texts if t and t.lower() not in ("statements", "statement")]
    statements = tuple(texts) or None
    if statements is not None and len(statements) != len(table.statement_ids):
        raise ValidationError(f"{path}: the 'statements' sheet has {len(statements)} statements "
                              f"but the sorts have {len(table.statement_ids)}")
    grid = None
    pattern = [c for r in cells("pattern") for c in r if c is not None and str(c).strip()]
    if pattern:
        counts = [_int(c, where="the 'pattern' sheet", source=path) for c in pattern]
        if len(counts) == len(PQ_VALUES) and any(counts):
            used = [v for v, c in zip(PQ_VALUES, counts) if c]
            grid = grid_from_counts(counts, used[0], used[-1])
    name = next((str(c).strip() for r in cells("name") for c in r if c is not None), "")
    return KenqData(table, statements, grid or observed_grid(table), name)


def read_sorts_xlsx(path: str | Path) -> KenqData:
    """Sorts (with statements, grid and project name) from a Ken-Q type 1 or type 2 workbook."""
    path = Path(path)
    with warnings.catch_warnings():
        # openpyxl warns (lazily, while rows are read) about Excel extensions it drops
        warnings.simplefilter("ignore", UserWarning)
        try:
            return _read_sorts_xlsx(path)
        except (zipfile.BadZipFile, zlib.error, ElementTree.ParseError, KeyError, EOFError,
                TypeError) as exc:
            # read-only workbooks are parsed while their rows are read: damage shows up here
            raise ValidationError(f"{path} is a damaged Excel workbook ({type(exc).__name__}): "
                                  "open it in Excel and save it again") from None


def _read_sorts_xlsx(path: Path) -> KenqData:
    wb = _load(path)
    try:
        lower = {n.strip().lower(): n for n in wb.sheetnames}
        if len(_OUTPUT_SHEETS & set(lower)) >= 2 or "q-sorts" in lower and "sorts" not in lower:
            raise ValidationError(
                f"{path} is a Ken-Q analysis output workbook (Excel type 3), not sorts to import: "
                "export the sorts from Ken-Q as CSV or use its type 1/type 2 templates"
            )
        if "sorts" not in lower:
            raise ValidationError(
                f"{path} has no 'sorts' sheet: use Ken-Q's type 1 or type 2 Excel template"
            )
        if {"name", "pattern"} <= set(lower):
            return _kade_sheets(wb, lower, path)
        rows = _rows(wb[lower["sorts"]])
        firsts = {_label(r[0]) for r in rows if r}
        if "participants" in firsts:
            table, grid, name = _type2(rows, path)
        elif "sort value" in firsts:
            table, grid, name = _type1(rows, path)
        else:
            raise ValidationError(
                f"{path}: the 'sorts' sheet has neither a 'participants' header (type 2) "
                "nor a 'Sort Value' header (type 1)"
            )
        statements = _statements(wb)
    finally:
        wb.close()
    if statements is not None and len(statements) != len(table.statement_ids):
        raise ValidationError(
            f"{path}: the statements sheet has {len(statements)} statements but the sorts have "
            f"{len(table.statement_ids)}"
        )
    return KenqData(table, statements, grid, name)

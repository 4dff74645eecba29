"""Sorts from Excel workbooks: Ken-Q's and KADE's Excel import templates.

:func:`read_sorts_xlsx` reads, sheets matched case-insensitively:

- **type 2** (sorts by statement), as KADE's own test file ``testExcelImport - type 2 -
  lipset.xlsx``: sheet ``sorts`` with ``Project Name`` (A1) over the name (A2), a ``Sort
  Pattern`` row (one value per statement), a header row ``participants, s1..sN`` and one row
  per sort (name, then one value per statement); sheet ``statements`` with ``Statement Num.,
  Statements`` over one row per statement (numbers past the last text are ignored).
- **type 2, KADE's newer layout** (its help page "XLSX Type 2 Setup"): sheets ``name``
  (``Project Name`` over the name), ``sorts`` (a row per sort from row 1: name, values),
  ``pattern`` (the values -6..+13 in row 1, the number of statements in each column in
  row 2), ``statements`` (``Statements`` column), ``version`` and ``type`` (``2``).
- **type 1** (slot grid): sheet ``sorts`` with a ``Sort Value`` header row naming the sorts;
  each row below is one grid slot: its value, then the statement number each sort put there.
- **type 3** (a Ken-Q analysis export) is refused: it is output, not input.

poetq's own workbooks (:mod:`poetq.formats.xlsx`) read back as type 2.
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
from poetq.formats.kenq import KenqData, parse_sorts_rows
from poetq.formats.limits import SheetCounter, check_zip
from poetq.formats.pqmethod import PQ_VALUES, grid_from_counts, observed_grid, unique_names

#: Sheets of a Ken-Q/KADE analysis output (type 3), which is not sorts to import.
_OUTPUT_SHEETS = {"analysis overview", "correlation matrix", "factor score ranks", "loadings",
                  "unrotated factor matrix"}


def _load(path: Path):
    from openpyxl import load_workbook  # openpyxl (0.26 s) only for workbooks

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
    from openpyxl.utils import get_column_letter  # openpyxl (0.26 s) only for workbooks

    table = SortsTable(tuple(f"s{k + 1}" for k in range(n)), tuple(unique_names(names)), values,
                       tuple(f"sheet 'sorts', column {get_column_letter(j + 2)}" for j in range(m)))
    return table, grid or observed_grid(table), _project_name(rows[:h])


def _below_label(rows: list[list], label: str) -> str:
    """The text KADE reads from a one-value sheet (``name``, ``type``, ``version``): its second
    non-empty row (the first holds ``label``), or else a lone row's value."""
    def text(r):
        return " ".join(str(c).strip() for c in r if c is not None and str(c).strip())

    if len(rows) >= 2:
        return text(rows[1])
    if rows and _label(rows[0][0]) != label:
        return text(rows[0])
    return ""


def _pattern_counts(rows: list[list], path: Path) -> list[int] | None:
    """The number of statements for each of -6..+13 from KADE's ``pattern`` sheet: the row
    under the values -6..+13 (or a lone row of 20 numbers)."""
    if not rows:
        return None
    where = "the 'pattern' sheet"
    if len(rows) >= 2:
        counts = rows[1]
        where = "the 'pattern' sheet, row 2"
    else:
        counts = rows[0]
    if len(counts) != len(PQ_VALUES):
        raise ValidationError(
            f"{path}: {where} has {len(counts)} numbers; KADE's pattern has {len(PQ_VALUES)}: "
            "the number of statements in each column from -6 to +13 (0 where none)"
        )
    return [_int(c, where=where, source=path) for c in counts]


def _kade_statements(rows: list[list]) -> tuple[str, ...] | None:
    """Statement texts from KADE's ``statements`` sheet: the column headed ``Statements``
    (KADE reads only that one), else the last text of each row."""
    if rows:
        heads = [_label(c) for c in rows[0]]
        if "statements" in heads:
            k = heads.index("statements")
            texts = [" ".join(str(r[k]).split()) for r in rows[1:]
                     if len(r) > k and r[k] is not None and str(r[k]).strip()]
            return tuple(texts) or None
    texts = [str(next((c for c in reversed(r) if isinstance(c, str) and c.strip()), "")).strip()
             for r in rows]
    texts = [t for t in texts if t and t.lower() not in ("statements", "statement")]
    return tuple(texts) or None


def _cell_text(c) -> str:
    if c is None:
        return ""
    return str(int(c)) if isinstance(c, float) and c.is_integer() else str(c)


def _kade_sheets(wb, lower: dict[str, str], path: Path) -> KenqData:
    """KADE's newer type 2 layout: sheets ``name``, ``sorts`` (a row per sort: name,
    values), ``pattern``, ``statements``, ``version`` and ``type`` (see the module's notes)."""
    def cells(sheet: str) -> list[list]:
        return [r for r in _rows(wb[lower[sheet]]) if r] if sheet in lower else []

    kind = _below_label(cells("type"), "type")
    if kind and kind.lower().removeprefix("type").strip() != "2":
        raise ValidationError(
            f"{path}: its 'type' sheet says {kind!r}; a workbook with 'name' and 'pattern' "
            "sheets is read as KADE's type 2 (set the 'type' sheet to 2)"
        )
    rows, lines = [], []
    for k, r in enumerate(_rows(wb[lower["sorts"]]), start=1):
        if r and r[0] is not None and str(r[0]).strip():  # KADE skips rows without a name
            rows.append([_cell_text(c) for c in r])
            lines.append(k)
    if rows and not any(re.fullmatch(r"\s*[+-]?\d+\s*", c) for c in rows[0][1:]):
        rows, lines = rows[1:], lines[1:]  # a header row
    if not rows:
        raise ValidationError(f"{path}: the 'sorts' sheet holds no sorts")
    table = parse_sorts_rows(rows, source=f"{path}, sheet 'sorts', row", lines=lines)
    n = len(table.statement_ids)
    statements = _kade_statements(cells("statements"))
    if statements is not None and len(statements) != n:
        raise ValidationError(f"{path}: the 'statements' sheet has {len(statements)} statements "
                              f"but the sorts have {n}")
    grid = None
    counts = _pattern_counts(cells("pattern"), path)
    if counts is not None and any(counts):
        if sum(counts) != n:
            raise ValidationError(f"{path}: the 'pattern' sheet has room for {sum(counts)} "
                                  f"statements but the sorts have {n}")
        used = [v for v, c in zip(PQ_VALUES, counts) if c]
        grid = grid_from_counts(counts, used[0], used[-1])
    name = _below_label(cells("name"), "project name")
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

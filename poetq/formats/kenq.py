"""Ken-Q Analysis / KADE files: sorts CSV, statements text, KADE zip and web-sort JSON.

- **Sorts CSV**: a header row (skipped, but its cells name the statements when they are
  unique), then one row per sort ``name,score_s1,…,score_sN``. The delimiter (``,`` ``;``
  tab ``|``) is detected; CR, LF and CRLF line ends are accepted; trailing empty cells are cut.
- **Statements text**: one statement per line; lines are trimmed and empty ones dropped.
  UTF-8, UTF-16 (BOM), Shift_JIS (cp932, as KADE's Japanese test file) and Windows-1252 are
  recognised.
- **KADE zip**: ``statements.txt``, ``sorts.txt`` (``name,v1,…`` per line, no header),
  ``name.txt`` (project name) and ``pattern.txt`` (the 20 PQMethod counts for -6 .. +13).
- **JSON** from Firebase / easy-htmlq / EQ Web Sort: an object of records keyed by push id,
  a list of records, or one record; each record has ``sort = "v1|v2|…"`` in statement order.
  A record's ``partId`` names the sort, else (as Ken-Q) the last 10 characters of its key,
  else ``userInputId``/``urlUserCode``/``uid``, else ``p1``, ``p2`` ….

The grid of a file is inferred as Ken-Q does: from the distribution of the *last* sort.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from poetq.domain import Grid, SortsTable
from poetq.errors import NotFoundError, ValidationError
from poetq.formats.cells import csv_text
from poetq.formats.limits import check_text, check_zip
from poetq.formats.pqmethod import (
    PQ_VALUES,
    decode_text,
    grid_from_counts,
    observed_grid,
    pq_counts,
    split_lines,
    unique_names,
)
from poetq.formats.sorts_csv import format_number

DELIMITERS = ",;\t|"
_SCORE = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class KenqData:
    """Sorts with what else the file carries: statements, grid and project name."""

    table: SortsTable
    statements: tuple[str, ...] | None = None
    grid: Grid | None = None
    name: str = ""
    #: Per sort, what else a web-sort result carries: ``{"comments": {statement number:
    #: text}, "answers": {field: value}}`` (JSON results only).
    extras: tuple[dict, ...] | None = None


def _score(cell: str, *, source: str, where: str) -> int:
    s = str(cell).strip()
    if not _SCORE.fullmatch(s):
        what = "no score" if not s else f"{s!r}, not a whole number"
        raise ValidationError(f"{source}: {where} has {what}")
    return int(s)


def detect_delimiter(line: str) -> str:
    """The most frequent of ``, ; tab |`` in a line (comma on a tie or none)."""
    counts = {d: line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _rows(text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """The non-blank rows (trailing empty cells cut) and the line number of each."""
    rows, numbers = [], []
    for number, line in enumerate(split_lines(text), start=1):
        if not line.strip():
            continue
        row = next(csv.reader([line], delimiter=delimiter), [])
        while row and not row[-1].strip():
            row.pop()
        rows.append(row)
        numbers.append(number)
    return rows, numbers


def _statement_ids(header: list[str], n: int) -> tuple[str, ...]:
    cells = [c.strip() for c in header[1 : n + 1]]
    ok = len(cells) == n and all(
        re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}", c) for c in cells
    )
    if ok and len(set(cells)) == n:
        return tuple(cells)
    return tuple(f"s{k + 1}" for k in range(n))


def parse_sorts_rows(rows: list[list[str]], *, source: str, header: list[str] | None = None,
                     lines: list[int] | None = None, header_line: int = 1) -> SortsTable:
    """Sorts from rows ``name, v1, …, vN`` (one row per sort); ``lines`` numbers the rows.

    A header with more than a name cell must name as many statements as the rows hold.
    """
    if not rows:
        raise ValidationError(f"{source} has no sorts: expected rows 'name,score_s1,...'")
    where = [f"line {lines[j]}" if lines else f"sort {j + 1}" for j in range(len(rows))]
    n = len(rows[0]) - 1
    if n < 2:
        raise ValidationError(
            f"{source}, {where[0]}: the first sort has {max(n, 0)} scores separated by , ; tab "
            "or |: expected one row per sort 'name,score_s1,...'"
        )
    if header is not None and len(header) > 2 and len(header) - 1 != n:
        raise ValidationError(
            f"{source}, {where[0]}: the sort has {n} scores but the header (line {header_line}) "
            f"names {len(header) - 1} statements"
        )
    values = np.empty((n, len(rows)))
    names = []
    for j, row in enumerate(rows):
        name = row[0].strip() or f"sort{j + 1}"
        if len(row) - 1 != n:
            raise ValidationError(
                f"{source}, {where[j]}: sort {name!r} has {len(row) - 1} scores but sort "
                f"{names[0] if names else name!r} has {n}: is the line cut short?"
            )
        for k, cell in enumerate(row[1:]):
            values[k, j] = _score(cell, source=f"{source}, {where[j]}",
                                  where=f"sort {name!r}, statement {k + 1}")
        names.append(name)
    ids = _statement_ids(header, n) if header else tuple(f"s{k + 1}" for k in range(n))
    return SortsTable(ids, tuple(unique_names(names)), values,
                      tuple(where) if lines else None)


def parse_kenq_csv(text: str, *, source: str = "<csv>") -> KenqData:
    """Parse a Ken-Q sorts CSV (header row, then one row per sort)."""
    if "\x00" in text:
        raise ValidationError(f"{source} is not a text CSV file (it holds binary data)")
    if not text.strip():
        raise ValidationError(f"{source} is empty: expected a header and one row per sort")
    first = next(line for line in split_lines(text) if line.strip())
    rows, lines = _rows(text, detect_delimiter(first))
    table = parse_sorts_rows(rows[1:], source=source, header=rows[0], lines=lines[1:],
                             header_line=lines[0])
    return KenqData(table, grid=observed_grid(table))


def read_kenq_csv(path: str | Path) -> KenqData:
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no sorts file at {path}")
    return parse_kenq_csv(decode_text(path.read_bytes(), source=str(path)), source=str(path))


def format_kenq_csv(table: SortsTable, *, delimiter: str = ",") -> str:
    """Ken-Q sorts CSV text: header ``participants,<statement ids>``, one row per sort, LF."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(["participants", *map(csv_text, table.statement_ids)])
    for j, name in enumerate(table.sort_ids):
        w.writerow([csv_text(name), *(format_number(v) for v in table.values[:, j])])
    return buf.getvalue()


def write_kenq_csv(table: SortsTable, path: str | Path, *, delimiter: str = ",") -> None:
    Path(path).write_text(format_kenq_csv(table, delimiter=delimiter), encoding="utf-8", newline="")


def parse_statements(text: str) -> list[str]:
    """Statements, one per line: trimmed, empty lines dropped (as Ken-Q)."""
    return [line.strip() for line in re.split(r"[\r\n]+", text) if line.strip()]


def read_statements(path: str | Path) -> list[str]:
    """A statements text file (encoding detected, Shift_JIS included)."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no statements file at {path}")
    statements = parse_statements(decode_text(path.read_bytes(), source=str(path)))
    if not statements:
        raise ValidationError(f"{path} is empty: expected one statement per line")
    return statements


def write_statements(statements, path: str | Path) -> None:
    """One statement per line, UTF-8, LF."""
    Path(path).write_text("".join(" ".join(str(s).split()) + "\n" for s in statements),
                          encoding="utf-8", newline="")


# --- KADE zip ---------------------------------------------------------------------------

def write_kade_zip(
    table: SortsTable,
    path: str | Path,
    *,
    statements=None,
    name: str = "",
    grid: Grid | None = None,
) -> None:
    """Write a KADE zip (statements.txt, sorts.txt, name.txt, pattern.txt)."""
    grid = grid or observed_grid(table)
    if statements is None:
        statements = list(table.statement_ids)
    statements = list(statements)
    if len(statements) != len(table.statement_ids):
        raise ValidationError(
            f"{len(statements)} statements for sorts of {len(table.statement_ids)} statements"
        )
    sorts = "".join(
        ",".join([sid, *(format_number(v) for v in table.values[:, j])]) + "\n"
        for j, sid in enumerate(table.sort_ids)
    )
    pattern = ",".join(str(c) for c in (pq_counts(grid.values, grid.counts) if grid else (0,) * 20))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("statements.txt", "".join(" ".join(str(s).split()) + "\n" for s in statements))
        zf.writestr("sorts.txt", sorts)
        zf.writestr("name.txt", name or "poetq")
        zf.writestr("pattern.txt", pattern)


def read_kade_zip(path: str | Path) -> KenqData:
    """Read a KADE zip written by Ken-Q's "Download KADE Zip" (or by :func:`write_kade_zip`)."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no KADE zip at {path}")
    try:
        return _read_kade_zip(path)
    except (
        zipfile.BadZipFile,
        zlib.error,
        NotImplementedError,
        RuntimeError,
        EOFError,
        OSError,
    ) as exc:
        # a damaged archive shows up when it is opened or, as a bad CRC, when a member is read
        raise ValidationError(f"{path} is a damaged zip file ({exc}): make it again") from None


def _read_kade_zip(path: Path) -> KenqData:
    with zipfile.ZipFile(path) as zf:
        check_zip(zf, str(path))
        members = {Path(n).name.lower(): n for n in zf.namelist() if not n.endswith("/")}
        if "sorts.txt" not in members:
            raise ValidationError(f"{path} is not a KADE zip: it has no sorts.txt")

        def text(name: str) -> str | None:
            if name not in members:
                return None
            text = decode_text(zf.read(members[name]), source=f"{path}:{name}")
            check_text(text, f"{path}:{name}")
            return text

        src = f"{path}:sorts.txt"
        sorts_text = text("sorts.txt")
        first = next((line for line in split_lines(sorts_text) if line.strip()), "")
        rows, lines = _rows(sorts_text, detect_delimiter(first))
        table = parse_sorts_rows(rows, source=src, lines=lines)
        statements = parse_statements(text("statements.txt") or "") or None
        if statements is not None and len(statements) != table.values.shape[0]:
            raise ValidationError(
                f"{path}: statements.txt has {len(statements)} statements but the sorts have "
                f"{table.values.shape[0]} scores"
            )
        grid = None
        pattern = (text("pattern.txt") or "").strip()
        if pattern:
            try:
                counts = [int(c) for c in pattern.split(",")]
            except ValueError:
                raise ValidationError(f"{path}: pattern.txt is not a list of counts") from None
            if len(counts) == len(PQ_VALUES) and any(counts):
                used = [v for v, c in zip(PQ_VALUES, counts) if c]
                grid = grid_from_counts(counts, used[0], used[-1])
        name = (text("name.txt") or "").strip()
    return KenqData(
        table, tuple(statements) if statements else None, grid or observed_grid(table), name
    )


# --- JSON (Firebase / easy-htmlq / EQ Web Sort) -------------------------------------------

_NO_ID = {"", "---", "no data", "none", "null"}


def _record_name(key: str | None, record: dict, index: int) -> str:
    part = str(record.get("partId", "")).strip()
    if part.lower() not in _NO_ID:
        return part
    if key is not None:
        return key[-10:]
    for field in ("userInputId", "urlUserCode", "uid"):
        v = str(record.get(field, "")).strip()
        if v.lower() not in _NO_ID:
            return v
    return f"p{index}"


def parse_sorts_json(text: str, *, source: str = "<json>") -> KenqData:
    """Sorts from web-sort JSON results (see the module docstring)."""
    if not text.strip():
        raise ValidationError(f"{source} is empty: expected JSON results with a 'sort' field")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{source} is not valid JSON (line {exc.lineno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise ValidationError(f"{source} is nested too deeply to be sorts results") from None
    if isinstance(data, dict) and "sort" in data:
        items = [(None, data)]
    elif isinstance(data, dict):
        items = list(data.items())
    elif isinstance(data, list):
        items = [(None, r) for r in data]
    else:
        items = []
    records = [(k, r) for k, r in items if isinstance(r, dict) and isinstance(r.get("sort"), str)]
    if not records:
        raise ValidationError(f"{source} holds no results with a 'sort' field ('v1|v2|...')")
    rows = [
        [_record_name(k, r, i), *r["sort"].split("|")] for i, (k, r) in enumerate(records, start=1)
    ]
    table = parse_sorts_rows(rows, source=source)
    return KenqData(table, grid=observed_grid(table),
                    extras=tuple(_record_extras(r) for _, r in records))


#: Fields of a web-sort result that are bookkeeping, not a respondent's answers.
_NOT_ANSWERS = {"sort", "name", "partid", "randomid", "datetime", "timestamp", "npos", "nneu",
                "nneg", "userinputid", "urlusercode", "accesscode", "uid", "projectname"}
_COMMENT_KEY = re.compile(r"comment(\d+)", re.I)
_CARD_PILES = re.compile(r"(green|gray|grey|pink|yellow)cardresults|dur\d+", re.I)
MAX_EXTRA = 10_000


def _record_extras(record: dict) -> dict:
    """Comments (``commentN``: statement N) and answers (``formN`` and the study's own
    fields) of one EQ Web Sort / Ken-Q result, as text."""
    comments: dict[int, str] = {}
    answers: dict[str, str] = {}
    for key, value in record.items():
        if not isinstance(key, str) or isinstance(value, (dict, list)) or value is None:
            continue
        text = str(value).strip()[:MAX_EXTRA]
        m = _COMMENT_KEY.fullmatch(key.strip())
        if m:
            if text:
                comments[int(m.group(1))] = text
        elif key.strip().lower() not in _NOT_ANSWERS and not _CARD_PILES.fullmatch(key.strip()):
            if text:
                answers[key.strip()[:64]] = text
    return {"comments": comments, "answers": answers}


def read_sorts_json(path: str | Path) -> KenqData:
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no JSON file at {path}")
    return parse_sorts_json(decode_text(path.read_bytes(), source=str(path)), source=str(path))


def write_sorts_json(table: SortsTable, path: str | Path) -> None:
    """Firebase-style JSON: ``{name: {"partId": name, "sort": "v1|…|vN"}}`` in sort order."""
    data = {
        sid: {"partId": sid, "sort": "|".join(format_number(v) for v in table.values[:, j])}
        for j, sid in enumerate(table.sort_ids)
    }
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def infer_forced(table: SortsTable) -> bool:
    """True when every sort has the same distribution."""
    if table.values.shape[1] == 0:
        return True
    first = Counter(table.values[:, 0].tolist())
    return all(Counter(table.values[:, j].tolist()) == first for j in range(table.values.shape[1]))

"""Sorts as CSV in qmethod's layout: header ``statement,<sort id>,...``, one row per statement.

This is the layout of ``lipset[[1]]`` in R qmethod (and of ``write.csv`` of it): the first
column holds statement ids, every other column one Q-sort's grid values. Quoted or
unquoted cells, comma/semicolon/tab delimiters and CR, LF or CRLF line ends are accepted.
"""

from __future__ import annotations

import csv
import io
import math
from collections import Counter
from pathlib import Path

import numpy as np

from poetq.domain import SortsTable
from poetq.errors import NotFoundError, ValidationError
from poetq.formats.cells import csv_text


def _int_cell(text: str) -> float | None:
    try:  # the common case, a plain whole number; int() accepts the sign and spaces too
        return float(int(text))
    except (ValueError, OverflowError):
        pass
    s = text.strip()
    if s.startswith("+"):
        s = s[1:]
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) and v == int(v) else None


def parse_sorts_csv(text: str, *, source: str = "<sorts>") -> SortsTable:
    """Parse sorts CSV text; every problem is a one-line :class:`ValidationError`."""
    if "\x00" in text:
        raise ValidationError(f"{source} is not a text CSV file (it holds binary data)")
    lines = text.replace("\r\n", "\n").replace("\r", "\n")
    if not lines.strip():
        raise ValidationError(f"{source} is empty: expected a header 'statement,<sort id>,...'")
    try:
        dialect = csv.Sniffer().sniff(lines.split("\n", 1)[0], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        rows = [
            r
            for r in csv.reader(io.StringIO(lines), delimiter=delimiter)
            if any(c.strip() for c in r)
        ]
    except csv.Error as exc:
        raise ValidationError(f"{source} is not a readable CSV file ({exc})") from None
    if not rows:
        raise ValidationError(f"{source} has no header: expected 'statement,<sort id>,...'")
    header = [c.strip() for c in rows[0]]
    if len(header) < 3:
        raise ValidationError(
            f"{source}: the header needs a statement column and at least 2 sort columns "
            "(e.g. statement,P1,P2)"
        )
    sort_ids = header[1:]
    empty = [i + 2 for i, s in enumerate(sort_ids) if not s]
    if empty:
        raise ValidationError(f"{source}: column {empty[0]} of the header has no sort id")
    dup = [s for s, c in Counter(sort_ids).items() if c > 1]
    if dup:
        raise ValidationError(f"{source}: sort id {dup[0]!r} is used more than once")
    body = rows[1:]
    if len(body) < 2:
        raise ValidationError(f"{source}: need at least 2 statement rows, found {len(body)}")
    statement_ids = []
    values = np.empty((len(body), len(sort_ids)))
    for i, row in enumerate(body, start=2):
        sid = row[0].strip()
        if not sid:
            raise ValidationError(f"{source}: line {i} has no statement id")
        if len(row) - 1 != len(sort_ids):
            raise ValidationError(
                f"{source}: line {i} (statement {sid!r}) has {len(row) - 1} values but the header "
                f"names {len(sort_ids)} sorts"
            )
        for j, cell in enumerate(row[1:]):
            v = _int_cell(cell)
            if v is None:
                what = (
                    "no value"
                    if not cell.strip() or cell.strip().upper() == "NA"
                    else f"{cell.strip()!r}, not a whole number"
                )
                raise ValidationError(
                    f"{source}: line {i}, sort {sort_ids[j]!r}, statement {sid!r} has {what}"
                )
            values[i - 2, j] = v
        statement_ids.append(sid)
    dup = [s for s, c in Counter(statement_ids).items() if c > 1]
    if dup:
        raise ValidationError(f"{source}: statement id {dup[0]!r} is used more than once")
    return SortsTable(tuple(statement_ids), tuple(sort_ids), values,
                      tuple(f"column {j + 2}" for j in range(len(sort_ids))))


def read_sorts_csv(path: str | Path) -> SortsTable:
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"no sorts file at {path}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(f"{path} is not a UTF-8 text CSV file") from None
    return parse_sorts_csv(text, source=str(path))


def format_number(x: float) -> str:
    """Shortest text that reads back to the same double; integers without '.0'; NA for NaN."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return "NA"
    x = float(x)
    if np.isnan(x):
        return "NA"
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _quote(s: str) -> str:
    return '"' + str(s).replace('"', '""') + '"'


def write_csv_rows(path: Path, header: list[str], rows: list[list]) -> None:
    """Write R ``write.csv``-style: strings quoted, numbers and TRUE/FALSE not, NA for missing.

    Text that a spreadsheet would take for a formula is made safe
    (:func:`~poetq.formats.cells.csv_text`).
    """

    def cell(v) -> str:
        if isinstance(v, (bool, np.bool_)):
            return "TRUE" if v else "FALSE"
        if isinstance(v, str):
            return _quote(csv_text(v))
        return format_number(v)

    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(_quote(csv_text(h)) for h in header) + "\n")
        for row in rows:
            fh.write(",".join(cell(v) for v in row) + "\n")


def write_sorts_csv(table: SortsTable, path: str | Path) -> None:
    write_csv_rows(
        Path(path),
        ["statement", *table.sort_ids],
        [[sid, *table.values[i]] for i, sid in enumerate(table.statement_ids)],
    )
